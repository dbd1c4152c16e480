//! The onboarding tracker's logic: which users are followed (ids and the time tracking began,
//! never a pass), where each one stands (pass not yet valid → usable → used → a strong method
//! registered), what each polling round reads, and how long to wait between rounds. No views:
//! `ui::tracking` runs the rounds.

use serde::{Deserialize, Serialize};

use crate::graph::batch::{self, BatchItem};
use crate::graph::models::{AuthMethod, TemporaryAccessPass, UsabilityReason};
use crate::graph::time;
use crate::user;

/// The first wait between rounds, and the wait again after anything changed.
pub const FIRST_INTERVAL_S: u32 = 30;
/// The longest wait between rounds when nothing changes.
pub const MAX_INTERVAL_S: u32 = 300;
/// A method created this long before tracking began still counts as new (clock skew).
const SLACK_MS: f64 = 5.0 * 60.0 * 1000.0;

/// One followed user, as kept in sessionStorage.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    /// The user's object id.
    pub id: String,
    /// When tracking began (the pass was issued), epoch ms.
    pub since: f64,
}

/// Adds `id` to `list` (tracking begins again at `now_ms` when already there).
pub fn track(list: &mut Vec<Tracked>, id: &str, now_ms: f64) {
    list.retain(|t| t.id != id);
    list.push(Tracked {
        id: id.to_owned(),
        since: now_ms,
    });
}

/// Where a followed user stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Not read yet.
    Unknown,
    /// The pass's start time has not come.
    NotYetValid,
    /// The pass can be used: waiting for the user.
    Usable,
    /// The pass expired unused and no strong method came: a new pass is needed.
    ExpiredUnused,
    /// The pass was used (one-time) or is gone, and no strong method yet.
    Used,
    /// A strong method was registered since tracking began: onboarding done.
    Registered,
}

impl Stage {
    /// The stage in words.
    pub fn words(self) -> &'static str {
        match self {
            Stage::Unknown => "Checking…",
            Stage::NotYetValid => "Pass not valid yet",
            Stage::Usable => "Pass usable: waiting for the user",
            Stage::ExpiredUnused => "Pass expired unused: issue a new one",
            Stage::Used => "Pass used: no passwordless method yet",
            Stage::Registered => "Passwordless method registered",
        }
    }
}

/// What one round learnt about a user.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub stage: Stage,
    /// The pass still registered, if any (its id, for "Revoke pass now").
    pub pass_id: Option<String>,
    /// Strong methods registered since tracking began, in words.
    pub new_methods: Vec<String>,
}

impl Progress {
    /// True when nothing is left to follow: a strong method exists and the pass is gone.
    pub fn finished(&self) -> bool {
        self.stage == Stage::Registered && self.pass_id.is_none()
    }

    /// True when "Revoke pass now" makes sense: onboarding done, the pass still there.
    pub fn may_revoke(&self) -> bool {
        self.stage == Stage::Registered && self.pass_id.is_some()
    }
}

/// Assesses a user tracked since `since_ms` from their pass list and methods at `now_ms`.
pub fn assess(
    since_ms: f64,
    passes: &[TemporaryAccessPass],
    methods: &[AuthMethod],
    now_ms: f64,
) -> Progress {
    let new_methods: Vec<String> = methods
        .iter()
        .filter(|m| user::is_strong(m.kind()))
        .filter(|m| {
            m.created_date_time
                .as_deref()
                .and_then(time::parse_ms)
                .is_some_and(|c| c >= since_ms - SLACK_MS)
        })
        .map(user::method_label)
        .collect();
    let pass = passes.first();
    let stage = if !new_methods.is_empty() {
        Stage::Registered
    } else {
        match pass {
            None => Stage::Used,
            Some(p) => {
                let status = crate::tap::status(p, now_ms);
                match p.method_usability_reason {
                    Some(UsabilityReason::OneTimeUsed) => Stage::Used,
                    _ if status.usable => Stage::Usable,
                    _ => match (status.starts_ms, status.ends_ms) {
                        (Some(s), _) if now_ms < s => Stage::NotYetValid,
                        (_, Some(e)) if now_ms >= e => Stage::ExpiredUnused,
                        _ => Stage::Usable,
                    },
                }
            }
        }
    };
    Progress {
        stage,
        pass_id: pass.map(|p| p.id.clone()),
        new_methods,
    }
}

/// The items of one round for `users` (index order): `"{i}p"` the pass list and `"{i}m"` the
/// methods of each.
pub fn round_items(users: &[&Tracked]) -> Vec<BatchItem> {
    users
        .iter()
        .enumerate()
        .flat_map(|(i, t)| {
            [
                batch::list_passes_item(format!("{i}p"), &t.id),
                batch::list_methods_item(format!("{i}m"), &t.id),
            ]
        })
        .collect()
}

/// The wait before the next round, in seconds: back to `first_s` after a change, else doubled up
/// to [`MAX_INTERVAL_S`]; never shorter than a `Retry-After` Graph asked for.
pub fn next_interval(
    previous_s: u32,
    first_s: u32,
    changed: bool,
    retry_after_s: Option<u32>,
) -> u32 {
    let base = if changed {
        first_s
    } else {
        previous_s
            .saturating_mul(2)
            .clamp(first_s, MAX_INTERVAL_S.max(first_s))
    };
    base.max(retry_after_s.unwrap_or(0))
}

/// Graph requests per minute for `users` followed, at a wait of `interval_s` between rounds
/// (two items per user, 20 items per `$batch`).
pub fn requests_per_minute(users: usize, interval_s: u32) -> f64 {
    let batches = (users * 2).div_ceil(batch::MAX_PER_BATCH);
    batches as f64 * 60.0 / f64::from(interval_s.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: &str = "2026-11-27T12:00:00Z";

    fn ms(t: &str) -> f64 {
        time::parse_ms(t).unwrap()
    }

    fn pass(start: &str, minutes: u32, reason: Option<&str>) -> TemporaryAccessPass {
        let mut p = json!({"id": "p1", "startDateTime": start, "lifetimeInMinutes": minutes, "isUsableOnce": true});
        if let Some(r) = reason {
            p["methodUsabilityReason"] = json!(r);
            p["isUsable"] = json!(false);
        }
        serde_json::from_value(p).unwrap()
    }

    fn method(kind: &str, created: &str) -> AuthMethod {
        serde_json::from_value(json!({"@odata.type": format!("#microsoft.graph.{kind}AuthenticationMethod"), "id": kind, "createdDateTime": created})).unwrap()
    }

    #[test]
    fn stages_follow_the_pass_and_new_strong_methods() {
        let since = ms("2026-11-27T11:00:00Z");
        let now = ms(NOW);
        let old_phone = method("phone", "2025-01-01T00:00:00Z");
        let old_fido = method("fido2", "2025-01-01T00:00:00Z");
        let at = |passes: &[TemporaryAccessPass], methods: &[AuthMethod]| {
            assess(since, passes, methods, now)
        };
        assert_eq!(
            at(&[pass("2026-11-28T09:00:00Z", 60, None)], &[]).stage,
            Stage::NotYetValid
        );
        assert_eq!(
            at(
                &[pass("2026-11-27T11:30:00Z", 60, None)],
                &[old_phone.clone(), old_fido.clone()]
            )
            .stage,
            Stage::Usable
        );
        assert_eq!(
            at(&[pass("2026-11-27T09:00:00Z", 60, None)], &[]).stage,
            Stage::ExpiredUnused
        );
        assert_eq!(
            at(
                &[pass("2026-11-27T11:30:00Z", 60, Some("OneTimeUsed"))],
                &[]
            )
            .stage,
            Stage::Used
        );
        assert_eq!(at(&[], &[old_fido]).stage, Stage::Used);
        let done = at(
            &[pass("2026-11-27T11:30:00Z", 60, Some("OneTimeUsed"))],
            &[method("microsoftAuthenticator", "2026-11-27T11:45:00Z")],
        );
        assert_eq!(done.stage, Stage::Registered);
        assert_eq!(done.new_methods, ["Microsoft Authenticator"]);
        assert!(done.may_revoke() && !done.finished());
        let finished = at(
            &[],
            &[method("windowsHelloForBusiness", "2026-11-27T11:58:00Z")],
        );
        assert!(finished.finished());
    }

    #[test]
    fn rounds_read_two_items_per_user_and_back_off_when_quiet() {
        let t: Vec<Tracked> = (0..3)
            .map(|i| Tracked {
                id: format!("u{i}"),
                since: 0.0,
            })
            .collect();
        let refs: Vec<&Tracked> = t.iter().collect();
        let items = round_items(&refs);
        assert_eq!(items.len(), 6);
        assert_eq!(items[3].id, "1m");
        assert_eq!(items[3].url, "/users/u1/authentication/methods");
        assert_eq!(next_interval(30, 30, false, None), 60);
        assert_eq!(next_interval(240, 30, false, None), 300);
        assert_eq!(next_interval(300, 30, true, None), 30);
        assert_eq!(next_interval(30, 30, true, Some(90)), 90);
        assert_eq!(next_interval(1, 1, false, None), 2);
        assert_eq!(requests_per_minute(500, 30), 100.0);
        assert_eq!(requests_per_minute(500, 300), 10.0);
        let mut list = t.clone();
        track(&mut list, "u0", 5.0);
        assert_eq!(
            (list.len(), list[2].id.as_str(), list[2].since),
            (3, "u0", 5.0)
        );
    }
}
