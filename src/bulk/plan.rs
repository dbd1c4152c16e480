//! The dry run's verdict on each row: ready, ready with warnings, or blocked with the reason,
//! decided from what the lookups found and the tenant policy; and the create body for a row.
//!
//! Blocked is for what Graph would refuse (or what must not be done: a pass for yourself);
//! warnings are for what will happen but the admin should know (a pass being replaced).
//! Whether a start is in the past is not decided here: it needs the browser's clock and time
//! zones ([`needs_time_zone_check`]).

use super::input::Row;
use crate::graph::models::{NewPass, PolicyState, TapPolicy, TemporaryAccessPass, User};
use crate::graph::{time, GraphError};
use crate::messages::{self, Capability, Operation};
use crate::tap::{self, Coverage, FormBounds, RoleCheck, TargetRoles};

/// What the dry run learnt about one row's user.
#[derive(Clone, Debug, Default)]
pub struct Lookup {
    /// `None`: no such user (Graph answered 404), or not looked up.
    pub user: Option<User>,
    /// The user's current pass, if any.
    pub existing: Option<TemporaryAccessPass>,
    /// The admin roles the user holds (the default user role excluded); empty when not looked
    /// up. A failed role lookup is a `lookup_error`.
    pub roles: TargetRoles,
    /// The ids among `tap::groups_to_check(policy)` the user is a member of.
    pub member_of: Vec<String>,
    /// A lookup that failed for another reason than "no such user".
    pub lookup_error: Option<GraphError>,
    /// The policy names groups and the user's membership could not be read (no group
    /// permission in the token, or `checkMemberGroups` answered 403): a warning, never a block.
    pub coverage_unknown: bool,
    /// The administrative units the user is in, read for an admin scoped to units (issue 16);
    /// `None` when not read (then Graph decides).
    pub units: Option<Vec<crate::graph::api::AdministrativeUnit>>,
}

/// The dry run's decision on a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Ready,
    /// Will be created; each string is a sentence the admin should read first.
    Warn(Vec<String>),
    /// Will not be sent; the sentence says why and what to do.
    Blocked(String),
    /// A privileged target (an admin role beyond the lesser ones): created only when the admin
    /// ticks "Also create passes for admin accounts"; the sentences say why to look twice.
    Confirm(Vec<String>),
}

/// Values for rows that leave a column blank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Defaults {
    /// `None`: the policy's default lifetime (Graph applies it).
    pub lifetime_minutes: Option<u32>,
    /// Ignored when the policy forces one-time passes.
    pub one_time: bool,
}

/// Everything a verdict depends on besides the row and its lookup.
#[derive(Clone, Debug)]
pub struct PlanContext<'a> {
    pub bounds: &'a FormBounds,
    /// `None` when the policy could not be read: coverage is then left to Graph.
    pub policy: Option<&'a TapPolicy>,
    pub capability: Capability,
    /// The signed-in admin's object id: nobody may create their own pass.
    pub admin_object_id: &'a str,
    pub defaults: Defaults,
    /// The admin's scope once read (issue 16): a target out of reach is blocked with the
    /// reason; `None` (or a tenant-wide scope) changes nothing.
    pub scope: Option<&'a crate::scope::Known>,
}

/// How many rows got each kind of verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub ready: usize,
    pub warn: usize,
    pub blocked: usize,
    /// Privileged targets waiting for the admin's explicit tick.
    pub confirm: usize,
}

impl Counts {
    /// How many rows a run creates: ready and warned rows, and privileged targets only when
    /// `include_admins` (the admin's explicit tick).
    pub fn runnable(&self, include_admins: bool) -> usize {
        self.ready + self.warn + if include_admins { self.confirm } else { 0 }
    }
}

/// Returns the verdict on `row` given what `lookup` found.
///
/// Blocked, first reason wins, in this order: the policy is disabled; the lifetime (the row's,
/// else the default) is outside the policy's bounds; the row asks for a multi-use pass while
/// the policy forces one-time; the lookup failed; no such user; an external guest; the admin's
/// own account; the user holds a role beyond the lesser ones while the admin is an
/// Authentication Administrator (known from `wids`); the policy excludes or does not include
/// the user. The admin's own roles never block on their own: `wids` lists only active,
/// tenant-wide roles (and may be missing), so Graph decides.
/// Confirm: a privileged target (any role but the lesser ones), created only after an explicit
/// tick. Warnings, all that apply: the account is disabled; a pass exists and will be replaced;
/// roles Graph did not name; privileged roles.
pub fn verdict(row: &Row, lookup: &Lookup, ctx: &PlanContext) -> Verdict {
    match blocked(row, lookup, ctx) {
        Err(reason) => Verdict::Blocked(reason),
        Ok(roles) => {
            let mut warnings = warnings(lookup);
            warnings.extend(roles.warnings);
            if roles.privileged {
                Verdict::Confirm(warnings)
            } else if warnings.is_empty() {
                Verdict::Ready
            } else {
                Verdict::Warn(warnings)
            }
        }
    }
}

/// Returns true if and only if the row names a start, which the view must turn into UTC with
/// the row's time zone (or the browser's) and check is valid and not in the past.
pub fn needs_time_zone_check(row: &Row) -> bool {
    row.start.is_some()
}

/// Counts the verdicts of each kind.
pub fn count(verdicts: &[Verdict]) -> Counts {
    let mut c = Counts::default();
    for v in verdicts {
        match v {
            Verdict::Ready => c.ready += 1,
            Verdict::Warn(_) => c.warn += 1,
            Verdict::Blocked(_) => c.blocked += 1,
            Verdict::Confirm(_) => c.confirm += 1,
        }
    }
    c
}

/// Returns the create body for `row`: the row's values over the defaults; one-time whenever
/// the policy forces it; `start_utc` (`YYYY-MM-DDTHH:MM:SSZ`, computed by the view) or none
/// for "now". The lifetime is left out when neither the row nor the defaults give one.
pub fn new_pass(row: &Row, start_utc: Option<String>, ctx: &PlanContext) -> NewPass {
    let one_time = ctx.bounds.one_time_forced || row.one_time.unwrap_or(ctx.defaults.one_time);
    NewPass {
        start_date_time: start_utc,
        lifetime_in_minutes: row.lifetime_minutes.or(ctx.defaults.lifetime_minutes),
        is_usable_once: Some(one_time),
    }
}

/// The reason the row is blocked, or what the target's roles mean when it is not.
fn blocked(row: &Row, lookup: &Lookup, ctx: &PlanContext) -> Result<RoleCheck, String> {
    let disabled =
        !ctx.bounds.enabled || ctx.policy.is_some_and(|p| p.state == PolicyState::Disabled);
    if disabled {
        return Err(messages::POLICY_OFF_LINE.into());
    }
    if let Some(minutes) = row.lifetime_minutes.or(ctx.defaults.lifetime_minutes) {
        ctx.bounds.check_lifetime(Some(minutes))?;
    }
    if row.one_time == Some(false) && ctx.bounds.one_time_forced {
        return Err("This line asks for a pass usable more than once, but your tenant's policy only allows one-time passes: set it to one-time or leave it blank.".into());
    }
    // Out of a scoped admin's reach (issue 16): said before a lookup Graph refused for that
    // very reason (their passes cannot be read either).
    if let (Some(user), Some(known)) = (&lookup.user, ctx.scope) {
        let target = crate::scope::Target {
            name: user.name(),
            units: lookup.units.as_deref(),
            roles: Some(&lookup.roles),
        };
        if let Some(reason) = known.refusal(&target) {
            return Err(reason);
        }
    }
    if let Some(e) = &lookup.lookup_error {
        let action = if lookup.user.is_some() {
            Operation::ReadPasses
        } else {
            Operation::ReadUser
        };
        return Err(messages::graph(e, action));
    }
    let Some(user) = &lookup.user else {
        return Err("No user with this UPN or object ID.".into());
    };
    if user.is_external_guest() {
        return Err(messages::GUEST_REFUSED.into());
    }
    if !ctx.admin_object_id.is_empty() && user.id.eq_ignore_ascii_case(ctx.admin_object_id) {
        return Err(messages::OWN_ACCOUNT_LINE.into());
    }
    let coverage = match ctx.policy {
        Some(p) if !lookup.coverage_unknown => tap::coverage(p, &lookup.member_of),
        // Unknown coverage is a warning (see `warnings`); Graph judges on create.
        _ => Coverage::Covered,
    };
    let mut check = tap::target_check(
        user.name(),
        ctx.capability,
        Some(&lookup.roles),
        coverage,
        ctx.bounds.from_policy.then_some(ctx.bounds.min_minutes),
    );
    if check.blocks.is_empty() {
        Ok(check)
    } else {
        Err(check.blocks.swap_remove(0))
    }
}

fn warnings(lookup: &Lookup) -> Vec<String> {
    let mut out = Vec::new();
    if lookup.coverage_unknown {
        out.push(messages::coverage_unknown(None));
    }
    if lookup.user.as_ref().and_then(|u| u.account_enabled) == Some(false) {
        out.push(
            "The account is disabled: the pass cannot be used until the account is enabled.".into(),
        );
    }
    if let Some(existing) = &lookup.existing {
        let when = existing
            .created_date_time
            .as_deref()
            .and_then(time::parse_ms)
            .map(|ms| {
                let iso = time::format_utc(ms);
                format!(" (created {} {} UTC)", &iso[..10], &iso[11..16])
            })
            .unwrap_or_default();
        out.push(format!(
            "Has a pass{when}: it will be REPLACED and stop working."
        ));
    }
    out
}

#[cfg(test)]
mod tests;
