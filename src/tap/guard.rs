//! What protects a pass that is on screen and what the single-user form offers for the admin's
//! role: when Done must ask first, what a replacement or a switch to another user says, what a
//! live region announces (never the pass), and whether Create is offered at all.

use crate::messages::Capability;

/// What the admin did with the pass on screen so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Handled {
    /// Reveal was pressed at least once.
    pub revealed: bool,
    /// The pass, or a hand-over message holding it, was copied.
    pub copied: bool,
    /// A hand-over message holding it was sent.
    pub sent: bool,
}

impl Handled {
    /// True if and only if closing the pass now would lose it unseen: it was neither revealed,
    /// copied nor sent, so Done asks first.
    pub fn done_asks(&self) -> bool {
        !(self.revealed || self.copied || self.sent)
    }
}

/// What Done asks when the pass was never revealed, copied or sent.
pub const DONE_UNSEEN: &str =
    "You have not revealed, copied or sent this pass. Close it anyway? It cannot be shown again.";

/// The collapsed create form's button while a new pass is on screen.
pub const CREATE_ANOTHER: &str = "Create another pass…";

/// What "Create another pass…" asks, naming the user whose pass would be replaced.
pub fn replace_question(name: &str) -> String {
    format!("Replace the pass you just created for {name}? The pass on screen stops working and {name} gets a new one.")
}

/// What opening another user asks while `name`'s new pass is on screen.
pub fn leave_question(name: &str, other: &str) -> String {
    format!("The new pass for {name} is still on screen and cannot be shown again. Close it and open {other}?")
}

/// What the live region says once a pass is created (never the pass itself).
pub fn created_announcement(name: &str) -> String {
    format!("Pass created for {name}")
}

/// What the live region says once a pass is deleted.
pub const DELETED_ANNOUNCEMENT: &str = "Pass deleted";

/// Why the admin's role cannot create passes from this page, naming who can; `None` when the
/// role may (or when the sign-in did not list roles: then Graph decides).
pub fn create_refusal(capability: Capability) -> Option<&'static str> {
    match capability {
        Capability::ReadOnly => Some(READER_REFUSED),
        Capability::None => Some(NO_ROLE_REFUSED),
        Capability::Everyone | Capability::NonAdmins | Capability::Unknown => None,
    }
}

/// Said to a Global Reader on the user page.
pub const READER_REFUSED: &str = "As a Global Reader you can see this user's pass but not create or delete one: an Authentication Administrator (users without admin roles) or a Privileged Authentication Administrator (everyone) can.";

/// Said to an account whose sign-in lists no role that issues passes.
pub const NO_ROLE_REFUSED: &str = "Your sign-in lists no role that issues passes: an Authentication Administrator (users without admin roles) or a Privileged Authentication Administrator (everyone) can. A role scoped to an administrative unit or eligible in PIM is not listed: activate it and sign in again.";

/// True if and only if the admin's role lets them delete a pass (the same roles as creating).
pub fn may_delete(capability: Capability) -> bool {
    create_refusal(capability).is_none()
}

/// Why this admin may not serve `name` at all, naming who can (an Authentication
/// Administrator and a target holding a role beyond theirs); `None` when Graph decides.
pub fn target_refusal(
    name: &str,
    capability: Capability,
    roles: Option<&super::targets::TargetRoles>,
) -> Option<String> {
    super::targets::check(name, capability, roles, None)
        .blocks
        .into_iter()
        .next()
}

/// The roles that can use `permission` on this page (delegated: the permission and a role),
/// as Microsoft Learn lists them for the calls behind it; `None` when any signed-in admin can.
/// Policy write: "Update temporaryAccessPassAuthenticationMethodConfiguration"; audit log:
/// "List directoryAudits".
pub fn roles_using(permission: &str) -> Option<&'static [&'static str]> {
    use crate::permission::{AUDIT_LOG_READ, POLICY_WRITE};
    if permission.eq_ignore_ascii_case(POLICY_WRITE.name) {
        Some(&[
            "Authentication Policy Administrator",
            "Global Administrator",
        ])
    } else if permission.eq_ignore_ascii_case(AUDIT_LOG_READ.name) {
        Some(&[
            "Reports Reader",
            "Security Reader",
            "Security Operator",
            "Security Administrator",
            "Global Reader",
            "Global Administrator",
        ])
    } else if permission.eq_ignore_ascii_case(crate::permission::POLICY_READ_ALL.name) {
        // Learn, "List policies" (conditionalAccessRoot): the roles that read Conditional Access.
        Some(&[
            "Conditional Access Administrator",
            "Security Reader",
            "Security Administrator",
            "Global Secure Access Administrator",
            "Global Reader",
            "Global Administrator",
        ])
    } else {
        None
    }
}

/// Whether to offer "Grant permission" for `permission` to an admin holding `roles` (template
/// ids from `wids`; `None` when the sign-in did not list them: then it is offered and Graph
/// decides). `Err` holds the sentence naming the roles that can use it.
pub fn grant_offer(permission: &str, roles: Option<&[String]>) -> Result<(), String> {
    let (Some(needed), Some(roles)) = (roles_using(permission), roles) else {
        return Ok(());
    };
    let held = |name: &str| {
        roles
            .iter()
            .any(|r| crate::messages::role_name(r) == Some(name))
    };
    if needed.iter().any(|n| held(n)) {
        return Ok(());
    }
    let (last, first) = needed.split_last().unwrap_or((&"", &[]));
    let names = if first.is_empty() {
        (*last).to_owned()
    } else {
        format!("{} or {last}", first.join(", "))
    };
    Err(format!(
        "Your roles cannot use this permission, so granting it would not help: ask someone with the role {names}."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::models::DirectoryRole;
    use crate::tap::targets::TargetRoles;

    #[test]
    fn grant_is_offered_only_to_roles_that_can_use_the_permission() {
        use crate::permission::{AUDIT_LOG_READ, GROUP_MEMBERS_READ, POLICY_WRITE};
        let ids = |names: &[&str]| -> Vec<String> {
            crate::messages::ROLES
                .iter()
                .filter(|(_, n)| names.contains(n))
                .map(|(id, _)| (*id).to_owned())
                .collect()
        };
        let adele = ids(&["Authentication Administrator"]);
        let refused = grant_offer(POLICY_WRITE.name, Some(&adele)).expect_err("refused");
        assert!(refused.ends_with("Authentication Policy Administrator or Global Administrator."));
        assert!(grant_offer(AUDIT_LOG_READ.name, Some(&adele))
            .is_err_and(|e| e.contains("Reports Reader")));
        let lynne = ids(&["Authentication Policy Administrator"]);
        assert_eq!(grant_offer(POLICY_WRITE.name, Some(&lynne)), Ok(()));
        let grady = ids(&["Global Reader"]);
        assert_eq!(grant_offer(AUDIT_LOG_READ.name, Some(&grady)), Ok(()));
        assert!(grant_offer(POLICY_WRITE.name, Some(&grady)).is_err());
        // Without wids Graph decides; a permission any admin can use is always offered.
        assert_eq!(grant_offer(POLICY_WRITE.name, None), Ok(()));
        assert_eq!(grant_offer(GROUP_MEMBERS_READ.name, Some(&[])), Ok(()));
    }

    #[test]
    fn an_authentication_administrator_is_not_offered_an_admin_target() {
        let user_admin = TargetRoles::from_graph(vec![DirectoryRole {
            id: "r".into(),
            display_name: None,
            role_template_id: Some("fe930be7-5e62-47db-91af-98c3a49a38b1".into()),
        }]);
        let r =
            target_refusal("Isaiah", Capability::NonAdmins, Some(&user_admin)).expect("refused");
        assert!(r.contains("a Privileged Authentication Administrator can"));
        assert_eq!(
            target_refusal("Isaiah", Capability::Everyone, Some(&user_admin)),
            None
        );
        assert_eq!(target_refusal("Isaiah", Capability::NonAdmins, None), None);
        assert_eq!(
            target_refusal(
                "Pradeep",
                Capability::NonAdmins,
                Some(&TargetRoles::default())
            ),
            None
        );
    }

    #[test]
    fn done_asks_only_when_the_pass_was_never_revealed_copied_or_sent() {
        assert!(Handled::default().done_asks());
        for h in [
            Handled {
                revealed: true,
                ..Handled::default()
            },
            Handled {
                copied: true,
                ..Handled::default()
            },
            Handled {
                sent: true,
                ..Handled::default()
            },
        ] {
            assert!(!h.done_asks(), "{h:?}");
        }
    }

    #[test]
    fn questions_name_the_users_and_announcements_never_the_pass() {
        assert!(replace_question("Pradeep Gupta").contains("for Pradeep Gupta?"));
        let leave = leave_question("Pradeep Gupta", "Diego Siciliani");
        assert!(leave.contains("for Pradeep Gupta") && leave.contains("open Diego Siciliani?"));
        assert_eq!(
            created_announcement("Pradeep Gupta"),
            "Pass created for Pradeep Gupta"
        );
    }

    #[test]
    fn readers_and_role_less_accounts_get_no_create_and_are_told_who_can() {
        for c in [Capability::ReadOnly, Capability::None] {
            let r = create_refusal(c).expect("refused");
            assert!(
                r.contains("Privileged Authentication Administrator"),
                "{c:?}"
            );
            assert!(!may_delete(c));
        }
        for c in [
            Capability::Everyone,
            Capability::NonAdmins,
            Capability::Unknown,
        ] {
            assert_eq!(create_refusal(c), None, "{c:?}");
            assert!(may_delete(c));
        }
    }

    #[test]
    fn reading_conditional_access_is_offered_to_the_roles_that_read_it() {
        let paa = vec!["7be44c8a-adaf-4e2a-84d6-ab2649e08a13".to_string()];
        let who = grant_offer(crate::permission::POLICY_READ_ALL.name, Some(&paa))
            .expect_err("a Privileged Authentication Administrator cannot read Conditional Access");
        assert!(who.contains("Conditional Access Administrator"), "{who}");
        let ca_admin = vec!["b1be1c3e-b65d-4f19-8427-f6fa0d97feb9".to_string()];
        assert!(grant_offer(crate::permission::POLICY_READ_ALL.name, Some(&ca_admin)).is_ok());
        assert!(grant_offer(crate::permission::POLICY_READ_ALL.name, None).is_ok());
    }
}
