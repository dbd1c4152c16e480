//! The bulk screen's work: the dry run (lookups in `$batch`es) and the run loop (creates in
//! `$batch`es of 20, a bounded number in flight, throttled items retried after their own
//! `Retry-After`, lost answers resolved by listing, pause and cancel). It only sends and
//! redraws: every decision is in `bulk::check` and `bulk::state`.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use leptos::prelude::*;

use super::{Bulk, Step};
use crate::bulk::check::{self, Defaults};
use crate::bulk::input::Parsed;
use crate::bulk::lookup;
use crate::bulk::plan::{self, Lookup, PlanContext};
use crate::bulk::state::Between;
use crate::bulk::summary;
use crate::graph::batch::{self, BatchRequest};
use crate::graph::models::{TapPolicy, User};
use crate::graph::{api, GraphError};
use crate::tap::FormBounds;
use crate::ui::{browser, Ctx};

/// Longest the run loop sleeps when it has nothing to send (it wakes sooner when a batch
/// answers or a throttled job's `Retry-After` ends): how soon Pause, Resume and Cancel act.
const IDLE_MS: f64 = 100.0;

/// Wakes the sleeping run loop when a batch answers (one thread: a flag and the loop's waker).
#[derive(Clone, Default)]
struct Wake(Rc<(Cell<bool>, RefCell<Option<Waker>>)>);

impl Wake {
    fn wake(&self) {
        self.0 .0.set(true);
        if let Some(w) = self.0 .1.borrow_mut().take() {
            w.wake();
        }
    }

    /// Sleeps at most `ms`; returns sooner when [`Wake::wake`] was called since the last sleep.
    async fn sleep(&self, ms: u32) {
        let mut tick = gloo_timers::future::TimeoutFuture::new(ms);
        std::future::poll_fn(|cx| {
            if self.0 .0.replace(false) || Pin::new(&mut tick).poll(cx).is_ready() {
                return Poll::Ready(());
            }
            *self.0 .1.borrow_mut() = Some(cx.waker().clone());
            Poll::Pending
        })
        .await
    }
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
    let capability = ctx.capability();
    let me = ctx.session.with_value(|s| s.account().object_id.clone());
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
            scope: None,
        },
        me,
    )
}

/// Looks every row up in batches and gives each its verdict; then shows the preview.
pub async fn dry_run(bulk: Bulk, parsed: Parsed, policy: Option<TapPolicy>, defaults: Defaults) {
    let bounds = FormBounds::new(policy.as_ref());
    let membership = check::membership(policy.as_ref(), |p| bulk.ctx.may(p));
    let mut parts = lookup::dry_run_items(&parsed.rows, &membership.groups);
    // An admin scoped to units also reads each user's units (issue 16).
    let known = bulk.ctx.scope.get_untracked();
    if known.unit_ids().is_some() {
        parts.extend(lookup::unit_items(&parsed.rows));
    }
    // Every lookup is a read: sent through the one fan-out (throttled items sent again), one
    // wave at a time so only a wave's answers are held in memory (10,000 rows make 40,000).
    let mut lookups = vec![
        Lookup {
            coverage_unknown: membership.coverage_unknown,
            ..Lookup::default()
        };
        parsed.rows.len()
    ];
    for wave in parts.chunks(batch::MAX_PER_BATCH * batch::IN_FLIGHT) {
        let items = wave.iter().map(|p| p.item.clone()).collect();
        let answers = bulk.ctx.graph().send_all(items, || false, |_, _| {}).await;
        check::apply_wave(&mut lookups, wave, &answers);
    }
    let (mut plan_ctx, me) = context(&bounds, policy.as_ref(), bulk.ctx, &defaults);
    plan_ctx.admin_object_id = &me;
    plan_ctx.scope = Some(&known);
    let zone = browser::time_zone();
    let clock = check::Clock {
        now_ms: browser::now_ms(),
        zone: &zone,
        to_utc: &browser::zoned_to_utc,
    };
    let preview = check::preview(parsed, lookups, &plan_ctx, defaults.start_ms, &clock);
    bulk.update(|d| {
        d.preview(preview);
        d.default_minutes = Some(bounds.default_minutes);
    });
    bulk.include_admins.set(false);
    bulk.wave_users.set(None);
    if bulk.from_campaign.get_untracked() {
        let users = wave_users(bulk);
        bulk.wave_users.set(Some((
            users,
            policy.as_ref().and_then(|p| p.is_usable_once),
        )));
    }
    bulk.step.set(Step::Preview);
    // Focus goes to the counts; the live region says how many users were found.
    bulk.announce.set(
        bulk.data
            .with_value(|d| summary::users_found(d.users_found())),
    );
    super::browser::focus_soon("#bulk-counts");
}

/// The users a campaign wave's dry run found, for its passkey-registration check.
fn wave_users(bulk: Bulk) -> Vec<crate::campaign::readiness::WaveUser> {
    bulk.data.with_value(|d| {
        d.items
            .iter()
            .filter_map(|i| {
                let u = i.lookup.user.as_ref()?;
                Some(crate::campaign::readiness::WaveUser {
                    id: u.id.clone(),
                    is_guest: u.is_guest(),
                    roles: i
                        .lookup
                        .roles
                        .0
                        .iter()
                        .filter_map(|r| r.template_id.clone())
                        .collect(),
                })
            })
            .collect()
    })
}

/// Starts the run over every row that is not blocked (admin accounts only when ticked).
pub fn start(bulk: Bulk, run: Action<(), ()>) {
    let include_admins = bulk.include_admins.get_untracked();
    bulk.update(|d| d.start(include_admins, browser::now_ms()));
    bulk.announce.set(String::new());
    bulk.step.set(Step::Running);
    run.dispatch_local(());
}

async fn send_batch(bulk: Bulk, jobs: Vec<usize>) {
    let requests = bulk.data.with_value(|d| d.create_items(&jobs));
    let request = BatchRequest { requests };
    let answer = bulk.ctx.graph().send(batch::envelope(&request)).await;
    let now = browser::now_ms();
    let mut pause = false;
    bulk.update(|d| pause = d.record_answer(&jobs, answer, now));
    if pause {
        bulk.paused.set(true);
    }
}

/// Lists the pass of every job whose outcome is unknown and settles it.
async fn resolve_ambiguous(bulk: Bulk) {
    let ambiguous = bulk.data.with_value(|d| d.ambiguous_targets());
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
        bulk.update(|d| d.record_listing(&resp));
    }
}

/// Sends batches while the run has sendable jobs and fewer than "Batches in flight" are out,
/// settles lost answers once every batch is back, and shows the results when all is settled.
pub async fn run_loop(bulk: Bulk) {
    let in_flight = RwSignal::new(0u32);
    // Each answer wakes the loop at once: a slot it frees is refilled without waiting for the
    // idle tick (issue 14: the tick cost up to 100 ms per round).
    let answered = Wake::default();
    loop {
        if bulk
            .data
            .try_with_value(|d| d.run.is_none())
            .unwrap_or(true)
        {
            return;
        }
        if !bulk.paused.get_untracked() {
            loop {
                let (out, max) = (
                    in_flight.get_untracked(),
                    bulk.max_in_flight.get_untracked(),
                );
                let next = bulk
                    .data
                    .try_update_value(|d| d.take_batch(out, max, browser::now_ms()))
                    .flatten();
                let Some(jobs) = next else { break };
                in_flight.update(|n| *n += 1);
                bulk.version.update(|v| *v += 1);
                let answered = answered.clone();
                leptos::task::spawn_local(async move {
                    send_batch(bulk, jobs).await;
                    in_flight.update(|n| *n -= 1);
                    answered.wake();
                });
            }
        }
        match bulk
            .data
            .with_value(|d| d.between(in_flight.get_untracked()))
        {
            Between::Resolve => {
                resolve_ambiguous(bulk).await;
                continue;
            }
            Between::Finish => {
                // Every user who got a pass (its value seen or not) is followed on Tracking.
                let created = bulk.data.with_value(|d| d.created_users());
                bulk.ctx.track(&created);
                bulk.update(|d| d.results_at_ms = Some(browser::now_ms()));
                bulk.step.set(Step::Results);
                bulk.version.update(|v| *v += 1);
                // Focus goes to the results heading; the live region says the totals.
                bulk.announce.set(bulk.data.with_value(|d| d.run_ended()));
                super::browser::focus_soon("#bulk-results-title");
                return;
            }
            Between::Wait => {}
        }
        let sleep = bulk.data.with_value(|d| {
            d.idle_wait_ms(
                in_flight.get_untracked(),
                bulk.max_in_flight.get_untracked(),
                browser::now_ms(),
                IDLE_MS,
            )
        });
        answered.sleep(sleep as u32).await;
    }
}
