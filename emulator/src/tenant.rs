//! The mutable directory: users, groups, the TAP policy, issued passes, consent grants, the
//! directory audit log and the event log, with the lookups Graph and the sign-in pages share.

use std::collections::{BTreeSet, HashMap, HashSet};

use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::model::{Event, Group, PassRecord, PolicyState, TapPolicy, User};

/// Graph permissions the tenant's admin consented to for the demo app (when
/// `admin_consent_granted` is on).
pub const ADMIN_CONSENTED_SCOPES: &[&str] = &[
    "User.Read.All",
    "User.ReadBasic.All",
    "UserAuthenticationMethod.Read.All",
    "UserAuthMethod-TAP.ReadWrite.All",
    "Policy.Read.AuthenticationMethod",
];

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
    /// The directory audit log, oldest first (Graph lists it newest first).
    pub audit: Vec<AuditRecord>,
    /// Graph permissions (bare names) consented tenant-wide for the demo app.
    pub admin_grants: BTreeSet<String>,
    /// Graph permissions each user consented to for themselves, by user id.
    pub user_grants: HashMap<String, BTreeSet<String>>,
    /// Lower-case id and UPN → index into `users`, so lookups stay O(1) with thousands of
    /// users (checked on use; a stale entry falls back to a scan).
    user_index: HashMap<String, usize>,
    /// Administrative units, unit-scoped and PIM-eligible role grants (issue 16).
    pub units: crate::units::Units,
    /// QR code + PIN methods and the `qrCodePin` policy (issue 16).
    pub qr: crate::qr::QrStore,
    /// The passkey (FIDO2) configuration, authentication strengths and Conditional Access
    /// policies (issue 15).
    pub passkeys: crate::model::passkeys::PasskeyPolicies,
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
            ADMIN_CONSENTED_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut user_index = HashMap::new();
        for (i, u) in users.iter().enumerate() {
            user_index.insert(u.id.to_ascii_lowercase(), i);
            user_index.insert(u.user_principal_name.to_ascii_lowercase(), i);
        }
        Tenant {
            users,
            groups,
            policy,
            passes: HashMap::new(),
            events: Vec::new(),
            audit: Vec::new(),
            admin_grants,
            user_grants: HashMap::new(),
            user_index,
            units: crate::units::Units::default(),
            qr: crate::qr::QrStore::default(),
            passkeys: Default::default(),
        }
    }

    fn user_position(&self, key: &str) -> Option<usize> {
        let is = |u: &User| {
            u.id.eq_ignore_ascii_case(key) || u.user_principal_name.eq_ignore_ascii_case(key)
        };
        match self.user_index.get(&key.to_ascii_lowercase()) {
            Some(&i) if self.users.get(i).is_some_and(is) => Some(i),
            _ => self.users.iter().position(is),
        }
    }

    /// The user whose id or UPN equals `key` (ASCII case-insensitive), if any.
    pub fn find_user(&self, key: &str) -> Option<&User> {
        self.user_position(key).and_then(|i| self.users.get(i))
    }

    /// Mutable access to the user whose id or UPN equals `key`.
    pub fn find_user_mut(&mut self, key: &str) -> Option<&mut User> {
        self.user_position(key).and_then(|i| self.users.get_mut(i))
    }

    /// The group with this id (case-insensitive), if any.
    pub fn find_group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id.eq_ignore_ascii_case(id))
    }

    /// True if and only if the user is a direct member of the group.
    pub fn is_member(&self, user_id: &str, group_id: &str) -> bool {
        self.find_group(group_id)
            .is_some_and(|g| g.members.iter().any(|m| m == user_id))
    }

    /// Ids of every group the user belongs to, directly or through nested groups.
    pub fn transitive_group_ids(&self, user_id: &str) -> BTreeSet<String> {
        let mut set: BTreeSet<String> = self
            .groups
            .iter()
            .filter(|g| g.members.iter().any(|m| m == user_id))
            .map(|g| g.id.clone())
            .collect();
        // Walk up: a group containing a group we are in contains us too (cycles end the loop
        // because the set only grows).
        loop {
            let parents: Vec<String> = self
                .groups
                .iter()
                .filter(|g| !set.contains(&g.id) && g.group_members.iter().any(|c| set.contains(c)))
                .map(|g| g.id.clone())
                .collect();
            if parents.is_empty() {
                return set;
            }
            set.extend(parents);
        }
    }

    /// True if and only if the user is in the group directly or through nested groups.
    pub fn is_transitive_member(&self, user_id: &str, group_id: &str) -> bool {
        self.transitive_group_ids(user_id)
            .iter()
            .any(|g| g.eq_ignore_ascii_case(group_id))
    }

    /// Every user id in the group or its nested groups, once each, direct members first.
    pub fn transitive_user_ids(&self, group_id: &str) -> Vec<String> {
        let mut seen_groups = HashSet::new();
        let mut seen_users = HashSet::new();
        let mut out = vec![];
        let mut queue = std::collections::VecDeque::from([group_id.to_ascii_lowercase()]);
        while let Some(gid) = queue.pop_front() {
            if !seen_groups.insert(gid.clone()) {
                continue;
            }
            let Some(g) = self.find_group(&gid) else {
                continue;
            };
            for m in &g.members {
                if seen_users.insert(m.clone()) {
                    out.push(m.clone());
                }
            }
            queue.extend(g.group_members.iter().map(|c| c.to_ascii_lowercase()));
        }
        out
    }

    /// True if and only if the policy is enabled, includes the user (`all_users` or a group
    /// they are in, nested groups included) and does not exclude them.
    pub fn policy_allows(&self, user: &User) -> bool {
        let p = &self.policy;
        if p.state != PolicyState::Enabled {
            return false;
        }
        let in_groups = self.transitive_group_ids(&user.id);
        let member = |id: &str| in_groups.iter().any(|g| g.eq_ignore_ascii_case(id));
        let included = p
            .include_targets
            .iter()
            .any(|t| t.id == "all_users" || member(&t.id));
        let excluded = p.exclude_targets.iter().any(|t| member(&t.id));
        included && !excluded
    }

    /// Removes a Graph permission from the tenant-wide grant and from the user's own grant.
    /// Returns true if and only if either held it.
    pub fn withdraw_consent(&mut self, user_id: &str, permission: &str) -> bool {
        let tenant = self.admin_grants.remove(permission);
        let own = self
            .user_grants
            .get_mut(user_id)
            .is_some_and(|g| g.remove(permission));
        tenant || own
    }

    /// All Graph permissions consented for this user: tenant-wide plus their own.
    pub fn granted_scopes(&self, user_id: &str) -> BTreeSet<String> {
        let mut s = self.admin_grants.clone();
        if let Some(own) = self.user_grants.get(user_id) {
            s.extend(own.iter().cloned());
        }
        s
    }

    /// Appends users (ids and UPNs must be new) and indexes them.
    pub fn add_users(&mut self, users: Vec<User>) {
        for u in users {
            let i = self.users.len();
            self.user_index.insert(u.id.to_ascii_lowercase(), i);
            self.user_index
                .insert(u.user_principal_name.to_ascii_lowercase(), i);
            self.users.push(u);
        }
    }

    /// Usability of a pass at `now`.
    pub fn usability(&self, pass: &PassRecord, now: OffsetDateTime) -> Usability {
        let owner_allowed = self
            .find_user(&pass.user_id)
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
    use crate::model::ExcludeTarget;
    use crate::seed;

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
