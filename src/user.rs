//! Everything the user page reads about one user, in one `$batch` (issue 6's critical path):
//! the pass list, every authentication method, and when needed the user's admin roles and
//! their membership of the policy's groups. No views: `ui::user` sends the request and shows
//! the [`Profile`].

use crate::graph::batch::{self, BatchItemResponse, BatchRequest};
use crate::graph::models::{AuthMethod, MethodKind, TemporaryAccessPass};
use crate::graph::GraphError;
use crate::tap::TargetRoles;

const PASSES: &str = "passes";
const METHODS: &str = "methods";
const ROLES: &str = "roles";
const GROUPS: &str = "groups";

/// Returns the one `$batch` that opens `user_id`: passes, methods and the user's roles always
/// (whatever the admin's own roles: a pass on an admin account earns a warning, and an
/// Authentication Administrator cannot serve most admins), `checkMemberGroups` when `groups`
/// (from `tap::groups_to_check`) is not empty. Four items at most, all reads.
pub fn request(user_id: &str, groups: &[String]) -> BatchRequest {
    let mut requests = vec![
        batch::list_passes_item(PASSES, user_id),
        batch::list_methods_item(METHODS, user_id),
        batch::roles_item(ROLES, user_id),
    ];
    if !groups.is_empty() {
        requests.push(batch::check_groups_item(GROUPS, user_id, groups));
    }
    BatchRequest { requests }
}

/// What one user page knows about its user. A part that was not asked for, or whose answer is
/// missing, is an error the page words like any other Graph failure.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// The pass list (Graph allows one pass per user).
    pub passes: Result<Vec<TemporaryAccessPass>, GraphError>,
    /// Every registered authentication method, passes included.
    pub methods: Result<Vec<AuthMethod>, GraphError>,
    /// The admin roles the user holds (the default user role left out); `None` when not
    /// readable (the page then says it cannot tell, see `tap::targets::check`).
    pub roles: Option<TargetRoles>,
    /// Which of the asked groups the user is in; `None` when not asked for or not readable.
    pub member_of: Option<Vec<String>>,
}

impl Profile {
    /// Returns the profile an envelope-level failure leaves: every part failed with `error`.
    pub fn failed(error: GraphError) -> Profile {
        Profile {
            passes: Err(error.clone()),
            methods: Err(error),
            roles: None,
            member_of: None,
        }
    }

    /// Returns the profile read from the batch answer.
    pub fn from_responses(responses: &[BatchItemResponse]) -> Profile {
        fn find<'a>(responses: &'a [BatchItemResponse], id: &str) -> Option<&'a BatchItemResponse> {
            responses.iter().find(|r| r.id == id)
        }
        fn read<T: serde::de::DeserializeOwned>(
            responses: &[BatchItemResponse],
            id: &str,
        ) -> Result<Vec<T>, GraphError> {
            find(responses, id)
                .ok_or_else(|| missing(id))
                .and_then(batch::item_values)
        }
        // Roles and groups only feed warnings; unreadable roles are said to be unknown.
        let passes = read(responses, PASSES);
        let methods = read(responses, METHODS);
        let roles = read(responses, ROLES).ok().map(TargetRoles::from_graph);
        let member_of = read(responses, GROUPS).ok();
        Profile {
            passes,
            methods,
            roles,
            member_of,
        }
    }

    /// True when the user already has a strong (phishing-resistant or app-based) method, so a
    /// pass may not be needed at all.
    pub fn has_strong_method(&self) -> bool {
        self.methods
            .as_ref()
            .is_ok_and(|m| m.iter().any(|m| is_strong(m.kind())))
    }
}

/// True for methods that let a user sign in without a password and a pass: passkeys,
/// Authenticator, Windows Hello for Business, platform credentials.
pub fn is_strong(kind: MethodKind) -> bool {
    matches!(
        kind,
        MethodKind::Fido2
            | MethodKind::MicrosoftAuthenticator
            | MethodKind::WindowsHelloForBusiness
            | MethodKind::PlatformCredential
    )
}

/// Returns the method's kind in words; a kind this page does not know is named by its Graph
/// type, so a new method never disappears from the list.
pub fn method_label(method: &AuthMethod) -> String {
    let known = match method.kind() {
        MethodKind::Password => "Password",
        MethodKind::Phone => "Phone",
        MethodKind::Email => "Email",
        MethodKind::Fido2 => "Passkey (FIDO2)",
        MethodKind::MicrosoftAuthenticator => "Microsoft Authenticator",
        MethodKind::SoftwareOath => "Software OATH token",
        MethodKind::HardwareOath => "Hardware OATH token",
        MethodKind::WindowsHelloForBusiness => "Windows Hello for Business",
        MethodKind::PlatformCredential => "Platform credential",
        MethodKind::TemporaryAccessPass => "Temporary Access Pass",
        MethodKind::QrCodePin => "QR code and PIN",
        MethodKind::External => "External method",
        MethodKind::Unknown => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let name = method
        .odata_type
        .trim_start_matches("#microsoft.graph.")
        .trim_end_matches("AuthenticationMethod");
    if name.is_empty() {
        "Other method".to_owned()
    } else {
        format!("Other method ({name})")
    }
}

fn missing(id: &str) -> GraphError {
    GraphError {
        status: 0,
        code: "missingAnswer".into(),
        message: format!("Graph's batch answer had no \"{id}\" part. Try again."),
        ..GraphError::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::DEFAULT_USER_ROLE;
    use serde_json::json;

    fn resp(id: &str, status: u16, body: serde_json::Value) -> BatchItemResponse {
        BatchItemResponse {
            id: id.into(),
            status,
            headers: Default::default(),
            body: Some(body),
        }
    }

    #[test]
    fn request_holds_three_or_four_reads_and_always_the_roles() {
        let r = request("u-1", &[]);
        let urls: Vec<_> = r.requests.iter().map(|i| i.url.as_str()).collect();
        assert_eq!(urls.len(), 3);
        assert_eq!(
            urls[..2],
            [
                "/users/u-1/authentication/temporaryAccessPassMethods",
                "/users/u-1/authentication/methods"
            ]
        );
        assert!(urls[2].starts_with("/users/u-1/transitiveMemberOf/microsoft.graph.directoryRole"));
        let r = request("u-1", &["g".into()]);
        assert_eq!(r.requests.len(), 4);
        assert_eq!(r.requests[3].method, "POST");
        assert!(r
            .requests
            .iter()
            .all(|i| i.method == "GET" || i.url.ends_with("checkMemberGroups")));
    }

    #[test]
    fn profile_reads_each_part_and_keeps_failures_apart() {
        let responses = vec![
            resp(
                "methods",
                200,
                json!({"value":[
                    {"@odata.type":"#microsoft.graph.passwordAuthenticationMethod","id":"p"},
                    {"@odata.type":"#microsoft.graph.fido2AuthenticationMethod","id":"f","displayName":"YubiKey"},
                    "not an object"
                ]}),
            ),
            resp(
                "passes",
                403,
                json!({"error":{"code":"Authorization_RequestDenied","message":"no"}}),
            ),
            resp(
                "roles",
                200,
                json!({"value":[
                    {"id":"1","displayName":"User","roleTemplateId": DEFAULT_USER_ROLE},
                    {"id":"2","displayName":"Helpdesk Administrator"}
                ]}),
            ),
            resp("groups", 200, json!({"value":["g-2"]})),
        ];
        let p = Profile::from_responses(&responses);
        assert_eq!(p.passes.as_ref().unwrap_err().status, 403);
        assert_eq!(p.methods.as_ref().unwrap().len(), 2);
        assert!(p.has_strong_method());
        assert_eq!(
            p.roles.as_ref().map(TargetRoles::labels),
            Some(vec!["Helpdesk Administrator".to_owned()])
        );
        assert_eq!(p.member_of, Some(vec!["g-2".to_owned()]));
    }

    #[test]
    fn missing_parts_are_errors_and_unasked_parts_are_none() {
        let p = Profile::from_responses(&[resp("passes", 200, json!({"value":[]}))]);
        assert_eq!(p.passes, Ok(vec![]));
        assert_eq!(p.methods.unwrap_err().code, "missingAnswer");
        assert_eq!((p.roles, p.member_of), (None, None));
    }

    #[test]
    fn labels_name_known_kinds_and_keep_unknown_ones() {
        let m = |t: &str| AuthMethod {
            odata_type: t.into(),
            id: "x".into(),
            display_name: None,
            created_date_time: None,
        };
        assert_eq!(
            method_label(&m("#microsoft.graph.fido2AuthenticationMethod")),
            "Passkey (FIDO2)"
        );
        assert_eq!(
            method_label(&m("#microsoft.graph.quantumAuthenticationMethod")),
            "Other method (quantum)"
        );
        assert_eq!(method_label(&m("")), "Other method");
    }
}
