//! Pass logic under the views: the policy's bounds for the create form and what a pass's state means.

use crate::graph::models::{PolicyState, TapPolicy, TemporaryAccessPass, UsabilityReason};
use crate::graph::time;

pub mod form;
pub mod guard;
pub mod lost;
pub mod targets;

pub use targets::{RoleCheck, TargetRoles};

/// Graph's own limits on `lifetimeInMinutes`, used when the policy could not be read.
pub const GRAPH_MIN_LIFETIME: u32 = 10;
/// See [`GRAPH_MIN_LIFETIME`].
pub const GRAPH_MAX_LIFETIME: u32 = 43_200;

/// What the create form may offer, from the tenant policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormBounds {
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub default_minutes: u32,
    /// The policy makes every pass one-time: the toggle is locked on.
    pub one_time_forced: bool,
    /// The one-time toggle's initial value.
    pub one_time_default: bool,
    /// False when the policy is disabled: creating will fail.
    pub enabled: bool,
    /// True when the bounds come from the tenant policy (false: Graph's limits, the policy was unreadable).
    pub from_policy: bool,
}

impl FormBounds {
    /// Bounds from the tenant policy, or Graph's limits when it is unknown.
    pub fn new(policy: Option<&TapPolicy>) -> FormBounds {
        let Some(p) = policy else {
            return FormBounds {
                min_minutes: GRAPH_MIN_LIFETIME,
                max_minutes: GRAPH_MAX_LIFETIME,
                default_minutes: 60,
                one_time_forced: false,
                one_time_default: true,
                enabled: true,
                from_policy: false,
            };
        };
        let clamp = |v: u32| v.clamp(GRAPH_MIN_LIFETIME, GRAPH_MAX_LIFETIME);
        let min = clamp(p.minimum_lifetime_in_minutes.unwrap_or(60));
        let max = clamp(p.maximum_lifetime_in_minutes.unwrap_or(480)).max(min);
        let default = clamp(p.default_lifetime_in_minutes.unwrap_or(min)).clamp(min, max);
        let forced = p.is_usable_once.unwrap_or(false);
        FormBounds {
            min_minutes: min,
            max_minutes: max,
            default_minutes: default,
            one_time_forced: forced,
            // Safe default: one-time unless the admin chooses otherwise.
            one_time_default: true,
            enabled: p.state == PolicyState::Enabled,
            from_policy: true,
        }
    }

    /// Checks a lifetime typed by the admin; the error says the allowed range.
    pub fn check_lifetime(&self, minutes: Option<u32>) -> Result<u32, String> {
        match minutes {
            Some(m) if (self.min_minutes..=self.max_minutes).contains(&m) => Ok(m),
            _ => Err(format!(
                "Choose a lifetime between {} and {}{}.",
                duration_words(self.min_minutes),
                duration_words(self.max_minutes),
                if self.from_policy {
                    " (your tenant's policy)"
                } else {
                    ""
                }
            )),
        }
    }
}

// Durations in words live with the other sentences (messages must not import tap).
pub use crate::messages::duration_words;

/// Returns the time left in words: "21 h 15 min", "4 min 5 s", "0 s" when over
/// ([`crate::messages::countdown_words`], the page's one countdown wording).
pub fn countdown(ms_left: f64) -> String {
    crate::messages::countdown_words(ms_left)
}

/// A pass as the admin should understand it.
#[derive(Clone, Debug, PartialEq)]
pub struct PassStatus {
    pub usable: bool,
    /// One sentence: why it is (not) usable.
    pub reason: String,
    pub starts_ms: Option<f64>,
    pub ends_ms: Option<f64>,
    pub one_time: bool,
}

/// Describes `pass` at `now_ms`, trusting Graph's `isUsable`/`methodUsabilityReason` when present.
pub fn status(pass: &TemporaryAccessPass, now_ms: f64) -> PassStatus {
    let starts = pass.start_date_time.as_deref().and_then(time::parse_ms);
    let ends = starts
        .zip(pass.lifetime_in_minutes)
        .map(|(s, m)| s + f64::from(m) * 60_000.0);
    let computed = match (starts, ends) {
        (Some(s), _) if now_ms < s => UsabilityReason::NotYetValid,
        (_, Some(e)) if now_ms >= e => UsabilityReason::Expired,
        _ => UsabilityReason::EnabledByPolicy,
    };
    let reason = pass.method_usability_reason.unwrap_or(computed);
    let usable = pass
        .is_usable
        .unwrap_or(reason == UsabilityReason::EnabledByPolicy);
    let text = match reason {
        UsabilityReason::EnabledByPolicy if usable => "Usable now.",
        UsabilityReason::EnabledByPolicy => "Not usable.",
        UsabilityReason::NotYetValid => "Not usable yet: its start time has not come.",
        UsabilityReason::Expired => "Expired: its lifetime is over.",
        UsabilityReason::OneTimeUsed => "Used: it was a one-time pass and has been signed in with.",
        UsabilityReason::DisabledByPolicy => "Blocked: the tenant's Temporary Access Pass policy is disabled or no longer covers this user.",
        UsabilityReason::Unknown => "Graph reports a state this page does not know.",
    };
    PassStatus {
        usable,
        reason: text.to_owned(),
        starts_ms: starts,
        ends_ms: ends,
        one_time: pass.is_usable_once.unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(min: u32, def: u32, max: u32, once: bool, state: PolicyState) -> TapPolicy {
        TapPolicy {
            state,
            default_lifetime_in_minutes: Some(def),
            default_length: Some(8),
            minimum_lifetime_in_minutes: Some(min),
            maximum_lifetime_in_minutes: Some(max),
            is_usable_once: Some(once),
            include_targets: vec![],
            exclude_targets: vec![],
        }
    }

    #[test]
    fn bounds_follow_the_policy() {
        let b = FormBounds::new(Some(&policy(60, 120, 480, true, PolicyState::Enabled)));
        assert_eq!(
            (b.min_minutes, b.default_minutes, b.max_minutes),
            (60, 120, 480)
        );
        assert!(b.one_time_forced && b.enabled && b.from_policy);
        assert_eq!(b.check_lifetime(Some(480)), Ok(480));
        assert_eq!(b.check_lifetime(Some(60)), Ok(60));
        let err = b.check_lifetime(Some(481)).unwrap_err();
        assert_eq!(
            err,
            "Choose a lifetime between 1 hour and 8 hours (your tenant's policy)."
        );
        assert!(b.check_lifetime(Some(59)).is_err());
        assert!(b.check_lifetime(None).is_err());
        assert!(!FormBounds::new(Some(&policy(60, 60, 480, false, PolicyState::Disabled))).enabled);
    }

    #[test]
    fn inconsistent_policies_are_made_safe() {
        let b = FormBounds::new(Some(&policy(600, 30, 120, false, PolicyState::Enabled)));
        assert_eq!(
            (b.min_minutes, b.default_minutes, b.max_minutes),
            (600, 600, 600)
        );
        let b = FormBounds::new(Some(&policy(1, 5, 99_999, false, PolicyState::Enabled)));
        assert_eq!(
            (b.min_minutes, b.default_minutes, b.max_minutes),
            (10, 10, 43_200)
        );
    }

    #[test]
    fn unknown_policy_uses_graph_limits() {
        let b = FormBounds::new(None);
        assert_eq!(
            (b.min_minutes, b.max_minutes, b.from_policy),
            (10, 43_200, false)
        );
        assert_eq!(
            b.check_lifetime(Some(5)).unwrap_err(),
            "Choose a lifetime between 10 minutes and 30 days."
        );
    }

    #[test]
    fn words_and_countdown() {
        assert_eq!(duration_words(0), "0 minutes");
        assert_eq!(duration_words(61), "1 hour 1 minute");
        assert_eq!(duration_words(1440 + 120), "1 day 2 hours");
        assert_eq!(countdown(7_199_999.0), "2 h");
        assert_eq!(countdown(245_000.0), "4 min 5 s");
        assert_eq!(countdown(-5.0), "0 s");
    }

    fn pass(
        start: &str,
        minutes: u32,
        reason: Option<UsabilityReason>,
        usable: Option<bool>,
    ) -> TemporaryAccessPass {
        serde_json::from_value(serde_json::json!({
            "id": "p", "startDateTime": start, "lifetimeInMinutes": minutes, "isUsableOnce": true,
            "methodUsabilityReason": reason, "isUsable": usable,
        }))
        .unwrap()
    }

    #[test]
    fn status_computes_when_graph_is_silent() {
        let start = time::parse_ms("2026-11-27T09:00:00Z").unwrap();
        let p = pass("2026-11-27T09:00:00Z", 120, None, None);
        let before = status(&p, start - 1.0);
        assert!(!before.usable && before.reason.starts_with("Not usable yet"));
        assert_eq!(before.ends_ms, Some(start + 7_200_000.0));
        assert!(status(&p, start + 1.0).usable);
        assert!(status(&p, start + 7_200_000.0)
            .reason
            .starts_with("Expired"));
        assert!(status(&p, start).one_time);
    }

    #[test]
    fn status_trusts_graph() {
        let p = pass(
            "2026-11-27T09:00:00Z",
            120,
            Some(UsabilityReason::OneTimeUsed),
            Some(false),
        );
        let s = status(&p, 0.0);
        assert!(!s.usable && s.reason.starts_with("Used"));
    }
}

/// Whether the TAP policy covers a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Included and not excluded.
    Covered,
    /// In a group the policy excludes.
    Excluded,
    /// Not in any group the policy includes.
    NotIncluded,
    /// Not known: the policy names groups and their membership could not be read (the token
    /// has no group permission, or `checkMemberGroups` answered 403). Never blocks: Graph
    /// still enforces the policy when the pass is created.
    Unknown,
}

/// Permissions that let `checkMemberGroups` read a user's groups (Learn, user:
/// checkMemberGroups: a user permission *and* one of these). The page asks for
/// `GroupMember.Read.All` (`config::GROUP_PERMISSION`) when an admin picks a group.
pub const MEMBERSHIP_PERMISSIONS: &[&str] = &[
    crate::permission::GROUP_MEMBERS_READ.name,
    "Group.Read.All",
    crate::permission::DIRECTORY_READ.name,
];

/// Returns the group ids whose membership decides coverage; empty when the policy covers everyone.
pub fn groups_to_check(policy: &crate::graph::models::TapPolicy) -> Vec<String> {
    let all_users = policy.include_targets.iter().any(|t| t.id == "all_users");
    let mut ids: Vec<String> = policy
        .exclude_targets
        .iter()
        .map(|t| t.id.clone())
        .collect();
    if !all_users {
        ids.extend(policy.include_targets.iter().map(|t| t.id.clone()));
    }
    ids.sort();
    ids.dedup();
    ids
}

/// Returns the coverage of a user who is a member of `member_of` (among [`groups_to_check`]).
pub fn coverage(policy: &crate::graph::models::TapPolicy, member_of: &[String]) -> Coverage {
    if policy
        .exclude_targets
        .iter()
        .any(|t| member_of.contains(&t.id))
    {
        return Coverage::Excluded;
    }
    let included = policy
        .include_targets
        .iter()
        .any(|t| t.id == "all_users" || member_of.contains(&t.id));
    if included {
        Coverage::Covered
    } else {
        Coverage::NotIncluded
    }
}

/// Returns what stands before creating a pass for `name`: reasons Graph will refuse (the
/// target's roles for an Authentication Administrator, policy coverage), warnings (privileged
/// targets, roles Graph did not name or that could not be read) and whether the target is
/// privileged. `roles` is `None` when they could not be read; `shortest_minutes` is the
/// policy's shortest lifetime, suggested for privileged targets.
pub fn target_check(
    name: &str,
    capability: crate::messages::Capability,
    roles: Option<&TargetRoles>,
    coverage: Coverage,
    shortest_minutes: Option<u32>,
) -> RoleCheck {
    let mut out = targets::check(name, capability, roles, shortest_minutes);
    match coverage {
        Coverage::Covered => {}
        Coverage::Excluded => out.blocks.push(format!(
            "{name} is in a group the Temporary Access Pass policy excludes, so Graph will refuse a pass. Remove them from that group, or ask an Authentication Policy Administrator to change the policy."
        )),
        Coverage::NotIncluded => out.blocks.push(format!(
            "{name} is not in any group the Temporary Access Pass policy includes, so Graph will refuse a pass. Add them to an included group, or ask an Authentication Policy Administrator to change the policy."
        )),
        Coverage::Unknown => out
            .warnings
            .push(crate::messages::coverage_unknown(Some(name))),
    }
    out
}

/// Every sentence of [`target_check`] for the user page, reasons Graph will refuse first.
pub fn target_warnings(
    name: &str,
    capability: crate::messages::Capability,
    roles: Option<&TargetRoles>,
    coverage: Coverage,
    shortest_minutes: Option<u32>,
) -> Vec<String> {
    let c = target_check(name, capability, roles, coverage, shortest_minutes);
    c.blocks.into_iter().chain(c.warnings).collect()
}

#[cfg(test)]
mod coverage_tests {
    use super::*;
    use crate::graph::models::{PolicyTarget, TapPolicy};
    use crate::messages::Capability;

    fn policy(include: &[&str], exclude: &[&str]) -> TapPolicy {
        let t = |ids: &[&str]| {
            ids.iter()
                .map(|id| PolicyTarget {
                    target_type: Some("group".into()),
                    id: (*id).into(),
                    is_registration_required: None,
                })
                .collect()
        };
        TapPolicy {
            state: crate::graph::models::PolicyState::Enabled,
            default_lifetime_in_minutes: None,
            default_length: None,
            minimum_lifetime_in_minutes: None,
            maximum_lifetime_in_minutes: None,
            is_usable_once: None,
            include_targets: t(include),
            exclude_targets: t(exclude),
        }
    }

    #[test]
    fn all_users_needs_only_the_exclusions_checked() {
        let p = policy(&["all_users"], &["g-ex"]);
        assert_eq!(groups_to_check(&p), vec!["g-ex"]);
        assert!(groups_to_check(&policy(&["all_users"], &[])).is_empty());
        assert_eq!(coverage(&p, &[]), Coverage::Covered);
        assert_eq!(coverage(&p, &["g-ex".into()]), Coverage::Excluded);
    }

    #[test]
    fn group_targets_need_membership() {
        let p = policy(&["g-in"], &[]);
        assert_eq!(groups_to_check(&p), vec!["g-in"]);
        assert_eq!(coverage(&p, &[]), Coverage::NotIncluded);
        assert_eq!(coverage(&p, &["g-in".into()]), Coverage::Covered);
    }

    #[test]
    fn warnings_name_roles_only_for_authentication_administrators() {
        let roles = TargetRoles(vec![targets::TargetRole {
            template_id: Some("fe930be7-5e62-47db-91af-98c3a49a38b1".into()),
            name: Some("User Administrator".into()),
        }]);
        let w = target_warnings(
            "Isaiah Langer",
            Capability::NonAdmins,
            Some(&roles),
            Coverage::Covered,
            None,
        );
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("User Administrator")
                && w[0].contains("Privileged Authentication Administrator")
        );
        let c = target_check(
            "Isaiah Langer",
            Capability::Everyone,
            Some(&roles),
            Coverage::Covered,
            Some(60),
        );
        assert!(
            c.blocks.is_empty() && c.privileged,
            "a privileged target: warned, not blocked"
        );
        let empty = TargetRoles::default();
        let c = target_check(
            "Nestor",
            Capability::Everyone,
            Some(&empty),
            Coverage::Excluded,
            None,
        );
        assert!(c.blocks[0].contains("excludes") && !c.privileged);
    }
}
