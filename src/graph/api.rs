//! Typed Graph calls as request descriptors ([`Request`]): the paths and queries of reference
//! §2-§5, nothing about views. Each one is sent alone ([`super::Graph::send`]) or as a `$batch`
//! item ([`Request::batch_item`]).

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::models::{AuthMethod, Group, NewPass, Page, TapPolicy, TemporaryAccessPass, User};
use super::{time, Request};

mod scoped;
pub use scoped::*;

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

/// Only the values of a page (for lists read in one page).
fn values<T: DeserializeOwned>(text: &str) -> Result<Vec<T>, serde_json::Error> {
    Ok(serde_json::from_str::<Page<T>>(text)?.value)
}

/// Searches users by display name, UPN and mail (at most `top`).
pub fn search_users(text: &str, top: u32) -> Request<Vec<User>> {
    let path = format!(
        "/users?$search={}&$select={}&$top={top}",
        encode(&search_expression(text)),
        User::SELECT
    );
    Request::<Page<User>>::get(path)
        .eventual()
        .map_decode(values::<User>)
}

/// Reads one user by object id or UPN.
pub fn get_user(key: &str) -> Request<User> {
    Request::get(user_path(key))
}

fn tap_path(user_id: &str) -> String {
    format!(
        "/users/{}/authentication/temporaryAccessPassMethods",
        encode(user_id)
    )
}

/// Lists the user's pass (Graph keeps at most one); its value is never included.
pub fn list_passes(user_id: &str) -> Request<Vec<TemporaryAccessPass>> {
    Request::<Page<TemporaryAccessPass>>::get(tap_path(user_id))
        .map_decode(values::<TemporaryAccessPass>)
}

/// Creates a pass (replacing any existing one); the answer is the only time the value is seen.
pub fn create_pass(user_id: &str, body: &NewPass) -> Request<TemporaryAccessPass> {
    Request::create(tap_path(user_id), body)
}

/// Deletes the pass `pass_id` of the user (idempotent: a second one answers 404).
pub fn delete_pass(user_id: &str, pass_id: &str) -> Request<()> {
    Request::delete(format!("{}/{}", tap_path(user_id), encode(pass_id)))
}

/// Lists every authentication method the user has registered.
pub fn list_methods(user_id: &str) -> Request<Vec<AuthMethod>> {
    Request::<Page<AuthMethod>>::get(methods_path(user_id)).map_decode(values::<AuthMethod>)
}

/// Lists the directory roles the user holds, directly or through groups (an advanced query).
pub fn list_roles(user_id: &str) -> Request<Page<serde_json::Value>> {
    Request::get(roles_path(user_id)).eventual()
}

/// Reads one group (id and name).
pub fn get_group(group_id: &str) -> Request<Group> {
    Request::get(group_path(group_id))
}

/// `checkMemberGroups` for `group_ids`: a read, safe to repeat.
pub fn check_member_groups(user_id: &str, group_ids: &[String]) -> Request<Page<String>> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        group_ids: &'a [String],
    }
    Request::read_post(check_groups_path(user_id), &Body { group_ids })
}

/// Reads the tenant's TAP policy.
pub fn get_policy() -> Request<TapPolicy> {
    Request::get(POLICY_PATH)
}

/// Changes the tenant's TAP policy with `body` (from `policy::patch_body`): 204 on success.
pub fn update_policy(body: &serde_json::Value) -> Request<()> {
    Request::patch(POLICY_PATH, body)
}

/// The audit log's service name for authentication-method activities.
pub const AUDIT_SERVICE: &str = "Authentication Methods";

/// Returns the relative path listing authentication-method audit records since `since_ms`,
/// newest first.
pub fn audit_path(since_ms: f64) -> String {
    let filter = format!(
        "loggedByService eq '{AUDIT_SERVICE}' and activityDateTime ge {}",
        time::format_utc(since_ms)
    );
    format!(
        "/auditLogs/directoryAudits?$filter={}&$top=100",
        encode(&filter)
    )
}

/// Reads the first page of authentication-method audit records since `since_ms`, as `T` (the
/// record type of `crate::audit`); follow `@odata.nextLink` with [`Request::at`].
pub fn audit_page<T: DeserializeOwned>(since_ms: f64) -> Request<Page<T>> {
    Request::get(audit_path(since_ms))
}

/// Sends `message` (a `sendMail` body) as the signed-in admin: 202, never re-sent after a lost
/// answer (it may have gone).
pub fn send_mail(message: &serde_json::Value) -> Request<()> {
    Request::action("/me/sendMail", message)
}

/// The first page of the tenant's users (999 per page); the paging helper follows the rest.
pub fn users_page() -> Request<Page<User>> {
    Request::get(format!("/users?$select={}&$top=999", User::SELECT))
}

/// The first page of a group's users (transitive members); the cast is an advanced query, so
/// the header goes with every page, next links included (they carry `$count=true`).
pub fn group_members(group_id: &str) -> Request<Page<User>> {
    Request::get(group_members_path(group_id)).eventual()
}

/// Searches groups by display name (whole words, at most 10).
pub fn search_groups(text: &str) -> Request<Vec<Group>> {
    Request::<Page<Group>>::get(search_groups_path(text))
        .eventual()
        .map_decode(values::<Group>)
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

pub use super::request::ADVANCED_QUERY_HEADER;

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

/// Issue 15's reads (registration report, phone and passkey methods, passkey policies).
mod campaign;
pub use campaign::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{GraphClient, Unanswered};

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
            assert_eq!(
                (e.status, e.unanswered),
                (0, Some(Unanswered::UntrustedUrl)),
                "{bad}"
            );
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
    fn the_audit_query_filters_on_the_service_and_the_time() {
        let p = audit_path(time::parse_ms("2026-11-20T00:00:00Z").unwrap());
        assert!(p.starts_with("/auditLogs/directoryAudits?$filter=loggedByService%20eq%20%27Authentication%20Methods%27%20and%20activityDateTime%20ge%202026-11-20T00%3A00%3A00Z"), "{p}");
        assert!(p.ends_with("&$top=100"));
    }

    /// Issue 13 point 3: one descriptor serves a single call and a `$batch` item.
    #[test]
    fn a_request_is_a_single_call_and_a_batch_item() {
        let r = create_pass(
            "adele@contoso.com",
            &NewPass {
                lifetime_in_minutes: Some(60),
                ..NewPass::default()
            },
        );
        assert_eq!(r.body.as_deref(), Some(r#"{"lifetimeInMinutes":60}"#));
        let item = r.batch_item("7");
        assert_eq!((item.method.as_str(), item.id.as_str()), ("POST", "7"));
        assert_eq!(item.url, r.path);
        assert_eq!(
            item.body,
            Some(serde_json::json!({"lifetimeInMinutes": 60}))
        );
        let item = delete_pass("u", "p").batch_item(3usize);
        assert_eq!(
            (item.method.as_str(), item.url.as_str(), item.id.as_str()),
            (
                "DELETE",
                "/users/u/authentication/temporaryAccessPassMethods/p",
                "3"
            )
        );
        assert!(item.headers.is_none() && item.body.is_none());
        let roles = list_roles("u").batch_item("r");
        assert_eq!(
            roles
                .headers
                .and_then(|h| h.get("ConsistencyLevel").cloned())
                .as_deref(),
            Some("eventual")
        );
        // Answers are read as the descriptor says.
        let users = search_users("ad", 10)
            .read(r#"{"value":[{"id":"u1"}],"@odata.nextLink":"x"}"#)
            .unwrap();
        assert_eq!(users[0].id, "u1");
        assert!(delete_pass("u", "p").read("").is_ok());
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
