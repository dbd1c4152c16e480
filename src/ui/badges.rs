//! The Badges screen (issue 16 point 3): QR code + PIN badges for frontline workers. A pasted
//! list goes through a dry run (the user, their roles, their units for an admin scoped to
//! units, the `qrCodePin` policy's targets and any badge they already have); the ready lines
//! get a badge each in `$batch`es of 20, throttled items sent again after their `Retry-After`,
//! a lost answer settled by reading the user's method, never by sending the create again blind
//! (`badge::run`). Each PIN and QR content is shown once: PINs masked until revealed, a sheet of
//! badges without PINs and a separate sheet of PIN slips to print, all of it gone after Done,
//! the time-out or leaving the page. One user's badge (a temporary code, delete) is in `one`.

use std::time::Duration;

use leptos::prelude::*;

mod one;
mod sheets;

use super::hooks::{use_now, use_page_hide};
use super::{browser, Ctx};
use crate::badge::plan::{self, BadgeRead, Line};
use crate::badge::run::{BadgeJob, BadgeRun};
use crate::badge::Bounds;
use crate::bulk::check;
use crate::bulk::input::parse_list;
use crate::bulk::plan::Lookup;
use crate::graph::api::{self, QrPolicy};
use crate::graph::batch::{self, BatchRequest};
use crate::graph::GraphError;
use crate::permission;

/// What creating and deleting badges needs (asked for on this screen, on first use).
const PERMISSIONS: &[&str] = &[permission::QR_WRITE.name];

/// Longest the run loop sleeps between looks at a throttled item's `Retry-After`.
const IDLE_MS: u32 = 200;

/// Where the screen is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Input,
    Checking,
    Preview,
    Running,
    Results,
}

/// The run's work, kept out of the reactive graph (it holds the PINs and QR contents).
#[derive(Default)]
struct Work {
    /// The dry run's ready lines, in the order created (job `j` is `ready[j]`).
    ready: Vec<Line>,
    run: Option<BadgeRun>,
    /// The create body (dates), kept for replacing lost badges.
    body: Option<crate::graph::api::NewBadge>,
    /// When the results were first shown (ms), for the time-out.
    results_at_ms: Option<f64>,
}

/// The screen's shared state.
#[derive(Clone, Copy)]
struct Badges {
    ctx: Ctx,
    step: RwSignal<Step>,
    work: StoredValue<Work>,
    /// Bumped whenever `work` changes, so views that read it redraw.
    version: RwSignal<u64>,
    /// Said once the secrets are gone (Done, the time-out, leaving the page).
    forgotten: RwSignal<Option<String>>,
}

impl Badges {
    fn update(&self, f: impl FnOnce(&mut Work)) {
        self.work.update_value(f);
        self.version.update(|v| *v += 1);
    }
}

/// The Badges tab.
#[component]
pub fn BadgesPage(ctx: Ctx, active: Signal<bool>) -> impl IntoView {
    let permitted = PERMISSIONS.iter().all(|p| ctx.may(p));
    let policy: RwSignal<Option<Result<QrPolicy, GraphError>>> = RwSignal::new(None);
    Effect::new(move |_| {
        if active.get() && policy.with_untracked(Option::is_none) {
            leptos::task::spawn_local(async move {
                let read = ctx.graph().send(api::get_qr_policy()).await;
                policy.try_set(Some(read));
            });
        }
    });
    let bounds = Signal::derive(move || {
        policy.with(|p| Bounds::from_policy(p.as_ref().and_then(|r| r.as_ref().ok())))
    });
    let b = Badges {
        ctx,
        step: RwSignal::new(Step::Input),
        work: StoredValue::new(Work::default()),
        version: RwSignal::new(0),
        forgotten: RwSignal::new(None),
    };
    let grant = move |_| ctx.grant(PERMISSIONS);
    let role_refusal = ctx.scope.with_untracked(|k| k.role_refusal());
    view! {
        <section class="card badges" aria-labelledby="badges-title">
            <h2 id="badges-title">"Badges"</h2>
            <p>"QR code + PIN badges for frontline workers: the user scans the badge on a shared device and types the PIN. Each badge's QR code and PIN are shown once, here: print the badges and the PIN slips on separate sheets, then press Done."</p>
            {(!permitted).then(|| view! {
                <div id="badges-consent" class="notice">
                    <p>{format!("Creating and deleting badges needs the permission {} and the Authentication Administrator role (for users without admin roles, or those of your administrative units) or Privileged Authentication Administrator.", permission::QR_WRITE.name)}</p>
                    <button type="button" id="badges-grant" class="button" on:click=grant>"Grant permission"</button>
                </div>
            })}
            {role_refusal.map(|why| view! { <p id="badges-role" class="notice notice--warning">{why}</p> })}
            <PolicyLine policy=policy bounds=bounds />
            {permitted.then(|| view! {
                <Create b=b policy=policy bounds=bounds />
                <one::OneBadge ctx=ctx />
            })}
        </section>
    }
}

/// What the tenant's `qrCodePin` policy allows, in words.
#[component]
fn PolicyLine(
    policy: RwSignal<Option<Result<QrPolicy, GraphError>>>,
    bounds: Signal<Bounds>,
) -> impl IntoView {
    move || {
        let b = bounds.get();
        let text = match policy.get() {
            None => "Reading the QR code policy…".to_owned(),
            Some(Err(_)) => format!(
                "The QR code policy could not be read (it needs Global Reader or Authentication Policy Administrator): badges last at most {} days and PINs have {} digits, Graph's defaults; Graph still applies the tenant's policy.",
                b.standard_days, b.pin_length
            ),
            Some(Ok(_)) if b.enabled == Some(false) => {
                crate::messages::BADGE_POLICY_OFF.to_owned()
            }
            Some(Ok(_)) => format!(
                "The tenant's QR code policy: badges last at most {} days; PINs have {} digits and are changed at the first sign-in.",
                b.standard_days, b.pin_length
            ),
        };
        view! {
            <p id="badges-policy" class="status">{text}</p>
            {b.problems.into_iter().map(|p| view! { <p class="notice notice--warning">{p}</p> }).collect_view()}
        }
    }
}

/// The list, the dry run, the run and its results.
#[component]
fn Create(
    b: Badges,
    policy: RwSignal<Option<Result<QrPolicy, GraphError>>>,
    bounds: Signal<Bounds>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let problems: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let lines: RwSignal<Vec<Line>> = RwSignal::new(Vec::new());

    let check = move |_| {
        let parsed = parse_list(&text.get_untracked());
        problems.set(
            parsed
                .problems
                .iter()
                .chain(&parsed.duplicates)
                .map(|p| p.text(false))
                .collect(),
        );
        if parsed.rows.is_empty() {
            if parsed.problems.is_empty() {
                problems.set(vec![
                    "Paste at least one sign-in name (UPN) or object ID, one a line.".into(),
                ]);
            }
            return;
        }
        b.step.set(Step::Checking);
        let qr_policy =
            policy.with_untracked(|p| p.as_ref().and_then(|r| r.as_ref().ok()).cloned());
        leptos::task::spawn_local(async move {
            let found = dry_run(b.ctx, &parsed.rows, qr_policy.as_ref()).await;
            lines.try_set(found);
            b.step.try_set(Step::Preview);
            browser::focus_soon("#badges-counts");
        });
    };
    let ready = move || lines.with(|l| l.iter().filter(|l| l.verdict.is_ok()).count());
    let start = move |_| {
        let asked = days.get_untracked().trim().parse::<u32>().ok();
        let body = bounds.get_untracked().new_badge(browser::now_ms(), asked);
        let ready: Vec<Line> =
            lines.with_untracked(|l| l.iter().filter(|l| l.verdict.is_ok()).cloned().collect());
        let n = ready.len();
        b.update(|w| {
            *w = Work {
                ready,
                run: Some(BadgeRun::new(n)),
                body: Some(body.clone()),
                results_at_ms: None,
            };
        });
        b.forgotten.set(None);
        b.step.set(Step::Running);
        leptos::task::spawn_local(run_loop(b, body));
    };
    let again = move |_| {
        b.step.set(Step::Input);
        lines.set(Vec::new());
    };
    view! {
        <Show when=move || matches!(b.step.get(), Step::Input | Step::Checking)>
            <div class="badges__input">
                <label class="field">
                    <span class="field__label">"Users"</span>
                    <textarea id="badges-paste" rows="6" spellcheck="false"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    <span class="field__hint">"One sign-in name (UPN) or object ID a line."</span>
                </label>
                <label class="field">
                    <span class="field__label">"Badge valid for (days)"</span>
                    <input id="badges-days" type="number" min="1" inputmode="numeric"
                        prop:max=move || bounds.get().standard_days.to_string()
                        placeholder=move || bounds.get().standard_days.to_string()
                        prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                    <span class="field__hint">{move || format!("From now; at most {} days (the policy). Blank: the longest.", bounds.get().standard_days)}</span>
                </label>
                <div class="command-bar">
                    <button type="button" id="badges-check" class="button button--primary" on:click=check
                        disabled=move || b.step.get() == Step::Checking>"Check"</button>
                </div>
                <p class="status" role="status">{move || (b.step.get() == Step::Checking).then_some("Checking every user…")}</p>
                {move || (!problems.with(Vec::is_empty)).then(|| view! {
                    <ul id="badges-problems" class="notice notice--warning">
                        {problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                })}
            </div>
        </Show>
        <Show when=move || b.step.get() == Step::Preview>
            <p id="badges-counts" class="status" tabindex="-1">{move || {
                let n = lines.with(Vec::len);
                format!("{} of {n} ready for a badge; {} blocked (the reasons are below).", ready(), n - ready())
            }}</p>
            <Preview lines=lines />
            <div class="command-bar">
                <button type="button" id="badges-create" class="button button--primary" on:click=start
                    disabled=move || ready() == 0>{move || format!("Create {} badges", ready())}</button>
                <button type="button" id="badges-back" class="button" on:click=again>"Change the list"</button>
            </div>
        </Show>
        <Show when=move || matches!(b.step.get(), Step::Running | Step::Results)>
            <sheets::RunView b=b on_done=Callback::new(move |_| { lines.set(Vec::new()); text.set(String::new()); }) />
        </Show>
    }
}

/// The dry run's lines.
#[component]
fn Preview(lines: RwSignal<Vec<Line>>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Dry run of the badges">
            <table id="badges-preview" class="table">
                <thead><tr><th scope="col">"Line"</th><th scope="col">"User"</th><th scope="col">"Verdict"</th></tr></thead>
                <tbody>
                    {move || lines.get().into_iter().map(|l| {
                        let ok = l.verdict.is_ok();
                        view! {
                            <tr class="badges__line" class:row--failed=!ok>
                                <td>{l.line}</td>
                                <td class="cell--clip">{l.name()}" "<span class="results__upn">{l.upn()}</span></td>
                                <td>{match &l.verdict { Ok(()) => "Ready".to_owned(), Err(why) => why.clone() }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Reads what every line needs and gives each its verdict.
async fn dry_run(
    ctx: Ctx,
    rows: &[crate::bulk::input::Row],
    policy: Option<&QrPolicy>,
) -> Vec<Line> {
    let known = ctx.scope.get_untracked();
    let scoped = known.unit_ids().is_some();
    let membership = check::membership_of(plan::groups_to_check(policy), |p| ctx.may(p));
    let parts = plan::lookup_items(rows, &membership.groups, scoped);
    let mut lookups = vec![
        Lookup {
            coverage_unknown: membership.coverage_unknown,
            ..Lookup::default()
        };
        rows.len()
    ];
    for wave in parts.chunks(batch::MAX_PER_BATCH * batch::IN_FLIGHT) {
        let items = wave.iter().map(|p| p.item.clone()).collect();
        let answers = ctx.graph().send_all(items, || false, |_, _| {}).await;
        check::apply_wave(&mut lookups, wave, &answers);
    }
    let answers = ctx
        .graph()
        .send_all(plan::badge_items(rows), || false, |_, _| {})
        .await;
    let reads = plan::badge_reads(rows.len(), &answers);
    let me = ctx.session.with_value(|s| s.account().object_id.clone());
    let c = plan::Context {
        policy,
        scope: &known,
        admin_object_id: &me,
        now_ms: browser::now_ms(),
    };
    plan::lines(rows, lookups, &reads, &c)
}

/// The user id of job `j`.
fn user_id(b: Badges, j: usize) -> Option<String> {
    b.work.with_value(|w| {
        w.ready
            .get(j)
            .and_then(|l| l.user.as_ref().map(|u| u.id.clone()))
    })
}

/// Sends the creates one `$batch` at a time; settles lost answers by reading the users'
/// methods; shows the results when every badge is settled.
async fn run_loop(b: Badges, body: crate::graph::api::NewBadge) {
    loop {
        let next = b
            .work
            .try_update_value(|w| w.run.as_mut().and_then(|r| r.next_batch(browser::now_ms())))
            .flatten();
        if let Some(jobs) = next {
            let requests = jobs
                .iter()
                .filter_map(|&j| {
                    user_id(b, j).map(|id| api::create_badge(&id, &body).batch_item(j.to_string()))
                })
                .collect();
            b.version.try_update(|v| *v += 1);
            let answer = b
                .ctx
                .graph()
                .send(batch::envelope(&BatchRequest { requests }))
                .await;
            let now = browser::now_ms();
            if b.work
                .try_update_value(|w| {
                    if let Some(r) = w.run.as_mut() {
                        r.record(&jobs, answer, now);
                    }
                })
                .is_none()
            {
                return;
            }
            b.version.try_update(|v| *v += 1);
            continue;
        }
        let unknown = b
            .work
            .try_with_value(|w| w.run.as_ref().map(BadgeRun::to_resolve).unwrap_or_default())
            .unwrap_or_default();
        if !unknown.is_empty() {
            let items = unknown
                .iter()
                .filter_map(|&j| user_id(b, j).map(|id| plan::badge_item(j.to_string(), &id)))
                .collect();
            let answers = b.ctx.graph().send_all(items, || false, |_, _| {}).await;
            b.update(|w| {
                if let Some(r) = w.run.as_mut() {
                    for j in unknown {
                        let read = match plan::read_answer(
                            answers.get(&batch::ItemId::from(j.to_string())),
                        ) {
                            BadgeRead::None => Ok(None),
                            BadgeRead::Some(m) => Ok(Some(m)),
                            BadgeRead::Failed(e) => Err(e),
                        };
                        r.resolve(j, read);
                    }
                }
            });
            continue;
        }
        let settled = b
            .work
            .try_with_value(|w| w.run.as_ref().is_none_or(BadgeRun::settled))
            .unwrap_or(true);
        if settled {
            b.update(|w| {
                if w.results_at_ms.is_none() {
                    w.results_at_ms = Some(browser::now_ms());
                }
            });
            b.step.try_set(Step::Results);
            browser::focus_soon("#badges-results-title");
            return;
        }
        let wait = b
            .work
            .with_value(|w| w.run.as_ref().and_then(BadgeRun::next_due_ms))
            .map_or(IDLE_MS, |due| {
                ((due - browser::now_ms()).max(10.0) as u32).min(IDLE_MS)
            });
        gloo_timers::future::TimeoutFuture::new(wait).await;
    }
}

/// Deletes the badges whose PIN and QR were lost, then creates them again (the admin asked:
/// a badge nobody can print is of no use, and only a confirmed delete allows a new create).
async fn replace_lost(b: Badges, body: crate::graph::api::NewBadge) {
    let unseen = b
        .work
        .with_value(|w| w.run.as_ref().map(BadgeRun::unseen).unwrap_or_default());
    let items = unseen
        .iter()
        .filter_map(|&j| user_id(b, j).map(|id| api::delete_badge(&id).batch_item(j.to_string())))
        .collect();
    let answers = b.ctx.graph().send_all(items, || false, |_, _| {}).await;
    b.update(|w| {
        if let Some(r) = w.run.as_mut() {
            for j in unseen {
                let deleted = matches!(
                    answers.get(&batch::ItemId::from(j.to_string())),
                    Some(Ok(a)) if a.status == 204 || a.status == 404
                );
                r.replaced(j, deleted);
            }
        }
    });
    run_loop(b, body).await;
}

/// One line of the results.
#[derive(Clone, Debug)]
struct Outcome {
    job: usize,
    name: String,
    upn: String,
    state: BadgeJob,
}

/// The results, in the order created.
fn outcomes(b: Badges) -> Vec<Outcome> {
    b.work.with_value(|w| {
        let Some(run) = &w.run else { return vec![] };
        w.ready
            .iter()
            .enumerate()
            .filter_map(|(j, l)| {
                run.state(j).map(|s| Outcome {
                    job: j,
                    name: l.name(),
                    upn: l.upn(),
                    state: s.clone(),
                })
            })
            .collect()
    })
}

/// Forgets every PIN and QR content (Done, the time-out, leaving the page).
fn forget(b: Badges, why: &str) {
    if b.work
        .try_update_value(|w| {
            if let Some(r) = w.run.as_mut() {
                r.forget_secrets();
            }
        })
        .is_some()
    {
        b.version.try_update(|v| *v += 1);
        b.forgotten.try_set(Some(why.to_owned()));
    }
}

/// Forgets the secrets after the configured time (as for passes) and when the page is left.
fn use_forgetting(b: Badges) -> ReadSignal<f64> {
    let show_seconds = b.ctx.session.with_value(|s| s.config().pass_show_seconds);
    let now = use_now(Duration::from_secs(1));
    Effect::new(move |_| {
        let t = now.get();
        let due = b
            .work
            .try_with_value(|w| {
                w.results_at_ms
                    .is_some_and(|at| t >= crate::bulk::ending::forget_at_ms(at, show_seconds))
                    && w.run.as_ref().is_some_and(|r| r.held() > 0)
            })
            .unwrap_or(false);
        if due {
            forget(b, "The PINs and QR codes left this page after the time set for showing them. Badges that were not printed: delete them on this screen and create them again.");
        }
    });
    use_page_hide(move || forget(b, ""));
    now
}
