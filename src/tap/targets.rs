//! What the page knows about a target user's directory roles and what follows from it: whom an
//! Authentication Administrator may serve (Microsoft Learn's matrix, "Privileged roles and
//! permissions": users with no role or only lesser roles), which targets are privileged (a pass
//! on an admin account deserves a second look), and role names, never ids.
//!
//! Without a role-read permission (`RoleManagement.Read.Directory`, `Directory.Read.All`)
//! Graph returns each role with `@odata.type` and `id` only: such a role is "unnamed", and what
//! depends on it is a warning, never a block (Graph decides).

use crate::graph::models::DirectoryRole;
use crate::messages::{self, Capability, DEFAULT_USER_ROLE, UNNAMED_ROLE};

/// Template ids of the roles whose holders an Authentication Administrator may still serve:
/// Directory Readers, Guest Inviter, Message Center Reader, Password Administrator, Reports
/// Reader, Authentication Administrator, Usage Summary Reports Reader, User Experience Success
/// Manager. Members of role-assignable groups are out of reach too (Graph refuses; the page
/// cannot see those groups' nature without more permissions).
pub const LESSER_ROLES: &[&str] = &[
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
    "95e79109-95c0-4d8e-aee3-d01accf2d47b",
    "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b",
    "966707d0-3269-4727-9be2-8c3a10f19b9d",
    "4a5d8f65-41da-4de4-8968-e035b65339cf",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f",
    "75934031-6c7e-415a-99d7-48dbd49e875e",
    "27460883-1df1-4691-b032-3b79643e5e63",
];

/// One directory role a target holds, as far as Graph told us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetRole {
    /// `roleTemplateId`, when Graph gave it.
    pub template_id: Option<String>,
    /// The role's name: the page's own for a known template, else Graph's `displayName`.
    pub name: Option<String>,
}

impl TargetRole {
    /// Returns the name to show: the role's name, or "an admin role" (never its id).
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| UNNAMED_ROLE.to_owned())
    }

    /// `Some(true)` for a lesser role, `Some(false)` for any other known role, `None` when
    /// Graph did not say which role it is.
    pub fn is_lesser(&self) -> Option<bool> {
        if let Some(t) = &self.template_id {
            return Some(LESSER_ROLES.iter().any(|l| l.eq_ignore_ascii_case(t)));
        }
        let name = self.name.as_deref()?;
        Some(
            LESSER_ROLES
                .iter()
                .filter_map(|l| messages::role_name(l))
                .any(|n| n.eq_ignore_ascii_case(name)),
        )
    }
}

/// The admin roles a target holds (the default user role left out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetRoles(pub Vec<TargetRole>);

impl TargetRoles {
    /// Returns the roles read from Graph's `directoryRole` objects.
    pub fn from_graph(roles: Vec<DirectoryRole>) -> TargetRoles {
        TargetRoles(
            roles
                .into_iter()
                .filter(|r| {
                    r.role_template_id
                        .as_deref()
                        .is_none_or(|t| !t.eq_ignore_ascii_case(DEFAULT_USER_ROLE))
                })
                .map(|r| {
                    let template_id = r.role_template_id.filter(|t| !t.trim().is_empty());
                    let known = template_id.as_deref().and_then(messages::role_name);
                    let name = known
                        .map(str::to_owned)
                        .or(r.display_name.filter(|n| !n.trim().is_empty()));
                    TargetRole { template_id, name }
                })
                .collect(),
        )
    }

    /// True if and only if the target holds no admin role.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Names of every role, "an admin role" for those Graph did not name.
    pub fn labels(&self) -> Vec<String> {
        self.0.iter().map(TargetRole::label).collect()
    }

    /// Names of the known roles that put the target beyond an Authentication Administrator.
    pub fn beyond_authentication_administrator(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|r| r.is_lesser() == Some(false))
            .map(TargetRole::label)
            .collect()
    }

    /// How many roles Graph did not name.
    pub fn unnamed(&self) -> usize {
        self.0.iter().filter(|r| r.is_lesser().is_none()).count()
    }

    /// Names of the privileged roles: every role but the lesser ones (unnamed ones included,
    /// since they may be anything).
    pub fn privileged(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|r| r.is_lesser() != Some(true))
            .map(TargetRole::label)
            .collect()
    }
}

/// What the target's roles mean for a pass: reasons Graph will refuse (`blocks`), things the
/// admin should read first (`warnings`), and whether the target is privileged (bulk asks for an
/// explicit tick before creating such a pass).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoleCheck {
    pub blocks: Vec<String>,
    pub warnings: Vec<String>,
    pub privileged: bool,
}

/// Returns what `roles` (`None`: they could not be read) mean for a pass issued to `name` by an
/// admin with `capability`; `shortest_minutes` is the policy's shortest lifetime, if known.
///
/// Only an Authentication Administrator (known from `wids`) is ever blocked, and only for a
/// role Graph named that is not a lesser one; an unnamed role is a warning. A privileged target
/// gets a warning whatever the admin's roles.
pub fn check(
    name: &str,
    capability: Capability,
    roles: Option<&TargetRoles>,
    shortest_minutes: Option<u32>,
) -> RoleCheck {
    let mut out = RoleCheck::default();
    let Some(roles) = roles else {
        out.warnings.push(format!(
            "{name}'s admin roles could not be read, so this page cannot tell whether this is an admin account: Graph decides whether you may issue the pass."
        ));
        return out;
    };
    if capability == Capability::NonAdmins {
        let beyond = roles.beyond_authentication_administrator();
        if !beyond.is_empty() {
            out.blocks.push(format!(
                "{name} holds the admin role {}. As an Authentication Administrator you cannot issue them a pass: a Privileged Authentication Administrator can.",
                beyond.join(", ")
            ));
            return out;
        }
        if roles.unnamed() > 0 {
            out.warnings.push(format!(
                "{name} holds an admin role Graph did not name (naming roles needs the RoleManagement.Read.Directory permission). An Authentication Administrator may serve only holders of lesser roles such as Password Administrator or Directory Readers: Graph decides."
            ));
        }
    }
    let privileged = roles.privileged();
    if !privileged.is_empty() {
        out.privileged = true;
        let shortest = shortest_minutes
            .map(|m| format!(" ({m} minutes)"))
            .unwrap_or_default();
        out.warnings.push(format!(
            "{name} holds {}. A pass lets whoever holds it register a sign-in method on this admin account: make sure the request is genuine, and prefer a one-time pass with the shortest lifetime{shortest}.",
            roles_phrase(&privileged)
        ));
    }
    out
}

/// "the admin role X, Y", or "an admin role" when Graph named none of them.
fn roles_phrase(labels: &[String]) -> String {
    if labels.iter().all(|l| l == UNNAMED_ROLE) {
        UNNAMED_ROLE.to_owned()
    } else {
        format!("the admin role {}", labels.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_never_show_an_id() {
        let limited = DirectoryRole {
            id: "5b3f2a1c-0000-4000-8000-000000000001".into(),
            display_name: None,
            role_template_id: None,
        };
        assert_eq!(
            TargetRoles::from_graph(vec![limited]).labels(),
            [UNNAMED_ROLE]
        );
    }

    const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
    const PAA: &str = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    const HELPDESK: &str = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    const USER_ADMIN: &str = "fe930be7-5e62-47db-91af-98c3a49a38b1";

    fn role(template: &str) -> DirectoryRole {
        DirectoryRole {
            id: format!("obj-{template}"),
            display_name: None,
            role_template_id: Some(template.to_owned()),
        }
    }

    fn limited() -> DirectoryRole {
        DirectoryRole {
            id: "5b3f2a1c-0000-4000-8000-000000000001".into(),
            display_name: None,
            role_template_id: None,
        }
    }

    fn roles(list: Vec<DirectoryRole>) -> TargetRoles {
        TargetRoles::from_graph(list)
    }

    #[test]
    fn every_lesser_role_alone_or_together_is_servable() {
        assert_eq!(LESSER_ROLES.len(), 8);
        for t in LESSER_ROLES {
            let r = roles(vec![role(t)]);
            assert!(r.beyond_authentication_administrator().is_empty(), "{t}");
            assert!(r.privileged().is_empty(), "{t}");
            let c = check("Pradeep", Capability::NonAdmins, Some(&r), None);
            assert_eq!(c, RoleCheck::default(), "{t}");
            // Every lesser role has a name: never a GUID on screen.
            assert!(messages::role_name(t).is_some(), "{t}");
        }
        let all = roles(LESSER_ROLES.iter().map(|t| role(t)).collect());
        assert!(!check("Pradeep", Capability::NonAdmins, Some(&all), None).privileged);
        let none = roles(vec![role(DEFAULT_USER_ROLE)]);
        assert!(none.is_empty());
    }

    #[test]
    fn any_other_role_blocks_an_authentication_administrator_only() {
        for t in [GA, PAA, HELPDESK, USER_ADMIN] {
            let r = roles(vec![role("966707d0-3269-4727-9be2-8c3a10f19b9d"), role(t)]);
            let c = check("Isaiah", Capability::NonAdmins, Some(&r), Some(60));
            assert_eq!(c.blocks.len(), 1, "{t}");
            assert!(c.blocks[0].contains(messages::role_name(t).expect("name")));
            assert!(
                !c.blocks[0].contains("Password Administrator"),
                "lesser roles not named as the reason"
            );
            for cap in [Capability::Everyone, Capability::Unknown, Capability::None] {
                let c = check("Isaiah", cap, Some(&r), Some(60));
                assert!(c.blocks.is_empty(), "{cap:?}: Graph decides");
                assert!(c.privileged);
                assert!(
                    c.warnings[0].contains("one-time pass with the shortest lifetime (60 minutes)")
                );
            }
        }
    }

    #[test]
    fn graph_s_display_name_counts_when_the_template_is_missing() {
        let by_name = DirectoryRole {
            id: "x".into(),
            display_name: Some("Password Administrator".into()),
            role_template_id: None,
        };
        assert_eq!(roles(vec![by_name]).privileged(), Vec::<String>::new());
        let other = DirectoryRole {
            id: "y".into(),
            display_name: Some("Exchange Administrator".into()),
            role_template_id: None,
        };
        let r = roles(vec![other]);
        assert_eq!(
            r.beyond_authentication_administrator(),
            ["Exchange Administrator"]
        );
    }

    #[test]
    fn unnamed_roles_warn_and_never_show_an_id() {
        let r = roles(vec![limited()]);
        assert_eq!(r.labels(), [UNNAMED_ROLE]);
        let c = check("Megan", Capability::NonAdmins, Some(&r), None);
        assert!(
            c.blocks.is_empty(),
            "limited information: warn, never block"
        );
        assert!(c.privileged);
        assert_eq!(c.warnings.len(), 2);
        assert!(c.warnings[0].contains("RoleManagement.Read.Directory"));
        assert!(
            c.warnings[1].starts_with("Megan holds an admin role. A pass"),
            "{}",
            c.warnings[1]
        );
        for w in &c.warnings {
            assert!(!w.contains("5b3f2a1c"), "no GUID: {w}");
        }
        let unknown_template = roles(vec![role("0f971eea-41eb-4569-a71e-57bb8a3eff1e")]);
        assert_eq!(unknown_template.labels(), [UNNAMED_ROLE]);
        assert_eq!(
            unknown_template.beyond_authentication_administrator(),
            [UNNAMED_ROLE],
            "a template outside the lesser list is beyond, even unnamed"
        );
    }

    #[test]
    fn unreadable_roles_warn() {
        let c = check("Megan", Capability::NonAdmins, None, None);
        assert!(c.blocks.is_empty() && !c.privileged);
        assert!(c.warnings[0].contains("could not be read"));
    }
}
