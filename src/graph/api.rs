//! Typed Graph calls: the paths and queries of reference §2-§4, nothing about views.

use super::models::{
    BatchRequest, BatchResponse, Group, NewPass, Page, TapPolicy, TemporaryAccessPass, User,
};
use super::{GraphClient, GraphError};

/// Path of the tenant's TAP policy.
pub const POLICY_PATH: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";

/// Returns the `$search` expression matching `text` in display name, UPN or mail.
///
/// Double quotes and backslashes are removed: they would end the quoted clause.
pub fn search_expression(text: &str) -> String {
    let clean: String = text.chars().filter(|c| *c != '"' && *c != '\\').collect();
    let clean = clean.trim();
    format!("\"displayName:{clean}\" OR \"userPrincipalName:{clean}\" OR \"mail:{clean}\"")
}

/// Returns true if and only if `text` looks like an object id or a UPN, which can be read directly.
pub fn is_direct_key(text: &str) -> bool {
    let t = text.trim();
    let guid = t.len() == 36
        && t.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    let upn = t.contains('@')
        && !t.contains(char::is_whitespace)
        && !t.starts_with('@')
        && !t.ends_with('@');
    guid || upn
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Searches users by display name, UPN and mail (at most `top`).
pub async fn search_users(
    c: &GraphClient,
    token: &str,
    text: &str,
    top: u32,
) -> Result<Vec<User>, GraphError> {
    let path = format!(
        "/users?$search={}&$select={}&$top={top}",
        encode(&search_expression(text)),
        User::SELECT
    );
    Ok(c.get::<Page<User>>(token, &path, true).await?.value)
}

/// Reads one user by object id or UPN.
pub async fn get_user(c: &GraphClient, token: &str, key: &str) -> Result<User, GraphError> {
    c.get(
        token,
        &format!("/users/{}?$select={}", encode(key.trim()), User::SELECT),
        false,
    )
    .await
}

fn tap_path(user_id: &str) -> String {
    format!(
        "/users/{}/authentication/temporaryAccessPassMethods",
        encode(user_id)
    )
}

/// Lists the user's pass (Graph keeps at most one); its value is never included.
pub async fn list_passes(
    c: &GraphClient,
    token: &str,
    user_id: &str,
) -> Result<Vec<TemporaryAccessPass>, GraphError> {
    Ok(
        c.get::<Page<TemporaryAccessPass>>(token, &tap_path(user_id), false)
            .await?
            .value,
    )
}

/// Creates a pass (replacing any existing one); the answer is the only time the value is seen.
pub async fn create_pass(
    c: &GraphClient,
    token: &str,
    user_id: &str,
    body: &NewPass,
) -> Result<TemporaryAccessPass, GraphError> {
    c.post(token, &tap_path(user_id), body).await
}

/// Deletes the pass `pass_id` of the user.
pub async fn delete_pass(
    c: &GraphClient,
    token: &str,
    user_id: &str,
    pass_id: &str,
) -> Result<(), GraphError> {
    c.delete(token, &format!("{}/{}", tap_path(user_id), encode(pass_id)))
        .await
}

/// Reads the tenant's TAP policy.
pub async fn get_policy(c: &GraphClient, token: &str) -> Result<TapPolicy, GraphError> {
    c.get(token, POLICY_PATH, false).await
}

/// Changes the tenant's TAP policy with `body` (from `policy::patch_body`): 204 on success.
pub async fn update_policy(
    c: &GraphClient,
    token: &str,
    body: &serde_json::Value,
) -> Result<(), GraphError> {
    c.patch(token, POLICY_PATH, body).await
}

/// Reads one page of authentication-method audit records: the first page since `since_ms`
/// when `next` is `None`, else the whole `@odata.nextLink`.
pub async fn audit_page(
    c: &GraphClient,
    token: &str,
    since_ms: f64,
    next: Option<&str>,
) -> Result<Page<crate::audit::Record>, GraphError> {
    match next {
        Some(link) => c.get(token, link, false).await,
        None => {
            c.get(token, &crate::audit::query_path(since_ms), false)
                .await
        }
    }
}

/// Sends `message` (a `sendMail` body) as the signed-in admin: 202, never re-sent after a lost
/// answer (it may have gone).
pub async fn send_mail(
    c: &GraphClient,
    token: &str,
    message: &serde_json::Value,
) -> Result<(), GraphError> {
    c.post_action(token, "/me/sendMail", message).await
}

/// Returns `segment` percent-encoded for one path segment (`#`, `@`, `/`, spaces and the rest).
pub fn encode_segment(segment: &str) -> String {
    encode(segment)
}

/// Returns the relative path reading one user by object id or UPN (with [`User::SELECT`]).
pub fn user_path(key: &str) -> String {
    format!("/users/{}?$select={}", encode(key.trim()), User::SELECT)
}

/// Returns the relative path of the user's pass collection (list with GET, create with POST).
pub fn passes_path(user_key: &str) -> String {
    tap_path(user_key)
}

/// Returns the relative path listing every authentication method of a user.
pub fn methods_path(user_key: &str) -> String {
    format!("/users/{}/authentication/methods", encode(user_key))
}

/// Returns the relative path listing the admin roles a user holds, directly or through groups.
///
/// The cast makes it an advanced query: send it with `ConsistencyLevel: eventual`
/// ([`ADVANCED_QUERY_HEADER`]); `$count=true` is part of the path.
pub fn roles_path(user_key: &str) -> String {
    format!(
        "/users/{}/transitiveMemberOf/microsoft.graph.directoryRole?$select=id,displayName,roleTemplateId&$count=true",
        encode(user_key)
    )
}

/// The header (name, value) every advanced query needs, on every page (Learn: "Advanced query
/// capabilities on Microsoft Entra ID objects"): OData casts such as
/// `transitiveMemberOf/microsoft.graph.directoryRole` and `transitiveMembers/microsoft.graph.user`
/// are advanced queries, with `$count=true` in the query.
pub const ADVANCED_QUERY_HEADER: (&str, &str) = ("ConsistencyLevel", "eventual");

/// Returns the relative path of `checkMemberGroups` for a user.
pub fn check_groups_path(user_key: &str) -> String {
    format!("/users/{}/checkMemberGroups", encode(user_key))
}

/// Returns the relative path reading one group (with [`Group::SELECT`]).
pub fn group_path(group_id: &str) -> String {
    format!("/groups/{}?$select={}", encode(group_id), Group::SELECT)
}

/// Returns the relative path listing a group's users, transitively, 999 per page (an advanced
/// query: `$count=true` here, [`ADVANCED_QUERY_HEADER`] on every page).
pub fn group_members_path(group_id: &str) -> String {
    format!(
        "/groups/{}/transitiveMembers/microsoft.graph.user?$select={}&$top=999&$count=true",
        encode(group_id),
        User::SELECT
    )
}

/// Returns the relative path searching groups by display name (needs `ConsistencyLevel: eventual`).
///
/// Double quotes and backslashes are removed from `text`: they would end the quoted clause.
pub fn search_groups_path(text: &str) -> String {
    let clean: String = text.chars().filter(|c| *c != '"' && *c != '\\').collect();
    format!(
        "/groups?$search={}&$select={}&$top=10",
        encode(&format!("\"displayName:{}\"", clean.trim())),
        Group::SELECT
    )
}

/// Sends a `$batch` that may hold creates: `POST /$batch` with create semantics.
///
/// The envelope is re-sent automatically only after an envelope 429 (Graph processed none of
/// it). A lost answer, a timeout or a 5xx comes back as the error: the items may have run, and
/// the caller must find out by reading (see `bulk::batch::Run::record_lost`).
pub async fn batch(
    c: &GraphClient,
    token: &str,
    req: &BatchRequest,
) -> Result<BatchResponse, GraphError> {
    c.post(token, "/$batch", req).await
}

/// Sends a `$batch` of reads only (GETs and `checkMemberGroups`): retried like a GET.
pub async fn batch_reads(
    c: &GraphClient,
    token: &str,
    req: &BatchRequest,
) -> Result<BatchResponse, GraphError> {
    c.read_post(token, "/$batch", req).await
}

/// Reads one page of the tenant's users (999 per page), first page when `next` is `None`; pass
/// the returned `next_link` back as `next` until it is `None`.
pub async fn users_page(
    c: &GraphClient,
    token: &str,
    next: Option<&str>,
) -> Result<Page<User>, GraphError> {
    match next {
        Some(link) => c.get(token, link, false).await,
        None => {
            let path = format!("/users?$select={}&$top=999", User::SELECT);
            c.get(token, &path, false).await
        }
    }
}

/// Reads one page of a group's users (transitive members), first page when `next` is `None`;
/// pass the returned `next_link` back as `next` until it is `None`.
pub async fn group_members(
    c: &GraphClient,
    token: &str,
    group_id: &str,
    next: Option<&str>,
) -> Result<Page<User>, GraphError> {
    // The cast is an advanced query: the header goes with every page, next links included
    // (they carry `$count=true` from the first request).
    match next {
        Some(link) => c.get(token, link, true).await,
        None => c.get(token, &group_members_path(group_id), true).await,
    }
}

/// Searches groups by display name (whole words, at most 10).
pub async fn search_groups(
    c: &GraphClient,
    token: &str,
    text: &str,
) -> Result<Vec<Group>, GraphError> {
    Ok(c.get::<Page<Group>>(token, &search_groups_path(text), true)
        .await?
        .value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_covers_three_properties_and_strips_quotes() {
        assert_eq!(
            search_expression(" ad\"ele "),
            "\"displayName:adele\" OR \"userPrincipalName:adele\" OR \"mail:adele\""
        );
    }

    #[test]
    fn direct_keys() {
        assert!(is_direct_key("adele.vance@contoso.onmicrosoft.com"));
        assert!(is_direct_key("6e7b768e-07e2-4810-8459-485f84f8f204"));
        assert!(!is_direct_key("adele"));
        assert!(!is_direct_key("adele vance@x"));
        assert!(!is_direct_key("6e7b768e-07e2-4810-8459-485f84f8f20z"));
    }

    #[test]
    fn paths_are_encoded() {
        let c = GraphClient::new("https://graph.microsoft.com/");
        assert_eq!(
            c.url("/me").as_deref(),
            Ok("https://graph.microsoft.com/v1.0/me")
        );
        assert_eq!(
            c.url("https://graph.microsoft.com/v1.0/users?$skiptoken=a")
                .as_deref(),
            Ok("https://graph.microsoft.com/v1.0/users?$skiptoken=a")
        );
        assert_eq!(tap_path("jordan_fabrikam.com#EXT#@contoso.com"), "/users/jordan_fabrikam.com%23EXT%23%40contoso.com/authentication/temporaryAccessPassMethods");
    }

    /// Issue 12 point 12: the bearer token goes only to URLs under the configured Graph root.
    #[test]
    fn next_links_outside_the_graph_root_are_refused() {
        let c = GraphClient::new("https://graph.microsoft.com");
        for bad in [
            "https://evil.example/v1.0/users?$skiptoken=a",
            "http://graph.microsoft.com/v1.0/users",
            "https://graph.microsoft.com.evil.example/v1.0/users",
            "https://graph.microsoft.com:8443/v1.0/users",
            "https://graph.microsoft.com/beta/users",
            "https://graph.microsoft.com/v1.0evil/users",
            "https://graph.microsoft.com/v1.0/../evil",
            "https://user@graph.microsoft.com/v1.0/users",
            "//evil.example/v1.0/users",
            "users",
            "javascript:alert(1)",
        ] {
            let e = c.url(bad).expect_err(bad);
            assert_eq!((e.status, e.code.as_str()), (0, "untrustedUrl"), "{bad}");
            assert!(e.message.contains("not under the configured Graph URL"));
        }
        assert!(c
            .url("https://GRAPH.microsoft.com:443/v1.0/users?$skiptoken=a")
            .is_ok());
        let local = GraphClient::new("http://127.0.0.1:4100/");
        assert!(local
            .url("http://127.0.0.1:4100/v1.0/users?$skiptoken=b")
            .is_ok());
        assert!(local.url("http://127.0.0.1:4101/v1.0/users").is_err());
        assert!(local.url("http://localhost:4100/v1.0/users").is_err());
        let sub = GraphClient::new("https://proxy.example/graph");
        assert!(sub.url("https://proxy.example/graph/v1.0/me").is_ok());
        assert!(sub.url("https://proxy.example/other/v1.0/me").is_err());
    }

    #[test]
    fn bulk_paths() {
        assert_eq!(
            user_path(" jordan_fabrikam.com#EXT#@contoso.com "),
            format!(
                "/users/jordan_fabrikam.com%23EXT%23%40contoso.com?$select={}",
                User::SELECT
            )
        );
        assert_eq!(
            passes_path("a@b.c"),
            "/users/a%40b.c/authentication/temporaryAccessPassMethods"
        );
        assert_eq!(
            check_groups_path("a@b.c"),
            "/users/a%40b.c/checkMemberGroups"
        );
        assert!(roles_path("u1")
            .starts_with("/users/u1/transitiveMemberOf/microsoft.graph.directoryRole?"));
        // Casts are advanced queries: `$count=true` always (the header is the sender's part).
        assert!(roles_path("u1").ends_with("&$count=true"));
        assert_eq!(
            group_members_path("g 1"),
            format!(
                "/groups/g%201/transitiveMembers/microsoft.graph.user?$select={}&$top=999&$count=true",
                User::SELECT
            )
        );
        assert_eq!(
            search_groups_path(" Field \"staff "),
            "/groups?$search=%22displayName%3AField%20staff%22&$select=id,displayName&$top=10"
        );
    }
}
