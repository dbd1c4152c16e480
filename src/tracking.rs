//! The onboarding tracker's logic: which users are followed (ids and the time tracking began,
//! never a pass), where each one stands (pass not yet valid → usable → used → a strong method
//! registered), what each polling round reads, and how long to wait between rounds. No views:
//! `ui::tracking` runs the rounds. [`passkey`] names the passkey's kind, the flags, the bulk
//! revocation and a scoped admin's reach (issue 15's second edition).

pub mod passkey;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::graph::batch::{self, BatchItem, BatchItemResponse};
use crate::graph::models::{AuthMethod, TemporaryAccessPass, UsabilityReason, User};
use crate::graph::{time, GraphError};
use crate::messages;

/// The first wait between rounds, and the wait again after anything changed.
pub const FIRST_INTERVAL_S: u32 = crate::config::DEFAULT_TRACK_INTERVAL_SECONDS;
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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Not read yet.
    #[default]
    Unknown,
    /// The pass's start time has not come.
    NotYetValid,
    /// The pass can be used: waiting for the user.
    Usable,
    /// The pass expired unused and no strong method came: a new pass is needed.
    ExpiredUnused,
    /// The pass was used (one-time) or is gone, and no strong method yet.
    Used,
    /// A passkey (or Windows Hello, a platform credential) was registered since tracking
    /// began: onboarding done.
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
            Stage::Used => "Pass used: no passkey yet",
            Stage::Registered => "Passkey registered",
        }
    }
}

/// What one round learnt about a user.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub stage: Stage,
    /// The pass still registered, if any (its id, for "Revoke pass now").
    pub pass_id: Option<String>,
    /// Passkeys registered since tracking began, their kind in words.
    pub new_methods: Vec<String>,
    /// Those passkeys.
    pub passkeys: Vec<passkey::Passkey>,
    /// Weaker methods registered since tracking began, in words.
    pub weak: Vec<String>,
    /// The phone methods registered now.
    pub phones: Vec<passkey::Phone>,
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
    let new: Vec<&AuthMethod> = methods
        .iter()
        .filter(|m| {
            m.created_date_time
                .as_deref()
                .and_then(time::parse_ms)
                .is_some_and(|c| c >= since_ms - SLACK_MS)
        })
        .collect();
    let passkeys: Vec<passkey::Passkey> =
        new.iter().filter_map(|m| passkey::passkey_of(m)).collect();
    let new_methods: Vec<String> = passkeys.iter().map(passkey::Passkey::words).collect();
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
        passkeys,
        weak: passkey::weak_labels(&new),
        phones: passkey::phones(methods),
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

/// The answer to one `$batch` item, by item id: `None` when it never came.
pub type Answer = Option<Result<BatchItemResponse, GraphError>>;

/// The users a round reads: every followed user not yet [`Progress::finished`], in list order.
pub fn open_users(tracked: &[Tracked], progress: &HashMap<String, Progress>) -> Vec<Tracked> {
    tracked
        .iter()
        .filter(|t| !progress.get(&t.id).is_some_and(Progress::finished))
        .cloned()
        .collect()
}

/// The ids among `open` whose name is not in `names` yet (read once, with [`name_items`]).
pub fn unnamed(open: &[Tracked], names: &HashMap<String, User>) -> Vec<String> {
    open.iter()
        .filter(|t| !names.contains_key(&t.id))
        .map(|t| t.id.clone())
        .collect()
}

/// The items that read the users `ids` (item id = object id).
pub fn name_items(ids: &[String]) -> Vec<BatchItem> {
    ids.iter().map(|id| batch::get_user_item(id, id)).collect()
}

/// The users read by [`name_items`]: only answers that arrived with a user in them.
pub fn names_read(ids: &[String], answer: impl Fn(&str) -> Answer) -> Vec<(String, User)> {
    ids.iter()
        .filter_map(|id| {
            let body = answer(id)?.ok()?.body?;
            let user = serde_json::from_value::<User>(body).ok()?;
            Some((id.clone(), user))
        })
        .collect()
}

/// What the answers of one round (see [`round_items`]) say.
#[derive(Debug, Default, PartialEq)]
pub struct Reading {
    /// The users whose progress changed, with their new progress.
    pub changed: Vec<(String, Progress)>,
    /// The failure of a pass list that could not be read, if any (the last one).
    pub error: Option<GraphError>,
    /// The longest `Retry-After` among throttled answers.
    pub retry_after_s: Option<u32>,
}

/// Reads the round's answers for `open` (the users the round was built from, same order) at
/// `at_ms`, against the `progress` known before. A user whose pass list or methods did not
/// arrive keeps their progress.
pub fn read_round(
    open: &[Tracked],
    progress: &HashMap<String, Progress>,
    answer: impl Fn(&str) -> Answer,
    at_ms: f64,
) -> Reading {
    let mut out = Reading::default();
    for (i, t) in open.iter().enumerate() {
        let (pass_answer, method_answer) = (answer(&format!("{i}p")), answer(&format!("{i}m")));
        for a in [&pass_answer, &method_answer]
            .into_iter()
            .flatten()
            .flatten()
        {
            if a.status == 429 {
                out.retry_after_s = out.retry_after_s.max(a.retry_after_s());
            }
        }
        let passes = pass_answer
            .as_ref()
            .and_then(|a| a.as_ref().ok())
            .and_then(|r| batch::item_values::<TemporaryAccessPass>(r).ok());
        let methods = method_answer
            .as_ref()
            .and_then(|a| a.as_ref().ok())
            .and_then(|r| batch::item_values::<AuthMethod>(r).ok());
        let (Some(passes), Some(methods)) = (passes, methods) else {
            match pass_answer {
                Some(Err(e)) => out.error = Some(e),
                // A refusal item by item (403, 404…) is said too, not only a lost answer;
                // throttling is waited out instead.
                Some(Ok(r)) if r.status >= 400 && r.status != 429 => {
                    out.error = Some(batch::item_error(&r));
                }
                _ => {}
            }
            continue;
        };
        let next = assess(t.since, &passes, &methods, at_ms);
        if progress.get(&t.id) != Some(&next) {
            out.changed.push((t.id.clone(), next));
        }
    }
    out
}

/// The ids of the users who are [`Progress::finished`] ("Stop following finished users").
pub fn finished_ids(progress: &HashMap<String, Progress>) -> Vec<String> {
    progress
        .iter()
        .filter(|(_, p)| p.finished())
        .map(|(id, _)| id.clone())
        .collect()
}

/// Forgets the pass of `user_id` once it was revoked (deleted, or already gone).
pub fn pass_revoked(progress: &mut HashMap<String, Progress>, user_id: &str) {
    if let Some(p) = progress.get_mut(user_id) {
        p.pass_id = None;
    }
}

/// What the screen shows in its status line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Looking {
    /// Users followed.
    pub followed: usize,
    /// The browser tab is hidden.
    pub hidden: bool,
    /// A round is under way.
    pub checking: bool,
    /// Milliseconds until the next round (may be negative when due).
    pub next_in_ms: f64,
    /// The wait between rounds now.
    pub interval_s: u32,
}

/// The status line: who is followed and when the next check comes.
pub fn status_words(l: Looking) -> String {
    if l.followed == 0 {
        return "Following no one.".to_owned();
    }
    let who = if l.followed == 1 {
        "1 user".to_owned()
    } else {
        format!("{} users", l.followed)
    };
    if l.hidden {
        return format!("Following {who}. Paused while this browser tab is hidden.");
    }
    if l.checking {
        return format!("Following {who}. Checking now…");
    }
    format!(
        "Following {who}. Next check in {} (every {} while nothing changes, up to {}).",
        messages::countdown_words(l.next_in_ms),
        messages::countdown_words(f64::from(l.interval_s) * 1000.0),
        messages::countdown_words(f64::from(MAX_INTERVAL_S) * 1000.0),
    )
}

/// The empty state: nobody followed, and how someone comes to be.
pub const EMPTY: &str =
    "No one is followed yet: create a pass on One user or Many users and the user is followed here.";

/// What the live region says after a round: each user whose stage changed since the last
/// reading, by name, with the new stage ("Pradeep Gupta: Pass used: no passwordless method
/// yet."), or how many when more than [`NEWS_NAMED`] did; `None` when no known stage changed
/// (a first reading, new methods alone, or nothing), so a quiet round says nothing.
pub fn news_words(
    changed: &[(String, Progress)],
    before: &HashMap<String, Progress>,
    name: impl Fn(&str) -> String,
) -> Option<String> {
    let moved: Vec<&(String, Progress)> = changed
        .iter()
        .filter(|(id, p)| {
            before
                .get(id)
                .is_some_and(|b| (b.stage, b.finished()) != (p.stage, p.finished()))
        })
        .collect();
    match moved.len() {
        0 => None,
        n if n > NEWS_NAMED => Some(format!(
            "{} moved to a new stage: see the table.",
            messages::count(n, "user", "users")
        )),
        _ => Some(
            moved
                .iter()
                .map(|(id, p)| format!("{}: {}.", name(id), stage_words(Some(p))))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    }
}

/// How many users the live region names after one round; more are counted.
pub const NEWS_NAMED: usize = 3;

/// What the live region says once a followed user's pass was deleted.
pub fn deleted_words(name: &str) -> String {
    format!("{name}'s pass deleted.")
}

/// What the live region says when a followed user's pass could not be deleted (Graph's reason
/// is in the message under it).
pub fn not_deleted_words(name: &str) -> String {
    format!("{name}'s pass was not deleted: the message below says why. It still works.")
}

/// "Checked n times."
pub fn rounds_words(n: u32) -> String {
    format!("Checked {n} {}.", if n == 1 { "time" } else { "times" })
}

/// The stage column of a row: done users say so, others their [`Stage::words`].
pub fn stage_words(p: Option<&Progress>) -> &'static str {
    match p {
        Some(p) if p.finished() => "Done: passkey registered, pass revoked",
        Some(p) => p.stage.words(),
        None => Stage::Unknown.words(),
    }
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
        // Authenticator push is not a passkey: the pass is used, the weaker method noted.
        let weak = at(
            &[pass("2026-11-27T11:30:00Z", 60, Some("OneTimeUsed"))],
            &[method("microsoftAuthenticator", "2026-11-27T11:45:00Z")],
        );
        assert_eq!(weak.stage, Stage::Used);
        assert_eq!(weak.weak, ["Microsoft Authenticator"]);
        let done = at(
            &[pass("2026-11-27T11:30:00Z", 60, Some("OneTimeUsed"))],
            &[method("fido2", "2026-11-27T11:45:00Z")],
        );
        assert_eq!(done.stage, Stage::Registered);
        assert_eq!(
            done.new_methods,
            ["Device-bound passkey (unknown authenticator)"]
        );
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

    fn answer(status: u16, body: serde_json::Value) -> Result<BatchItemResponse, GraphError> {
        Ok(serde_json::from_value(json!({"id": "x", "status": status, "body": body})).unwrap())
    }

    fn followed(ids: &[&str]) -> Vec<Tracked> {
        ids.iter()
            .map(|id| Tracked {
                id: (*id).to_owned(),
                since: ms("2026-11-27T11:00:00Z"),
            })
            .collect()
    }

    #[test]
    fn rounds_read_open_users_and_name_each_once() {
        let list = followed(&["a", "b", "c"]);
        let mut progress = HashMap::new();
        let done = Progress {
            stage: Stage::Registered,
            pass_id: None,
            new_methods: vec![],
            ..Default::default()
        };
        progress.insert("b".to_owned(), done.clone());
        let open = open_users(&list, &progress);
        assert_eq!(
            open.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        let mut names = HashMap::new();
        names.insert(
            "a".to_owned(),
            serde_json::from_value::<User>(json!({"id": "a"})).unwrap(),
        );
        assert_eq!(unnamed(&open, &names), ["c"]);
        assert_eq!(name_items(&["c".to_owned()])[0].id, "c");
        let read = names_read(&["c".to_owned(), "d".to_owned()], |id| {
            (id == "c").then(|| answer(200, json!({"id": "c", "displayName": "Cy"})))
        });
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].1.name(), "Cy");
        assert_eq!(finished_ids(&progress), ["b"]);
        let mut revoked = HashMap::new();
        revoked.insert(
            "a".to_owned(),
            Progress {
                pass_id: Some("p1".into()),
                ..done
            },
        );
        pass_revoked(&mut revoked, "a");
        assert!(revoked["a"].finished());
    }

    #[test]
    fn a_round_reports_changes_failures_and_the_longest_retry_after() {
        let open = followed(&["a", "b", "c"]);
        let methods = json!({"value": [{"@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": "f", "createdDateTime": "2026-11-27T11:30:00Z"}]});
        let throttled: BatchItemResponse = serde_json::from_value(
            json!({"id": "2p", "status": 429, "headers": {"Retry-After": "40"}}),
        )
        .unwrap();
        let answers = |id: &str| -> Answer {
            match id {
                "0p" => Some(answer(200, json!({"value": []}))),
                "0m" => Some(answer(200, methods.clone())),
                "1p" => Some(Err(GraphError::network("offline"))),
                "2p" => Some(Ok(throttled.clone())),
                "2m" => Some(Ok(BatchItemResponse {
                    id: "2m".into(),
                    headers: [("Retry-After".to_owned(), "7".to_owned())].into(),
                    ..throttled.clone()
                })),
                _ => None,
            }
        };
        let reading = read_round(&open, &HashMap::new(), answers, ms(NOW));
        assert_eq!(reading.changed.len(), 1);
        assert_eq!(reading.changed[0].0, "a");
        assert!(reading.changed[0].1.finished());
        assert_eq!(reading.error.map(|e| e.status), Some(0));
        // A pass list Graph refused item by item is said too.
        let refused = |id: &str| -> Answer {
            (id == "0p").then(|| answer(403, json!({"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}})))
        };
        assert_eq!(
            read_round(&open, &HashMap::new(), refused, ms(NOW))
                .error
                .map(|e| e.status),
            Some(403)
        );
        assert_eq!(reading.retry_after_s, Some(40));
        // The same answers against what is known already change nothing.
        let known: HashMap<String, Progress> = [(
            "a".to_owned(),
            read_round(&open, &HashMap::new(), answers, ms(NOW)).changed[0]
                .1
                .clone(),
        )]
        .into();
        assert!(read_round(&open, &known, answers, ms(NOW))
            .changed
            .is_empty());
    }

    #[test]
    fn the_status_line_follows_visibility_and_the_clock() {
        let l = Looking {
            followed: 2,
            hidden: false,
            checking: false,
            next_in_ms: 12_300.0,
            interval_s: 60,
        };
        assert_eq!(status_words(l), "Following 2 users. Next check in 13 s (every 1 min while nothing changes, up to 5 min).");
        assert_eq!(status_words(Looking { next_in_ms: -5.0, interval_s: 150, ..l }), "Following 2 users. Next check in 0 s (every 2 min 30 s while nothing changes, up to 5 min).");
        assert_eq!(
            status_words(Looking {
                followed: 1,
                checking: true,
                ..l
            }),
            "Following 1 user. Checking now…"
        );
        assert_eq!(
            status_words(Looking {
                hidden: true,
                checking: true,
                ..l
            }),
            "Following 2 users. Paused while this browser tab is hidden."
        );
        assert!(status_words(Looking {
            followed: 0,
            hidden: true,
            ..l
        })
        .starts_with("Following no one."));
        assert!(
            EMPTY.starts_with("No one is followed yet: create a pass on One user or Many users")
        );
        assert_eq!(
            (rounds_words(1), rounds_words(0)),
            ("Checked 1 time.".to_owned(), "Checked 0 times.".to_owned())
        );
        let used = Progress {
            stage: Stage::Used,
            pass_id: None,
            new_methods: vec![],
            ..Default::default()
        };
        assert_eq!(stage_words(Some(&used)), Stage::Used.words());
        assert_eq!(stage_words(None), "Checking…");
        let done = Progress {
            stage: Stage::Registered,
            ..used
        };
        assert!(stage_words(Some(&done)).starts_with("Done:"));
    }

    #[test]
    fn the_live_region_names_each_user_whose_stage_changed() {
        let usable = Progress {
            stage: Stage::Usable,
            pass_id: Some("p".into()),
            new_methods: vec![],
            ..Default::default()
        };
        let used = Progress {
            stage: Stage::Used,
            ..usable.clone()
        };
        let before = HashMap::from([("a".to_owned(), usable.clone())]);
        let name = |id: &str| {
            if id == "a" {
                "Ann Lee".to_owned()
            } else {
                id.to_owned()
            }
        };
        assert_eq!(
            news_words(&[("a".into(), used.clone())], &before, name).as_deref(),
            Some("Ann Lee: Pass used: no passkey yet.")
        );
        // A new method with the same stage, or nothing changed: silence.
        let more = Progress {
            new_methods: vec!["Passkey".into()],
            ..usable.clone()
        };
        assert_eq!(news_words(&[("a".into(), more)], &before, name), None);
        assert_eq!(news_words(&[], &before, name), None);
        // A first reading is not news: the table shows it.
        assert_eq!(
            news_words(&[("b".into(), usable.clone())], &before, name),
            None
        );
        // Many at once are counted, not read out one by one.
        let many: Vec<(String, Progress)> =
            (0..4).map(|i| (format!("u{i}"), used.clone())).collect();
        let before_many: HashMap<String, Progress> =
            (0..4).map(|i| (format!("u{i}"), usable.clone())).collect();
        assert_eq!(
            news_words(&many, &before_many, name).as_deref(),
            Some("4 users moved to a new stage: see the table.")
        );
        assert_eq!(deleted_words("Ann Lee"), "Ann Lee's pass deleted.");
        assert!(not_deleted_words("Ann Lee").starts_with("Ann Lee's pass was not deleted"));
    }
}
