//! The bulk screen's "Check", under its view: the defaults for rows that name none, which
//! lookups the dry run sends, how their answers fill each row, and each row as the preview shows
//! it (one line per user, the row's start read in its own time zone, its verdict and its create
//! body). The view passes the browser's clock and time-zone conversion in.

use super::input::Parsed;
use super::lookup::{self, DryRunItem};
use super::merge;
use super::plan::{self, Lookup, PlanContext};
use super::start;
use super::state::{Item, Preview};
use crate::graph::batch::Answers;
use crate::graph::models::{TapPolicy, User};
use crate::graph::time;

/// The input screen's defaults for rows that name no start, lifetime or one-time.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub lifetime_minutes: Option<u32>,
    pub one_time: bool,
    /// `None`: start now.
    pub start_ms: Option<f64>,
}

/// The defaults as typed on the input screen.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Typed {
    /// "Start at" is chosen: rows without a start start at `start_ms`.
    pub later: bool,
    /// The start field read as an instant (epoch ms); `None` when empty or unreadable.
    pub start_ms: Option<f64>,
    /// The lifetime field as typed (minutes); anything but a number means the policy default.
    pub lifetime: String,
    pub one_time: bool,
}

/// Returns what "Check" sends to the dry run, or the sentence saying what to fix: the sources
/// must give at least one line (good or bad), and a default start must lie after `now_ms`.
pub fn prepare(parsed: Parsed, typed: &Typed, now_ms: f64) -> Result<(Parsed, Defaults), String> {
    if parsed.rows.is_empty() && parsed.problems.is_empty() {
        return Err("Paste user names, choose a CSV file or pick a group first.".into());
    }
    let start_ms = match (typed.later, typed.start_ms) {
        (false, _) => None,
        (true, Some(ms)) if ms > now_ms => Some(ms),
        (true, _) => return Err("The default start time is missing or in the past.".into()),
    };
    let defaults = Defaults {
        lifetime_minutes: typed.lifetime.trim().parse::<u32>().ok(),
        one_time: typed.one_time,
        start_ms,
    };
    Ok((parsed, defaults))
}

/// A group's members as the bulk input names them: the UPN, else the object id.
pub fn group_names(members: &[User]) -> Vec<String> {
    members
        .iter()
        .map(|u| {
            u.user_principal_name
                .clone()
                .unwrap_or_else(|| u.id.clone())
        })
        .collect()
}

/// Which policy groups the dry run checks membership of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// Sent with `checkMemberGroups`; empty when the policy names none or it cannot be read.
    pub groups: Vec<String>,
    /// The policy names groups but no permission in the token lets the page read membership:
    /// `checkMemberGroups` would be refused, so it is not sent and coverage is unknown.
    pub coverage_unknown: bool,
}

/// Returns the membership checks for `policy`, given whether the token holds a permission
/// (`may`).
pub fn membership(policy: Option<&TapPolicy>, may: impl Fn(&str) -> bool) -> Membership {
    membership_of(
        policy.map(crate::tap::groups_to_check).unwrap_or_default(),
        may,
    )
}

/// [`membership`] for any policy's `groups` (the badge policy's too).
pub fn membership_of(groups: Vec<String>, may: impl Fn(&str) -> bool) -> Membership {
    let readable = crate::tap::MEMBERSHIP_PERMISSIONS.iter().any(|p| may(p));
    Membership {
        coverage_unknown: !groups.is_empty() && !readable,
        groups: if readable { groups } else { vec![] },
    }
}

/// Fills `lookups` (one per row) from the answers to one wave of items: an answer fills its
/// part ([`lookup::apply`]), an envelope error is the row's lookup error, an item without answer
/// leaves the row as it is.
pub fn apply_wave(lookups: &mut [Lookup], wave: &[DryRunItem], answers: &Answers) {
    for p in wave {
        let Some(row) = lookups.get_mut(p.row) else {
            continue;
        };
        match answers.get(&p.item.id) {
            Some(Ok(r)) => lookup::apply(row, p.part, r),
            Some(Err(e)) => row.lookup_error = Some(e.clone()),
            None => {}
        }
    }
}

/// The browser's clock and time zones, passed in.
pub struct Clock<'a> {
    pub now_ms: f64,
    /// The browser's IANA time zone.
    pub zone: &'a str,
    /// `(date, time, zone)` to epoch ms, `None` when the zone or date is not known.
    pub to_utc: &'a dyn Fn(&str, &str, &str) -> Option<f64>,
}

/// Builds the preview from the rows and their `lookups` (same order): one line per user (a later
/// row whose user resolved to an object id already kept is listed, never created), each row's
/// start resolved in its own time zone (else the browser's, else `defaults.start_ms`; a start
/// problem blocks the row), its verdict and its create body.
pub fn preview(
    mut parsed: Parsed,
    lookups: Vec<Lookup>,
    plan_ctx: &PlanContext,
    default_start_ms: Option<f64>,
    clock: &Clock,
) -> Preview {
    let several = parsed.several;
    let (entries, same_users) = merge::by_object_id(
        std::mem::take(&mut parsed.rows)
            .into_iter()
            .zip(lookups)
            .collect(),
        |l: &Lookup| l.user.as_ref().map(|u| u.id.as_str()),
        several,
    );
    let items = entries
        .into_iter()
        .map(|(row, lookup)| {
            let mut verdict = plan::verdict(&row, &lookup, plan_ctx);
            let zone = row.start.as_ref().and_then(|s| s.time_zone.clone());
            let start_ms = match start::resolve(
                row.start.as_ref(),
                default_start_ms,
                clock.now_ms,
                clock.zone,
                clock.to_utc,
            ) {
                Ok(ms) => ms,
                Err(problem) => {
                    verdict = start::with_problem(verdict, problem);
                    None
                }
            };
            let body = plan::new_pass(&row, start_ms.map(time::format_utc), plan_ctx);
            Item {
                row,
                lookup,
                verdict,
                zone,
                body,
            }
        })
        .collect();
    Preview {
        items,
        problems: merge::listed(parsed, same_users),
        several,
    }
}

#[cfg(test)]
mod tests;
