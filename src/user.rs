//! Everything the user page reads about one user, in one `$batch` (issue 6's critical path):
//! the pass list, every authentication method, and when needed the user's admin roles and
//! their membership of the policy's groups. No views: `ui::user` sends the request and shows
//! the [`Profile`].

use crate::graph::batch::{self, BatchItemResponse, BatchRequest};
use crate::graph::models::{AuthMethod, MethodKind, TapPolicy, TemporaryAccessPass, User};
use crate::graph::GraphError;
use crate::messages::Capability;
use crate::tap::{self, Coverage, FormBounds, TargetRoles};

const PASSES: &str = "passes";
const METHODS: &str = "methods";
const ROLES: &str = "roles";
const GROUPS: &str = "groups";
const UNITS: &str = "units";

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

/// [`request`], plus the user's administrative units (with their restricted-management flag)
/// when `units` (an admin scoped to units, issue 16: whether the target is in reach is known
/// before any write). Tenant-wide admins never send it, so their user page stays one batch
/// of three or four items.
pub fn request_with_units(user_id: &str, groups: &[String], units: bool) -> BatchRequest {
    let mut req = request(user_id, groups);
    if units {
        req.requests
            .push(crate::graph::api::units_of(user_id).batch_item(UNITS));
    }
    req
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
    /// The administrative units the user is in; `None` when not asked for or not readable.
    pub units: Option<Vec<crate::graph::api::AdministrativeUnit>>,
}

impl Profile {
    /// Returns the profile an envelope-level failure leaves: every part failed with `error`.
    pub fn failed(error: GraphError) -> Profile {
        Profile {
            passes: Err(error.clone()),
            methods: Err(error),
            roles: None,
            member_of: None,
            units: None,
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
        let units = read(responses, UNITS).ok();
        Profile {
            passes,
            methods,
            roles,
            member_of,
            units,
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

/// The policy groups whose membership the user page reads: none without a policy, and none
/// when the admin may not read memberships (`checkMemberGroups` would be refused).
pub fn groups_to_read(policy: Option<&TapPolicy>, may_read_membership: bool) -> Vec<String> {
    policy
        .filter(|_| may_read_membership)
        .map(tap::groups_to_check)
        .unwrap_or_default()
}

impl Profile {
    /// Returns the profile read from the answers that `arrived`; when none did, every part
    /// failed with `failure` (the first item that got no answer), as [`Profile::failed`].
    pub fn from_answers(arrived: &[BatchItemResponse], failure: Option<GraphError>) -> Profile {
        match failure {
            Some(e) if arrived.is_empty() => Profile::failed(e),
            _ => Profile::from_responses(arrived),
        }
    }
}

/// Whether the policy lets `member_of` get a pass: unknown when the policy names groups whose
/// membership was not read (no permission, 403); covered when there is no policy to go by.
pub fn coverage(policy: Option<&TapPolicy>, member_of: Option<&[String]>) -> Coverage {
    match (policy, member_of) {
        (Some(p), Some(member_of)) => tap::coverage(p, member_of),
        (Some(p), None) if tap::groups_to_check(p).is_empty() => tap::coverage(p, &[]),
        (Some(_), None) => Coverage::Unknown,
        (None, _) => Coverage::Covered,
    }
}

/// The warnings before creating a pass for `user`, from what the page read (roles, policy
/// coverage) and what the signed-in admin can do.
pub fn warnings(
    user: &User,
    capability: Capability,
    profile: &Profile,
    policy: Option<&TapPolicy>,
) -> Vec<String> {
    let cover = coverage(policy, profile.member_of.as_deref());
    let shortest = policy.map(|p| FormBounds::new(Some(p)).min_minutes);
    tap::target_warnings(
        user.name(),
        capability,
        profile.roles.as_ref(),
        cover,
        shortest,
    )
}

/// The user's job title and department, joined ("" when neither is known).
pub fn detail(user: &User) -> String {
    [user.job_title.clone(), user.department.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// True if and only if `query` (trimmed) is long enough to search for: two characters.
pub fn searchable(query: &str) -> bool {
    query.trim().chars().count() >= 2
}

/// Merges a search's results: the exact hit (a UPN or object id read directly) first, then the
/// `$search` results not already there. A failed search still shows an exact hit.
pub fn search_results(
    exact: Option<User>,
    listed: Result<Vec<User>, GraphError>,
) -> Result<Vec<User>, GraphError> {
    let mut found: Vec<User> = exact.into_iter().collect();
    match listed {
        Ok(users) => {
            for u in users {
                if !found.iter().any(|f| f.id == u.id) {
                    found.push(u);
                }
            }
            Ok(found)
        }
        Err(_) if !found.is_empty() => Ok(found),
        Err(e) => Err(e),
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
            ..Default::default()
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

    fn policy(include: &str, exclude: &[&str]) -> TapPolicy {
        let exclude: Vec<_> = exclude
            .iter()
            .map(|id| json!({"targetType": "group", "id": id, "isRegistrationRequired": false}))
            .collect();
        serde_json::from_value(json!({"state": "enabled", "defaultLifetimeInMinutes": 60, "defaultLength": 8,
            "minimumLifetimeInMinutes": 60, "maximumLifetimeInMinutes": 480, "isUsableOnce": false,
            "includeTargets": [{"targetType": "group", "id": include, "isRegistrationRequired": false}],
            "excludeTargets": exclude}))
        .unwrap()
    }

    fn person(id: &str, name: &str) -> User {
        serde_json::from_value(json!({"id": id, "displayName": name})).unwrap()
    }

    #[test]
    fn memberships_are_read_only_when_they_can_be_and_coverage_follows() {
        let groups = policy("g-in", &["g-out"]);
        let all = policy("all_users", &[]);
        assert_eq!(groups_to_read(Some(&groups), false), Vec::<String>::new());
        assert_eq!(groups_to_read(None, true), Vec::<String>::new());
        assert!(groups_to_read(Some(&groups), true).contains(&"g-out".to_owned()));
        let member = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            coverage(Some(&groups), Some(&member(&["g-in", "g-out"]))),
            Coverage::Excluded
        );
        assert_eq!(
            coverage(Some(&groups), Some(&member(&["g-in"]))),
            Coverage::Covered
        );
        assert_eq!(coverage(Some(&groups), None), Coverage::Unknown);
        assert_eq!(coverage(Some(&all), None), Coverage::Covered);
        assert_eq!(coverage(None, None), Coverage::Covered);
        let profile = Profile {
            member_of: Some(member(&["g-out"])),
            ..Profile::failed(GraphError::network("x"))
        };
        let user = person("u", "Megan");
        let excluded = warnings(&user, Capability::Everyone, &profile, Some(&groups));
        let covered = warnings(
            &user,
            Capability::Everyone,
            &Profile {
                member_of: Some(member(&["g-in"])),
                ..profile.clone()
            },
            Some(&groups),
        );
        assert_eq!(excluded.len(), covered.len() + 1);
    }

    #[test]
    fn a_profile_fails_whole_only_when_nothing_arrived() {
        let denied = GraphError {
            status: 503,
            ..GraphError::default()
        };
        let failed = Profile::from_answers(&[], Some(denied.clone()));
        assert_eq!(failed, Profile::failed(denied.clone()));
        let partly =
            Profile::from_answers(&[resp("passes", 200, json!({"value": []}))], Some(denied));
        assert_eq!(partly.passes, Ok(vec![]));
        assert_eq!(
            partly.methods.unwrap_err().status,
            missing("methods").status
        );
        assert_eq!(
            Profile::from_answers(&[], None),
            Profile::from_responses(&[])
        );
    }

    #[test]
    fn details_and_search_results_merge_without_doubles() {
        let mut u = person("u", "Megan");
        assert_eq!(detail(&u), "");
        assert!(searchable(" ab ") && !searchable(" a ") && !searchable("é"));
        u.department = Some("Sales".into());
        assert_eq!(detail(&u), "Sales");
        u.job_title = Some("Lead".into());
        assert_eq!(detail(&u), "Lead · Sales");
        let exact = person("a", "Adele");
        let listed = vec![person("b", "Bea"), person("a", "Adele")];
        let ids = |r: Result<Vec<User>, GraphError>| {
            r.map(|l| l.into_iter().map(|u| u.id).collect::<Vec<_>>())
        };
        assert_eq!(
            ids(search_results(Some(exact.clone()), Ok(listed.clone()))),
            Ok(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            ids(search_results(None, Ok(listed))),
            Ok(vec!["b".into(), "a".into()])
        );
        let down = GraphError::network("offline");
        assert_eq!(
            ids(search_results(Some(exact), Err(down.clone()))),
            Ok(vec!["a".into()])
        );
        assert_eq!(ids(search_results(None, Err(down))).unwrap_err().status, 0);
    }
}
