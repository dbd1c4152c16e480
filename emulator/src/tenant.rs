//! The mutable directory: users, groups, the TAP policy, issued passes, consent grants and the
//! event log, with the lookups Graph and the sign-in pages share.

use std::collections::{BTreeSet, HashMap};

use time::OffsetDateTime;

use crate::model::{Event, Group, PassRecord, PolicyState, TapPolicy, User};
use crate::seed;

/// Why a pass is or is not usable right now (Graph `methodUsabilityReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usability {
    /// Usable.
    EnabledByPolicy,
    /// The policy is off or no longer targets the owner.
    DisabledByPolicy,
    /// Past start + lifetime.
    Expired,
    /// Before its start.
    NotYetValid,
    /// A one-time pass that was used.
    OneTimeUsed,
}

impl Usability {
    /// The Graph string.
    pub fn as_str(self) -> &'static str {
        match self {
            Usability::EnabledByPolicy => "EnabledByPolicy",
            Usability::DisabledByPolicy => "DisabledByPolicy",
            Usability::Expired => "Expired",
            Usability::NotYetValid => "NotYetValid",
            Usability::OneTimeUsed => "OneTimeUsed",
        }
    }
}

/// The demo tenant's data.
#[derive(Clone, Debug)]
pub struct Tenant {
    /// All users.
    pub users: Vec<User>,
    /// All groups.
    pub groups: Vec<Group>,
    /// The TAP policy.
    pub policy: TapPolicy,
    /// The current pass of each user, by user id.
    pub passes: HashMap<String, PassRecord>,
    /// What happened, in order.
    pub events: Vec<Event>,
    /// Graph permissions (bare names) consented tenant-wide for the demo app.
    pub admin_grants: BTreeSet<String>,
    /// Graph permissions each user consented to for themselves, by user id.
    pub user_grants: HashMap<String, BTreeSet<String>>,
}

impl Tenant {
    /// A tenant from seed data.
    pub fn new(
        users: Vec<User>,
        groups: Vec<Group>,
        policy: TapPolicy,
        admin_consent: bool,
    ) -> Tenant {
        let admin_grants = if admin_consent {
            seed::ADMIN_CONSENTED_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            BTreeSet::new()
        };
        Tenant {
            users,
            groups,
            policy,
            passes: HashMap::new(),
            events: Vec::new(),
            admin_grants,
            user_grants: HashMap::new(),
        }
    }

    /// The user whose id or UPN equals `key` (ASCII case-insensitive), if any.
    pub fn find_user(&self, key: &str) -> Option<&User> {
        self.users.iter().find(|u| {
            u.id.eq_ignore_ascii_case(key) || u.user_principal_name.eq_ignore_ascii_case(key)
        })
    }

    /// True if and only if the user is a direct member of the group.
    pub fn is_member(&self, user_id: &str, group_id: &str) -> bool {
        self.groups
            .iter()
            .any(|g| g.id.eq_ignore_ascii_case(group_id) && g.members.iter().any(|m| m == user_id))
    }

    /// True if and only if the policy is enabled, includes the user (`all_users` or a group
    /// they are in) and does not exclude them.
    pub fn policy_allows(&self, user: &User) -> bool {
        let p = &self.policy;
        let included = p
            .include_targets
            .iter()
            .any(|t| t.id == "all_users" || self.is_member(&user.id, &t.id));
        let excluded = p
            .exclude_targets
            .iter()
            .any(|t| self.is_member(&user.id, &t.id));
        p.state == PolicyState::Enabled && included && !excluded
    }

    /// All Graph permissions consented for this user: tenant-wide plus their own.
    pub fn granted_scopes(&self, user_id: &str) -> BTreeSet<String> {
        let mut s = self.admin_grants.clone();
        if let Some(own) = self.user_grants.get(user_id) {
            s.extend(own.iter().cloned());
        }
        s
    }

    /// Usability of a pass at `now`.
    pub fn usability(&self, pass: &PassRecord, now: OffsetDateTime) -> Usability {
        let owner_allowed = self
            .users
            .iter()
            .find(|u| u.id == pass.user_id)
            .is_some_and(|u| self.policy_allows(u));
        let end =
            pass.start_date_time + time::Duration::minutes(i64::from(pass.lifetime_in_minutes));
        if !owner_allowed {
            Usability::DisabledByPolicy
        } else if pass.is_usable_once && pass.used {
            Usability::OneTimeUsed
        } else if now < pass.start_date_time {
            Usability::NotYetValid
        } else if now >= end {
            Usability::Expired
        } else {
            Usability::EnabledByPolicy
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ExcludeTarget;

    #[test]
    fn policy_targets_and_exclusions() {
        let mut t = seed::demo_tenant(true);
        let nestor = t
            .find_user("nestor.wilke@contoso.onmicrosoft.com")
            .cloned()
            .expect("nestor");
        assert!(t.policy_allows(&nestor));
        t.policy.exclude_targets.push(ExcludeTarget {
            target_type: "group".into(),
            id: seed::GROUP_TAP_EXCLUDED.into(),
        });
        assert!(!t.policy_allows(&nestor));
        t.policy.include_targets[0].id = seed::GROUP_NEW_HIRES.into();
        let pradeep = t
            .find_user("pradeep.gupta@contoso.onmicrosoft.com")
            .cloned()
            .expect("p");
        let diego = t
            .find_user("diego.siciliani@contoso.onmicrosoft.com")
            .cloned()
            .expect("d");
        assert!(t.policy_allows(&pradeep));
        assert!(!t.policy_allows(&diego));
    }
}
