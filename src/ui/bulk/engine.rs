//! The bulk screen's work: the dry run (lookups in `$batch`es) and the run loop (creates in
//! `$batch`es of 20, a bounded number in flight, throttled items retried after their own
//! `Retry-After`, lost answers resolved by listing, pause and cancel).

use leptos::prelude::*;

use super::{Bulk, Item, Step};
use crate::bulk::batch::{JobState, Run};
use crate::bulk::input::Parsed;
use crate::bulk::lookup;
use crate::bulk::plan::{self, Lookup, PlanContext};
use crate::bulk::start;
use crate::graph::batch::{self, BatchRequest};
use crate::graph::models::{TapPolicy, User};
use crate::graph::{api, GraphError};
use crate::messages;
use crate::tap::FormBounds;
use crate::ui::{browser, Ctx};

/// How long the run loop sleeps when it has nothing to send.
const IDLE_MS: u32 = 100;

/// The input screen's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub lifetime_minutes: Option<u32>,
    pub one_time: bool,
    pub start_ms: Option<f64>,
}

/// Every member of a group (nested groups included), following the pages.
pub async fn all_members(ctx: Ctx, group_id: &str) -> Result<Vec<User>, GraphError> {
    ctx.graph()
        .all_pages(api::group_members(group_id), |_| true)
        .await
}

fn context<'a>(
    bounds: &'a FormBounds,
    policy: Option<&'a TapPolicy>,
    ctx: Ctx,
    defaults: &Defaults,
) -> (PlanContext<'a>, String) {
    let (capability, me) = ctx.session.with_value(|s| {
        (
            messages::capability(s.account().roles.as_deref()),
            s.account().object_id.clone(),
        )
    });
    (
        PlanContext {
            bounds,
            policy,
            capability,
            admin_object_id: "",
            defaults: plan::Defaults {
                lifetime_minutes: defaults.lifetime_minutes,
                one_time: defaults.one_time,
            },
        },
        me,
    )
}

/// Looks every row up in batches and gives each its verdict; then shows the preview.
pub async fn dry_run(
    bulk: Bulk,
    mut parsed: Parsed,
    policy: Option<TapPolicy>,
    defaults: Defaults,
) {
    let bounds = FormBounds::new(policy.as_ref());
    let groups = policy
        .as_ref()
        .map(crate::tap::groups_to_check)
        .unwrap_or_default();
    // Without a group permission `checkMemberGroups` is refused: not sent, coverage unknown.
    let membership_readable = crate::tap::MEMBERSHIP_PERMISSIONS
        .iter()
        .any(|p| bulk.ctx.may(p));
    let coverage_unknown = !groups.is_empty() && !membership_readable;
    let groups = if membership_readable { groups } else { vec![] };
    let parts = lookup::dry_run_items(&parsed.rows, &groups);
    // Every lookup is a read: sent through the one fan-out (throttled items sent again), one
    // wave at a time so only a wave's answers are held in memory (10,000 rows make 40,000).
    let mut lookups = vec![
        Lookup {
            coverage_unknown,
            ..Lookup::default()
        };
        parsed.rows.len()
    ];
    for wave in parts.chunks(batch::MAX_PER_BATCH * batch::IN_FLIGHT) {
        let items = wave.iter().map(|p| p.item.clone()).collect();
        let answers = bulk.ctx.graph().send_all(items, || false, |_, _| {}).await;
        for p in wave {
            match answers.get(&p.item.id) {
                Some(Ok(r)) => lookup::apply(&mut lookups[p.row], p.part, r),
                Some(Err(e)) => lookups[p.row].lookup_error = Some(e.clone()),
                None => {}
            }
        }
    }
    let (mut plan_ctx, me) = context(&bounds, policy.as_ref(), bulk.ctx, &defaults);
    plan_ctx.admin_object_id = &me;
    // One line per user: a later line whose user resolved to an object id already kept (a UPN
    // and the same user's id) is listed as "same user as …" and never created.
    let several = parsed.several;
    let (entries, same_users) = crate::bulk::merge::by_object_id(
        std::mem::take(&mut parsed.rows)
            .into_iter()
            .zip(lookups)
            .collect(),
        |l: &Lookup| l.user.as_ref().map(|u| u.id.as_str()),
        several,
    );
    let (now, browser_zone) = (browser::now_ms(), browser::time_zone());
    let items: Vec<Item> = entries
        .into_iter()
        .map(|(row, lookup)| {
            let mut verdict = plan::verdict(&row, &lookup, &plan_ctx);
            let zone = row.start.as_ref().and_then(|s| s.time_zone.clone());
            let start_ms = match start::resolve(
                row.start.as_ref(),
                defaults.start_ms,
                now,
                &browser_zone,
                browser::zoned_to_utc,
            ) {
                Ok(ms) => ms,
                Err(problem) => {
                    verdict = start::with_problem(verdict, problem);
                    None
                }
            };
            let body = plan::new_pass(
                &row,
                start_ms.map(crate::graph::time::format_utc),
                &plan_ctx,
            );
            Item {
                row,
                lookup,
                verdict,
                zone,
                body,
            }
        })
        .collect();
    let problems = crate::bulk::merge::listed(parsed, same_users);
    bulk.update(|d| {
        d.items = items;
        d.problems = problems;
        d.several = several;
        d.run = None;
        d.jobs.clear();
    });
    bulk.include_admins.set(false);
    bulk.step.set(Step::Preview);
}

/// Starts the run over every row that is not blocked (admin accounts only when ticked).
pub fn start(bulk: Bulk) {
    let include_admins = bulk.include_admins.get_untracked();
    bulk.update(|d| {
        d.jobs = d
            .items
            .iter()
            .enumerate()
            .filter(|(_, i)| match i.verdict {
                plan::Verdict::Blocked(_) => false,
                // Privileged targets only after the admin's explicit tick.
                plan::Verdict::Confirm(_) => include_admins,
                _ => true,
            })
            .map(|(n, _)| n)
            .collect();
        let previous = d
            .jobs
            .iter()
            .map(|&n| d.items[n].lookup.existing.as_ref().map(|p| p.id.clone()))
            .collect();
        d.run = Some(Run::new(d.jobs.len(), previous));
        d.started_ms = browser::now_ms();
    });
    bulk.step.set(Step::Running);
    leptos::task::spawn_local(run_loop(bulk));
}

fn body_of(bulk: Bulk, job: usize) -> Option<(String, crate::graph::models::NewPass)> {
    bulk.data.with_value(|d| {
        let item = &d.items[*d.jobs.get(job)?];
        let user_id = item
            .lookup
            .user
            .as_ref()
            .map_or_else(|| item.row.upn.clone(), |u| u.id.clone());
        Some((user_id, item.body.clone()))
    })
}

async fn send_batch(bulk: Bulk, jobs: Vec<usize>) {
    let requests: Vec<batch::BatchItem> = jobs
        .iter()
        .filter_map(|&j| {
            body_of(bulk, j).map(|(user, body)| batch::create_item(j.to_string(), &user, &body))
        })
        .collect();
    let request = BatchRequest { requests };
    let answer = bulk.ctx.graph().send(batch::envelope(&request)).await;
    let now = browser::now_ms();
    bulk.update(|d| {
        let Some(run) = d.run.as_mut() else { return };
        match answer {
            Ok(resp) => {
                for r in &resp.responses {
                    if let Ok(job) = r.id.parse::<usize>() {
                        run.record_item(job, r, now);
                    }
                }
            }
            // Not processed: throttled as a whole, or no token could be had (never sent).
            Err(e) if e.status == 429 => run.record_envelope_throttled(
                &jobs,
                now + f64::from(e.retry_after.unwrap_or(1)) * 1000.0,
            ),
            Err(e) if e.status == 401 || e.needs_sign_in() => {
                run.record_envelope_throttled(&jobs, now);
                bulk.paused.set(true);
            }
            // The envelope may have run: every item in it is resolved by listing.
            Err(_) => run.record_lost(&jobs),
        }
    });
}

/// Lists the pass of every job whose outcome is unknown and settles it.
async fn resolve_ambiguous(bulk: Bulk) {
    let ambiguous: Vec<(usize, String)> = bulk.data.with_value(|d| {
        let Some(run) = d.run.as_ref() else {
            return Vec::new();
        };
        run.ambiguous()
            .into_iter()
            .filter_map(|j| {
                let item = &d.items[*d.jobs.get(j)?];
                Some((
                    j,
                    item.lookup
                        .user
                        .as_ref()
                        .map_or_else(|| item.row.upn.clone(), |u| u.id.clone()),
                ))
            })
            .collect()
    });
    for chunk in ambiguous.chunks(batch::MAX_PER_BATCH) {
        let request = BatchRequest {
            requests: chunk
                .iter()
                .map(|(j, u)| batch::list_passes_item(j.to_string(), u))
                .collect(),
        };
        let answer = bulk
            .ctx
            .graph()
            .send(batch::envelope_of_reads(&request))
            .await;
        let Ok(resp) = answer else { continue };
        bulk.update(|d| {
            let Some(run) = d.run.as_mut() else { return };
            for r in &resp.responses {
                let Ok(job) = r.id.parse::<usize>() else {
                    continue;
                };
                if r.status != 200 {
                    // A user who does not exist has no pass; anything else leaves the outcome unknown.
                    if r.status == 404 {
                        run.resolve(job, None);
                    } else {
                        run.unresolvable(job, batch::item_error(r));
                    }
                    continue;
                }
                let current = r
                    .body
                    .as_ref()
                    .and_then(|b| {
                        serde_json::from_value::<
                            crate::graph::models::Page<crate::graph::models::TemporaryAccessPass>,
                        >(b.clone())
                        .ok()
                    })
                    .and_then(|p| p.value.into_iter().next());
                run.resolve(job, current.as_ref());
            }
        });
    }
}

async fn run_loop(bulk: Bulk) {
    let in_flight = RwSignal::new(0u32);
    loop {
        if bulk
            .data
            .try_with_value(|d| d.run.is_none())
            .unwrap_or(true)
        {
            return;
        }
        if !bulk.paused.get_untracked() {
            while in_flight.get_untracked() < bulk.max_in_flight.get_untracked() {
                let next = bulk
                    .data
                    .try_update_value(|d| {
                        d.run.as_mut().and_then(|r| r.next_batch(browser::now_ms()))
                    })
                    .flatten();
                let Some(jobs) = next else { break };
                in_flight.update(|n| *n += 1);
                bulk.version.update(|v| *v += 1);
                leptos::task::spawn_local(async move {
                    send_batch(bulk, jobs).await;
                    in_flight.update(|n| *n -= 1);
                });
            }
        }
        if in_flight.get_untracked() == 0 {
            let has_ambiguous = bulk
                .data
                .with_value(|d| d.run.as_ref().is_some_and(|r| !r.ambiguous().is_empty()));
            if has_ambiguous {
                resolve_ambiguous(bulk).await;
                continue;
            }
            if bulk
                .data
                .with_value(|d| d.run.as_ref().is_none_or(Run::is_finished))
            {
                // Every user who got a pass (its value seen or not) is followed on Tracking.
                let created: Vec<String> = bulk.data.with_value(|d| {
                    let Some(run) = d.run.as_ref() else {
                        return Vec::new();
                    };
                    (0..run.len())
                        .filter(|&j| {
                            matches!(
                                run.state(j),
                                JobState::Created(_) | JobState::CreatedUnseen { .. }
                            )
                        })
                        .filter_map(|j| {
                            d.items[*d.jobs.get(j)?]
                                .lookup
                                .user
                                .as_ref()
                                .map(|u| u.id.clone())
                        })
                        .collect()
                });
                bulk.ctx.track(&created);
                bulk.update(|d| d.results_at_ms = Some(browser::now_ms()));
                bulk.step.set(Step::Results);
                bulk.version.update(|v| *v += 1);
                return;
            }
        }
        gloo_timers::future::TimeoutFuture::new(IDLE_MS).await;
    }
}
