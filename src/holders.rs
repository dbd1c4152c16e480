//! "Who holds a pass": the logic of scanning users for passes (passes are also an attacker's way
//! to stay in), classing, filtering and sorting what was found, and revoking a selection with a
//! summary. No views: `ui::holders` runs the scan and shows the table.

use crate::graph::batch::{self, item_error, BatchItem, BatchItemResponse};
use crate::graph::models::{RegistrationDetails, TemporaryAccessPass, UsabilityReason, User};
use crate::graph::GraphError;
use crate::messages;
use crate::tap;

/// A pass lifetime above this (8 hours) counts as long.
pub const LONG_LIFETIME_MINUTES: u32 = 8 * 60;

/// Where a pass stands now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Standing {
    /// It can be signed in with right now.
    UsableNow,
    /// Its start time has not come.
    NotYetValid,
    /// Its lifetime is over, but it is still registered.
    Expired,
    /// A one-time pass already signed in with.
    Used,
    /// The policy no longer allows it, or Graph says something else.
    Blocked,
}

impl Standing {
    /// Words for the table.
    pub fn words(self) -> &'static str {
        match self {
            Standing::UsableNow => "Usable now",
            Standing::NotYetValid => "Not yet valid",
            Standing::Expired => "Expired, still present",
            Standing::Used => "Used",
            Standing::Blocked => "Blocked by policy",
        }
    }
}

/// A user found holding a pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Holder {
    pub user: User,
    pub pass: TemporaryAccessPass,
    pub standing: Standing,
    pub one_time: bool,
    pub lifetime_minutes: Option<u32>,
    pub starts_ms: Option<f64>,
    pub ends_ms: Option<f64>,
}

impl Holder {
    /// Classes `pass` of `user` at `now_ms`.
    pub fn new(user: User, pass: TemporaryAccessPass, now_ms: f64) -> Holder {
        let status = tap::status(&pass, now_ms);
        let reason = pass.method_usability_reason;
        let standing = match reason {
            Some(UsabilityReason::OneTimeUsed) => Standing::Used,
            Some(UsabilityReason::DisabledByPolicy) => Standing::Blocked,
            _ if status.usable => Standing::UsableNow,
            _ => match (status.starts_ms, status.ends_ms) {
                (Some(s), _) if now_ms < s => Standing::NotYetValid,
                (_, Some(e)) if now_ms >= e => Standing::Expired,
                _ => Standing::Blocked,
            },
        };
        Holder {
            lifetime_minutes: pass.lifetime_in_minutes,
            one_time: status.one_time,
            starts_ms: status.starts_ms,
            ends_ms: status.ends_ms,
            user,
            pass,
            standing,
        }
    }

    /// True for a lifetime above [`LONG_LIFETIME_MINUTES`].
    pub fn long_lived(&self) -> bool {
        self.lifetime_minutes
            .is_some_and(|m| m > LONG_LIFETIME_MINUTES)
    }
}

/// What the table shows; every switch off shows all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub usable_now: bool,
    pub not_yet_valid: bool,
    pub expired: bool,
    pub multi_use: bool,
    pub long_lifetime: bool,
}

impl Filter {
    /// True when `h` passes: any chosen standing (all when none is chosen), and multi-use and
    /// long lifetime when those are chosen.
    pub fn keeps(&self, h: &Holder) -> bool {
        let standings = [
            (self.usable_now, Standing::UsableNow),
            (self.not_yet_valid, Standing::NotYetValid),
            (self.expired, Standing::Expired),
        ];
        let any_standing = standings.iter().any(|(on, _)| *on);
        (!any_standing || standings.iter().any(|(on, s)| *on && h.standing == *s))
            && (!self.multi_use || !h.one_time)
            && (!self.long_lifetime || h.long_lived())
    }
}

/// Orders of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Name,
    Standing,
    EndsFirst,
    LongestLifetime,
}

impl Sort {
    /// Every order with its key and words, for the picker.
    pub const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Standing, "standing", "Standing (usable first)"),
        (Sort::Name, "name", "Name"),
        (Sort::EndsFirst, "ends", "Ends soonest"),
        (Sort::LongestLifetime, "lifetime", "Longest lifetime"),
    ];
}

/// Sorts `holders` by `sort` (ties by name).
pub fn sort(holders: &mut [Holder], sort: Sort) {
    let name = |h: &Holder| h.user.name().to_lowercase();
    holders.sort_by(|a, b| {
        let primary = match sort {
            Sort::Name => std::cmp::Ordering::Equal,
            Sort::Standing => a.standing.cmp(&b.standing),
            Sort::EndsFirst => a
                .ends_ms
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.ends_ms.unwrap_or(f64::INFINITY)),
            Sort::LongestLifetime => b.lifetime_minutes.cmp(&a.lifetime_minutes),
        };
        primary.then_with(|| name(a).cmp(&name(b)))
    });
}

/// The pass-list items of a scan, one per user, with the user's index as id.
pub fn scan_items(users: &[User]) -> Vec<BatchItem> {
    users
        .iter()
        .enumerate()
        .map(|(i, u)| batch::list_passes_item(i.to_string(), &u.id))
        .collect()
}

/// What a scan found: the holders, and the users whose passes could not be read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Found {
    pub holders: Vec<Holder>,
    pub unreadable: Vec<(User, GraphError)>,
}

/// Reads the answers of [`scan_items`] (by user index); a missing answer (cancelled) is left out.
pub fn found(
    users: &[User],
    answer: impl Fn(&str) -> Option<Result<BatchItemResponse, GraphError>>,
    now_ms: f64,
) -> Found {
    let mut out = Found::default();
    for (i, user) in users.iter().enumerate() {
        match answer(&i.to_string()) {
            None => {}
            Some(Err(e)) => out.unreadable.push((user.clone(), e)),
            Some(Ok(r)) => match batch::item_values::<TemporaryAccessPass>(&r) {
                Ok(passes) => {
                    if let Some(pass) = passes.into_iter().next() {
                        out.holders.push(Holder::new(user.clone(), pass, now_ms));
                    }
                }
                Err(e) => out.unreadable.push((user.clone(), e)),
            },
        }
    }
    out
}

/// The `DELETE` items revoking the passes of `holders`, with the holder's index as id.
pub fn revoke_items(holders: &[Holder]) -> Vec<BatchItem> {
    holders
        .iter()
        .enumerate()
        .map(|(i, h)| batch::delete_pass_item(i.to_string(), &h.user.id, &h.pass.id))
        .collect()
}

/// How many names a confirmation lists before "and N more".
pub const NAMES_SHOWN: usize = 5;

/// What "Revoke selected" acts on: only rows that are both shown (pass the filter) and
/// selected. Selected rows a filter hides are never revoked; the view says how many there are.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chosen {
    /// Shown and selected, in table order.
    pub holders: Vec<Holder>,
    /// Selected but hidden by the filter: left alone.
    pub hidden: usize,
}

/// Returns what a revocation of `selected` (object ids) would delete in `shown` (the rows the
/// table shows, in order), and how many selected ids are not among them.
pub fn chosen(shown: &[Holder], selected: &[String]) -> Chosen {
    let holders: Vec<Holder> = shown
        .iter()
        .filter(|h| {
            selected
                .iter()
                .any(|id| id.eq_ignore_ascii_case(&h.user.id))
        })
        .cloned()
        .collect();
    let hidden = selected
        .iter()
        .filter(|id| !holders.iter().any(|h| h.user.id.eq_ignore_ascii_case(id)))
        .count();
    Chosen { holders, hidden }
}

/// A holder as named to the admin: the display name, with the UPN when another holder in
/// `among` has the same display name (two people can share one).
pub fn name_of(h: &Holder, among: &[Holder]) -> String {
    let name = h.user.name();
    let shared = among
        .iter()
        .any(|o| o.user.id != h.user.id && o.user.name() == name);
    match (&h.user.user_principal_name, shared) {
        (Some(upn), true) => format!("{name} ({upn})"),
        _ => name.to_owned(),
    }
}

/// The confirmation before deleting the passes of `chosen`: it names the first
/// [`NAMES_SHOWN`] users and says how many more.
pub fn confirm_sentence(chosen: &[Holder]) -> String {
    let names: Vec<String> = chosen
        .iter()
        .take(NAMES_SHOWN)
        .map(|h| name_of(h, chosen))
        .collect();
    let more = chosen.len().saturating_sub(NAMES_SHOWN);
    let list = match (names.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (all, 0) => format!(
            "{} and {}",
            all[..all.len() - 1].join(", "),
            all[all.len() - 1]
        ),
        (some, more) => format!("{} and {more} more", some.join(", ")),
    };
    let whose = if chosen.len() == 1 { "pass" } else { "passes" };
    format!(
        "Delete the {whose} of {list} ({} {})? They can no longer sign in with them.",
        chosen.len(),
        if chosen.len() == 1 { "user" } else { "users" }
    )
}

/// A revocation that did not happen, keyed by the user's object id.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub user_id: String,
    /// As named to the admin ([`name_of`] among the revoked).
    pub name: String,
    pub error: GraphError,
}

/// The outcome of a revocation, for the summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Revoked {
    /// Passes deleted now.
    pub deleted: usize,
    /// Passes already gone (404): someone or something deleted them first.
    pub already_gone: usize,
    /// Users whose pass could not be deleted, with Graph's error.
    pub failed: Vec<Failure>,
}

/// Reads the answers of [`revoke_items`].
pub fn revoked(
    holders: &[Holder],
    answer: impl Fn(&str) -> Option<Result<BatchItemResponse, GraphError>>,
) -> Revoked {
    let mut out = Revoked::default();
    for (i, h) in holders.iter().enumerate() {
        let error = match answer(&i.to_string()) {
            Some(Ok(r)) if (200..300).contains(&r.status) => {
                out.deleted += 1;
                continue;
            }
            Some(Ok(r)) if r.status == 404 => {
                out.already_gone += 1;
                continue;
            }
            Some(Ok(r)) => item_error(&r),
            Some(Err(e)) => e,
            None => GraphError::network("not sent: the revocation was stopped"),
        };
        out.failed.push(Failure {
            user_id: h.user.id.clone(),
            name: name_of(h, holders),
            error,
        });
    }
    out
}

/// Updates the table after a revocation of `revoked_from`, by object id: rows whose pass was
/// deleted or already gone leave `found`; rows that failed stay, and stay selected; every
/// other selection (rows not revoked, hidden by a filter) is kept as it was.
pub fn after_revoke(
    found: &mut Vec<Holder>,
    selected: &mut Vec<String>,
    revoked_from: &[Holder],
    outcome: &Revoked,
) {
    let failed = |id: &str| outcome.failed.iter().any(|f| f.user_id == id);
    let gone = |id: &str| revoked_from.iter().any(|h| h.user.id == id) && !failed(id);
    found.retain(|h| !gone(&h.user.id));
    selected.retain(|id| !gone(id));
}

/// A single pass deletion's result, where already gone (404) counts as deleted: the pass is
/// not there either way, which is what the admin wanted.
pub fn deleted(result: Result<(), GraphError>) -> Result<(), GraphError> {
    match result {
        Err(e) if e.status == 404 => Ok(()),
        other => other,
    }
}

/// Where the users of a scan come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Tenant,
    Group,
    Search,
}

/// Why a scan cannot start yet, in words; `None` when it can: a search needs two letters, a
/// group must be picked.
pub fn scan_refusal(source: Source, text: &str, group_picked: bool) -> Option<&'static str> {
    match source {
        Source::Search if text.trim().chars().count() < 2 => {
            Some("Type at least two letters to search.")
        }
        Source::Group if !group_picked => Some("Pick a group first."),
        _ => None,
    }
}

/// The status line after a scan of `total` users that read `done` of them (fewer when
/// `stopped`), found `holders` and could not read `unreadable`.
pub fn scan_words(
    stopped: bool,
    done: usize,
    total: usize,
    holders: usize,
    unreadable: usize,
) -> String {
    format!(
        "{}{done} of {total} users checked · {holders} {} a pass · {unreadable} could not be read.",
        if stopped { "Stopped. " } else { "" },
        if holders == 1 { "holds" } else { "hold" },
    )
}

/// The rows the table shows: `found` that `filter` keeps, in `order`.
pub fn shown(found: &[Holder], filter: Filter, order: Sort) -> Vec<Holder> {
    let mut list: Vec<Holder> = found.iter().filter(|h| filter.keeps(h)).cloned().collect();
    sort(&mut list, order);
    list
}

/// The summary of a deletion, in words: "1 pass deleted · 0 were already gone · 0 could not
/// be deleted."
pub fn revoked_words(r: &Revoked) -> String {
    format!(
        "{} deleted · {} already gone · {} not be deleted.",
        messages::count(r.deleted, "pass", "passes"),
        if r.already_gone == 1 {
            "1 was".to_owned()
        } else {
            format!("{} were", r.already_gone)
        },
        if r.failed.len() == 1 {
            "1 could".to_owned()
        } else {
            format!("{} could", r.failed.len())
        },
    )
}

/// The hint under the delete button when `hidden` selected users are hidden by the filters.
pub fn hidden_words(hidden: usize) -> Option<String> {
    (hidden > 0).then(|| {
        format!(
            "{} hidden by the filters: {} not be deleted.",
            if hidden == 1 {
                "1 selected user is".to_owned()
            } else {
                format!("{hidden} selected users are")
            },
            if hidden == 1 {
                "their pass will"
            } else {
                "their passes will"
            }
        )
    })
}

/// The delete button's words for `n` chosen rows: "Delete 1 selected pass",
/// "Delete 3 selected passes", "Delete selected passes" when none is chosen.
pub fn delete_words(n: usize) -> String {
    match n {
        0 => "Delete selected passes".to_owned(),
        1 => "Delete 1 selected pass".to_owned(),
        n => format!("Delete {n} selected passes"),
    }
}

/// What the live region says once a scan ends: the [`scan_words`], or where to go next when
/// nobody holds a pass.
pub fn empty_words(scanned: bool) -> &'static str {
    if scanned {
        "No one checked holds a pass: nothing to delete. Check another group or search, or create a pass on One user or Many users."
    } else {
        "Nothing checked yet: pick who to check above and press Check passes."
    }
}

/// The registration report's `methodsRegistered` value of a pass.
pub const PASS_IN_REPORT: &str = "temporaryAccessPass";

/// Where a scan of the whole tenant finds whom to check (issue 15 point 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Candidates {
    /// Every user of the source (one batched pass read per 20 users).
    Everyone,
    /// Only the users the registration report lists with a pass, read with
    /// `methodsRegistered/any(x:x eq 'temporaryAccessPass')`, then confirmed with the same
    /// batched pass read.
    FromReport,
}

/// How a scan finds its candidates: the report only for the whole tenant (a group or a
/// search is small already), not for an admin scoped to units (the report is tenant-wide and
/// needs a tenant-wide reports role), only when the session holds the report's permission
/// (`AuditLog.Read.All`, never asked for here) and the admin left "use the report" on.
pub fn candidates(
    source: Source,
    unit_scoped: bool,
    may_read_report: bool,
    wanted: bool,
) -> Candidates {
    if source == Source::Tenant && !unit_scoped && may_read_report && wanted {
        Candidates::FromReport
    } else {
        Candidates::Everyone
    }
}

/// The users the report lists, as the batched pass read wants them (id, names, type).
pub fn report_users(rows: Vec<RegistrationDetails>) -> Vec<User> {
    rows.into_iter()
        .filter(|r| !r.id.is_empty())
        .map(|r| User {
            id: r.id,
            display_name: Some(r.user_display_name).filter(|n| !n.is_empty()),
            user_principal_name: Some(r.user_principal_name).filter(|n| !n.is_empty()),
            user_type: Some(r.user_type).filter(|t| !t.is_empty()),
            ..User::default()
        })
        .collect()
}

/// True when a failed report read should give way to the full scan: Graph refused it
/// (403: the permission, a reports role or the Entra ID P1/P2 licence missing; 400: a filter
/// this tenant does not take). Other failures (network, 5xx after retries) are the scan's
/// failure, as a failed user listing is.
pub fn report_falls_back(e: &GraphError) -> bool {
    matches!(e.status, 400 | 403)
}

/// What the status note says when the report was used: how many it listed, and that it may
/// lag (Learn, "Authentication Methods Activity", limitations: "not updated in real-time and
/// may reflect a latency of up to a few hours"; disabled users are not in it).
pub fn report_words(listed: usize) -> String {
    format!(
        "The registration report lists {} with a pass: only {} checked. The report may lag by up to a few hours and leaves out disabled accounts, so a pass created in the last hours may be missing: switch off \"Use the registration report\" to check every user.",
        messages::count(listed, "user", "users"),
        if listed == 1 { "that user was" } else { "those were" }
    )
}

/// What the status note says when the report was refused and every user is checked instead.
pub fn report_refused_words(e: &GraphError) -> String {
    let why = if e.status == 403 && e.code.contains("NonPremium") {
        "this tenant has no Microsoft Entra ID P1 or P2 licence, which the report needs"
    } else if e.status == 403 {
        "reading it needs AuditLog.Read.All and the Reports Reader, Security Reader, Security Administrator, Global Reader or Global Administrator role"
    } else {
        "Graph refused the query"
    };
    format!("The registration report could not be used ({why}): every user is checked instead, one batched read per 20 users.")
}

/// The Graph requests a tenant-wide scan of `users` users makes, from the page's own sizes:
/// listing every user (999 a page) then one `$batch` per [`batch::MAX_PER_BATCH`] users; or,
/// with the report listing `candidates` users with a pass at `report_page` rows a page, the
/// report's pages then one `$batch` per 20 candidates. Throttling retries not counted.
pub fn scan_requests(users: usize, candidates: Option<usize>, report_page: usize) -> usize {
    let batches = |n: usize| n.div_ceil(batch::MAX_PER_BATCH);
    match candidates {
        None => users.div_ceil(USERS_PAGE).max(1) + batches(users),
        Some(c) => c.div_ceil(report_page.max(1)).max(1) + batches(c),
    }
}

/// Users per page of the tenant's user list (`api::users_page`'s `$top`).
pub const USERS_PAGE: usize = 999;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::time;
    use serde_json::json;

    const NOW: &str = "2026-11-27T12:00:00Z";

    fn now() -> f64 {
        time::parse_ms(NOW).unwrap()
    }

    fn holder(name: &str, start: &str, minutes: u32, once: bool, reason: Option<&str>) -> Holder {
        let mut pass = json!({"id": format!("p-{name}"), "startDateTime": start, "lifetimeInMinutes": minutes, "isUsableOnce": once});
        if let Some(r) = reason {
            pass["methodUsabilityReason"] = json!(r);
            pass["isUsable"] = json!(r == "EnabledByPolicy");
        }
        let user = User {
            id: format!("u-{name}"),
            display_name: Some(name.into()),
            ..User::default()
        };
        Holder::new(user, serde_json::from_value(pass).unwrap(), now())
    }

    #[test]
    fn standings_follow_graph_and_the_clock() {
        assert_eq!(
            holder("a", "2026-11-27T11:00:00Z", 120, true, None).standing,
            Standing::UsableNow
        );
        assert_eq!(
            holder("b", "2026-11-28T09:00:00Z", 60, true, None).standing,
            Standing::NotYetValid
        );
        assert_eq!(
            holder("c", "2026-11-20T09:00:00Z", 60, true, None).standing,
            Standing::Expired
        );
        assert_eq!(
            holder("d", "2026-11-27T11:00:00Z", 120, true, Some("OneTimeUsed")).standing,
            Standing::Used
        );
        assert_eq!(
            holder(
                "e",
                "2026-11-27T11:00:00Z",
                120,
                true,
                Some("DisabledByPolicy")
            )
            .standing,
            Standing::Blocked
        );
        assert!(holder("f", "2026-11-27T11:00:00Z", 1440, false, None).long_lived());
    }

    #[test]
    fn filters_combine_standings_with_flags() {
        let all = vec![
            holder(
                "usable-multi-long",
                "2026-11-27T11:00:00Z",
                1440,
                false,
                None,
            ),
            holder("usable-once", "2026-11-27T11:00:00Z", 120, true, None),
            holder("later", "2026-11-28T09:00:00Z", 60, false, None),
            holder("old", "2026-11-20T09:00:00Z", 60, true, None),
        ];
        let names = |f: Filter| -> Vec<String> {
            all.iter()
                .filter(|h| f.keeps(h))
                .map(|h| h.user.name().to_owned())
                .collect()
        };
        assert_eq!(names(Filter::default()).len(), 4);
        assert_eq!(
            names(Filter {
                usable_now: true,
                ..Filter::default()
            }),
            ["usable-multi-long", "usable-once"]
        );
        assert_eq!(
            names(Filter {
                usable_now: true,
                expired: true,
                ..Filter::default()
            })
            .len(),
            3
        );
        assert_eq!(
            names(Filter {
                multi_use: true,
                ..Filter::default()
            }),
            ["usable-multi-long", "later"]
        );
        assert_eq!(
            names(Filter {
                multi_use: true,
                long_lifetime: true,
                ..Filter::default()
            }),
            ["usable-multi-long"]
        );
        let mut sorted = all.clone();
        sort(&mut sorted, Sort::EndsFirst);
        assert_eq!(sorted[0].user.name(), "old");
        sort(&mut sorted, Sort::LongestLifetime);
        assert_eq!(sorted[0].user.name(), "usable-multi-long");
        sort(&mut sorted, Sort::Standing);
        assert_eq!(sorted.last().unwrap().user.name(), "old");
    }

    #[test]
    fn scan_answers_and_revocations_are_accounted_for() {
        let users: Vec<User> = (0..4)
            .map(|i| User {
                id: format!("u{i}"),
                ..User::default()
            })
            .collect();
        let items = scan_items(&users);
        assert_eq!(
            items[2].url,
            "/users/u2/authentication/temporaryAccessPassMethods"
        );
        let answer = |id: &str| -> Option<Result<BatchItemResponse, GraphError>> {
            let r = |status, body| {
                Some(Ok(BatchItemResponse {
                    id: id.into(),
                    status,
                    headers: Default::default(),
                    body: Some(body),
                }))
            };
            match id {
                "0" => r(
                    200,
                    json!({"value":[{"id":"p0","startDateTime":NOW,"lifetimeInMinutes":60}]}),
                ),
                "1" => r(200, json!({"value":[]})),
                "2" => r(
                    403,
                    json!({"error":{"code":"Authorization_RequestDenied","message":"no"}}),
                ),
                _ => None,
            }
        };
        let f = found(&users, answer, now());
        assert_eq!(f.holders.len(), 1);
        assert_eq!(f.unreadable.len(), 1);
        assert_eq!(f.unreadable[0].1.status, 403);

        let holders = vec![
            f.holders[0].clone(),
            f.holders[0].clone(),
            f.holders[0].clone(),
            f.holders[0].clone(),
        ];
        let del = revoke_items(&holders);
        assert_eq!(
            (del[0].method.as_str(), del[0].url.as_str()),
            (
                "DELETE",
                "/users/u0/authentication/temporaryAccessPassMethods/p0"
            )
        );
        let outcome = revoked(&holders, |id| {
            let r = |status| {
                Some(Ok(BatchItemResponse {
                    id: id.into(),
                    status,
                    headers: Default::default(),
                    body: None,
                }))
            };
            match id {
                "0" => r(204),
                "1" => r(404),
                "2" => r(403),
                _ => None,
            }
        });
        assert_eq!(
            (outcome.deleted, outcome.already_gone, outcome.failed.len()),
            (1, 1, 2)
        );
    }

    fn named(id: &str, name: &str, upn: &str) -> Holder {
        let mut h = holder(name, NOW, 60, true, None);
        h.user.id = id.into();
        h.user.user_principal_name = Some(upn.into());
        h
    }

    #[test]
    fn only_shown_and_selected_rows_are_revoked() {
        let rows = [
            named("a", "Ann", "ann@x"),
            named("b", "Bo", "bo@x"),
            named("c", "Cy", "cy@x"),
        ];
        // "b" is selected but hidden by a filter (not among the shown rows).
        let shown = [rows[0].clone(), rows[2].clone()];
        let c = chosen(&shown, &["b".into(), "C".into()]);
        assert_eq!(
            c.holders
                .iter()
                .map(|h| h.user.id.as_str())
                .collect::<Vec<_>>(),
            ["c"]
        );
        assert_eq!(c.hidden, 1);
        assert_eq!(chosen(&shown, &[]), Chosen::default());
    }

    #[test]
    fn the_confirmation_names_the_users() {
        let one = [named("a", "Ann Lee", "ann@x")];
        assert_eq!(
            confirm_sentence(&one),
            "Delete the pass of Ann Lee (1 user)? They can no longer sign in with them."
        );
        let two = [named("a", "Ann Lee", "ann@x"), named("b", "Bo Ray", "bo@x")];
        assert!(
            confirm_sentence(&two)
                .starts_with("Delete the passes of Ann Lee and Bo Ray (2 users)?"),
            "{}",
            confirm_sentence(&two)
        );
        let many: Vec<Holder> = (0..8)
            .map(|i| named(&format!("u{i}"), &format!("User {i}"), "u@x"))
            .collect();
        let s = confirm_sentence(&many);
        assert!(
            s.contains("User 0, User 1, User 2, User 3, User 4 and 3 more (8 users)"),
            "{s}"
        );
        assert!(!s.contains("User 5"), "{s}");
        // Two people with one name are told apart by their UPN.
        let twins = [
            named("a", "Sam Lee", "sam.lee@x"),
            named("b", "Sam Lee", "sam.lee2@x"),
        ];
        assert!(
            confirm_sentence(&twins).contains("Sam Lee (sam.lee@x) and Sam Lee (sam.lee2@x)"),
            "{}",
            confirm_sentence(&twins)
        );
    }

    #[test]
    fn outcomes_are_keyed_by_object_id_not_by_name() {
        // Two people named "Sam Lee": the first revocation fails, the second works.
        let twins = vec![
            named("a", "Sam Lee", "sam.lee@x"),
            named("b", "Sam Lee", "sam.lee2@x"),
        ];
        let other = named("c", "Cy", "cy@x");
        let outcome = revoked(&twins, |id| {
            Some(Ok(BatchItemResponse {
                id: id.into(),
                status: if id == "0" { 500 } else { 204 },
                headers: Default::default(),
                body: None,
            }))
        });
        assert_eq!(outcome.deleted, 1);
        assert_eq!(outcome.failed.len(), 1);
        assert_eq!(outcome.failed[0].user_id, "a");
        assert_eq!(outcome.failed[0].name, "Sam Lee (sam.lee@x)");
        let mut found = vec![twins[0].clone(), twins[1].clone(), other.clone()];
        let mut selected: Vec<String> = vec!["a".into(), "b".into(), "c".into()];
        after_revoke(&mut found, &mut selected, &twins, &outcome);
        assert_eq!(
            found.iter().map(|h| h.user.id.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(
            selected,
            ["a", "c"],
            "the failed row and the untouched selection stay"
        );
    }

    #[test]
    fn a_pass_already_gone_counts_as_deleted() {
        let status = |status| GraphError {
            status,
            ..GraphError::default()
        };
        assert_eq!(deleted(Ok(())), Ok(()));
        assert_eq!(deleted(Err(status(404))), Ok(()));
        assert_eq!(deleted(Err(status(403))).map_err(|e| e.status), Err(403));
    }

    #[test]
    fn scans_start_only_with_enough_to_go_on_and_say_what_they_found() {
        assert_eq!(
            scan_refusal(Source::Search, " a ", false),
            Some("Type at least two letters to search.")
        );
        assert_eq!(scan_refusal(Source::Search, "ad", false), None);
        assert_eq!(
            scan_refusal(Source::Group, "", false),
            Some("Pick a group first.")
        );
        assert_eq!(scan_refusal(Source::Group, "", true), None);
        assert_eq!(scan_refusal(Source::Tenant, "", false), None);
        assert_eq!(
            scan_words(false, 3, 3, 1, 0),
            "3 of 3 users checked · 1 holds a pass · 0 could not be read."
        );
        assert_eq!(
            scan_words(true, 1, 3, 0, 1),
            "Stopped. 1 of 3 users checked · 0 hold a pass · 1 could not be read."
        );
        let r = Revoked {
            deleted: 2,
            already_gone: 1,
            failed: vec![],
        };
        assert_eq!(
            revoked_words(&r),
            "2 passes deleted · 1 was already gone · 0 could not be deleted."
        );
        let one = Revoked {
            deleted: 1,
            already_gone: 0,
            failed: vec![],
        };
        assert_eq!(
            revoked_words(&one),
            "1 pass deleted · 0 were already gone · 0 could not be deleted."
        );
        assert_eq!(
            scan_words(false, 1, 1, 1, 0),
            "1 of 1 users checked · 1 holds a pass · 0 could not be read."
        );
        assert_eq!(hidden_words(0), None);
        assert_eq!(
            hidden_words(1).as_deref(),
            Some("1 selected user is hidden by the filters: their pass will not be deleted.")
        );
        assert_eq!(
            hidden_words(2).as_deref(),
            Some("2 selected users are hidden by the filters: their passes will not be deleted.")
        );
        assert_eq!(delete_words(0), "Delete selected passes");
        assert_eq!(delete_words(1), "Delete 1 selected pass");
        assert_eq!(delete_words(2), "Delete 2 selected passes");
    }

    #[test]
    fn the_table_shows_what_the_filter_keeps_in_order() {
        let mut list = vec![named("b", "Bea", "bea@x"), named("a", "Al", "al@x")];
        list[1].one_time = false;
        let names = |f: Filter, o: Sort| {
            shown(&list, f, o)
                .iter()
                .map(|h| h.user.name().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Filter::default(), Sort::Name), ["Al", "Bea"]);
        let multi = Filter {
            multi_use: true,
            ..Filter::default()
        };
        assert_eq!(names(multi, Sort::Name), ["Al"]);
    }

    #[test]
    fn the_report_finds_candidates_only_for_a_tenant_scan_it_may_read() {
        use Candidates::*;
        assert_eq!(candidates(Source::Tenant, false, true, true), FromReport);
        assert_eq!(candidates(Source::Tenant, false, true, false), Everyone);
        assert_eq!(candidates(Source::Tenant, false, false, true), Everyone);
        assert_eq!(candidates(Source::Tenant, true, true, true), Everyone);
        assert_eq!(candidates(Source::Group, false, true, true), Everyone);
        assert_eq!(candidates(Source::Search, false, true, true), Everyone);
    }

    #[test]
    fn report_rows_become_users_and_refusals_fall_back_in_words() {
        let rows: Vec<RegistrationDetails> = serde_json::from_value(json!([
            {"id": "u1", "userPrincipalName": "a@x", "userDisplayName": "Ada", "userType": "member", "methodsRegistered": ["temporaryAccessPass"]},
            {"id": "", "userPrincipalName": "ghost@x"},
            {"id": "u2", "userPrincipalName": "b@x", "userDisplayName": ""}
        ]))
        .unwrap();
        let users = report_users(rows);
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].name(), "Ada");
        assert_eq!(users[1].display_name, None);
        assert_eq!(
            scan_items(&users)[1].url,
            "/users/u2/authentication/temporaryAccessPassMethods"
        );
        let licence = GraphError {
            status: 403,
            code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant".into(),
            ..GraphError::network("x")
        };
        assert!(report_falls_back(&licence));
        assert!(report_refused_words(&licence).contains("P1 or P2"));
        let role = GraphError {
            status: 403,
            code: "Authorization_RequestDenied".into(),
            ..GraphError::network("x")
        };
        assert!(report_refused_words(&role).contains("Reports Reader"));
        assert!(!report_falls_back(&GraphError {
            status: 503,
            ..GraphError::network("x")
        }));
        assert!(!report_falls_back(&GraphError::network("x")));
        assert!(report_words(3).contains("up to a few hours"));
        assert!(report_words(1).contains("1 user with a pass"));
    }

    #[test]
    fn a_report_scan_of_a_large_tenant_makes_far_fewer_requests() {
        // 100,000 users: 101 pages of users and 5,000 batches; with 300 holders in the report,
        // 3 report pages and 15 batches.
        assert_eq!(scan_requests(100_000, None, 100), 101 + 5_000);
        assert_eq!(scan_requests(100_000, Some(300), 100), 3 + 15);
        assert_eq!(scan_requests(100_000, Some(0), 100), 1);
        assert_eq!(scan_requests(0, None, 100), 1);
    }
}
