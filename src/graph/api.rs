//! Typed Graph calls: the paths and queries of reference §2-§4, nothing about views.

use super::models::{
    AuthMethod, DirectoryRole, NewPass, Page, TapPolicy, TemporaryAccessPass, User,
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

/// Lists all authentication methods of the user.
pub async fn list_methods(
    c: &GraphClient,
    token: &str,
    user_id: &str,
) -> Result<Vec<AuthMethod>, GraphError> {
    let path = format!("/users/{}/authentication/methods", encode(user_id));
    Ok(c.get::<Page<AuthMethod>>(token, &path, false).await?.value)
}

/// Lists the admin roles `user_id` holds, directly or through groups.
pub async fn user_roles(
    c: &GraphClient,
    token: &str,
    user_id: &str,
) -> Result<Vec<DirectoryRole>, GraphError> {
    let path = format!(
        "/users/{}/transitiveMemberOf/microsoft.graph.directoryRole?$select=id,displayName,roleTemplateId",
        encode(user_id)
    );
    Ok(c.get::<Page<DirectoryRole>>(token, &path, false)
        .await?
        .value)
}

/// Returns which of `group_ids` the user is a member of, transitively.
pub async fn check_member_groups(
    c: &GraphClient,
    token: &str,
    user_id: &str,
    group_ids: &[String],
) -> Result<Vec<String>, GraphError> {
    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Body<'a> {
        group_ids: &'a [String],
    }
    let path = format!("/users/{}/checkMemberGroups", encode(user_id));
    let page: Page<String> = c.read_post(token, &path, &Body { group_ids }).await?;
    Ok(page.value)
}

/// Reads the tenant's TAP policy.
pub async fn get_policy(c: &GraphClient, token: &str) -> Result<TapPolicy, GraphError> {
    c.get(token, POLICY_PATH, false).await
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
        assert_eq!(c.url("/me"), "https://graph.microsoft.com/v1.0/me");
        assert_eq!(
            c.url("https://graph.microsoft.com/v1.0/users?$skiptoken=a"),
            "https://graph.microsoft.com/v1.0/users?$skiptoken=a"
        );
        assert_eq!(tap_path("jordan_fabrikam.com#EXT#@contoso.com"), "/users/jordan_fabrikam.com%23EXT%23%40contoso.com/authentication/temporaryAccessPassMethods");
    }
}
