//! Bulk onboarding: input (paste, CSV file, or a group) → dry run with verdicts → the run with
//! progress, pause and cancel → results with masked passes, CSV export and printable handouts.
//!
//! Nothing of a run is stored: results live in this view's memory, and their pass values no
//! longer than a single pass's (security item 24, `bulk::ending`): "Finish" forgets them (asking
//! first whether they were handed out, naming whether they were exported or printed), and so do
//! the `passShowSeconds` time-out and `pagehide`. Leaving with passes neither exported nor
//! printed asks first. Focus moves after Check (to the counts) and after the run (to the
//! results heading); a live region says what changed, never a countdown or a pass.

mod engine;
mod results;

use crate::ui::hooks::*;
use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::bulk::check::{self, Defaults};
use crate::bulk::input::Parsed;
use crate::bulk::merge;
use crate::bulk::plan::Verdict;
use crate::bulk::state::Data;
use crate::bulk::summary;
use crate::campaign::readiness::WaveUser;
use crate::graph::models::{TapPolicy, User};
use crate::graph::GraphError;
use crate::messages::{self, Operation};
use crate::tap::{duration_words, FormBounds};

/// Where the bulk screen is (while "Check" runs, the input stays on screen).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Input,
    Preview,
    Running,
    Results,
}

/// Shared handles of the bulk screen.
#[derive(Clone, Copy)]
pub struct Bulk {
    pub ctx: Ctx,
    pub data: StoredValue<Data, LocalStorage>,
    pub version: RwSignal<u32>,
    pub step: RwSignal<Step>,
    pub paused: RwSignal<bool>,
    pub max_in_flight: RwSignal<u32>,
    pub error: RwSignal<Option<GraphError>>,
    /// The admin ticked "Also create passes for admin accounts": rows of privileged targets
    /// ([`Verdict::Confirm`]) run too. Off by default and after every new check.
    pub include_admins: RwSignal<bool>,
    /// What the live region says ("3 users found", "3 passes created, 0 failed").
    pub announce: RwSignal<String>,
    /// The input came from a campaign wave (issue 15): the handouts print the passkey steps.
    pub from_campaign: RwSignal<bool>,
    /// A campaign wave's users and the pass policy's one-time rule, found by its dry run: the
    /// passkey-registration check (issue 15 point 5) runs from the Campaign module with them.
    pub wave_users: RwSignal<Option<(Vec<WaveUser>, Option<bool>)>>,
    /// Draws that check (given by `ui::lazy`, which loads it from the Campaign module).
    pub wave_check: WaveCheckView,
}

/// The view of a wave's passkey-registration check: the context, the wave's users, and the
/// pass policy's one-time rule.
pub type WaveCheckView = fn(Ctx, Vec<WaveUser>, Option<bool>) -> AnyView;

impl Bulk {
    /// Changes the data and redraws.
    pub fn update(&self, f: impl FnOnce(&mut Data)) {
        self.data.update_value(f);
        self.version.update(|v| *v += 1);
    }
}

/// The whole bulk screen.
#[component]
pub fn BulkPage(
    ctx: Ctx,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
    wave_check: WaveCheckView,
) -> impl IntoView {
    let bulk = Bulk {
        ctx,
        data: StoredValue::new_local(Data::default()),
        version: RwSignal::new(0),
        step: RwSignal::new(Step::Input),
        paused: RwSignal::new(false),
        max_in_flight: RwSignal::new(4),
        error: RwSignal::new(None),
        include_admins: RwSignal::new(false),
        announce: RwSignal::new(String::new()),
        from_campaign: RwSignal::new(false),
        wave_users: RwSignal::new(None),
        wave_check,
    };
    // Leaving with results neither exported nor printed asks first; the pass values exist only here.
    use_leave_guard(
        move || {
            bulk.data
                .try_with_value(|d| d.kept().loses_passes())
                .unwrap_or(false)
        },
        "Results are neither exported nor printed.",
    );
    // "Check" (the dry run) and the run loop, each as an action: pending while it works.
    let checking = Action::new_local(move |(parsed, defaults): &(Parsed, Defaults)| {
        let (parsed, defaults) = (parsed.clone(), defaults.clone());
        async move {
            let policy = policy.await.ok();
            engine::dry_run(bulk, parsed, policy, defaults).await;
        }
    });
    let running = Action::new_local(move |(): &()| engine::run_loop(bulk));

    view! {
        <section id="bulk" class="card bulk" aria-labelledby="bulk-title">
            <h2 id="bulk-title">"Many users"</h2>
            <p id="bulk-announce" class="bulk__announce" role="status" aria-live="polite">{move || bulk.announce.get()}</p>
            {move || bulk.error.get().map(|e| view! { <GraphErrorView error=e action=Operation::CreatePass /> })}
            {move || match bulk.step.get() {
                Step::Input => view! { <InputStep bulk=bulk policy=policy checking=checking /> }.into_any(),
                Step::Preview => view! { <PreviewStep bulk=bulk running=running /> }.into_any(),
                Step::Running | Step::Results => view! { <results::RunView bulk=bulk /> }.into_any(),
            }}
        </section>
    }
}

/// Paste, a CSV file or a group; defaults for rows that name none.
#[component]
fn InputStep(
    bulk: Bulk,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
    checking: Action<(Parsed, Defaults), ()>,
) -> impl IntoView {
    let pasted = RwSignal::new(String::new());
    let file_name: RwSignal<Option<String>> = RwSignal::new(None);
    let file_text: RwSignal<Option<String>> = RwSignal::new(None);
    let group_members: RwSignal<Option<(String, Vec<User>)>> = RwSignal::new(None);
    let defaults = DefaultSignals {
        later: RwSignal::new(false),
        start_at: RwSignal::new(browser::tomorrow_at(9)),
        lifetime: RwSignal::new(String::new()),
        one_time: RwSignal::new(true),
    };
    // A campaign wave handed over arrives as pasted names (and is taken once), its passes
    // proposed to start tomorrow at 08:00 (the admin's local time; changeable before Check),
    // and its handouts print the passkey steps.
    Effect::new(move |_| {
        if let Some(names) = bulk.ctx.wave.get() {
            pasted.set(names);
            defaults.later.set(true);
            defaults.start_at.set(browser::tomorrow_at(8));
            bulk.from_campaign.set(true);
            bulk.ctx.wave.set(None);
        }
    });
    let problem: RwSignal<Option<String>> = RwSignal::new(None);

    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        file_name.set(Some(file.name()));
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            match text {
                Some(t) => file_text.set(Some(t)),
                None => problem.set(Some(
                    "The file could not be read as text (is it a CSV file in UTF-8?).".into(),
                )),
            }
        });
    };

    let check = move |_| {
        problem.set(None);
        bulk.error.set(None);
        // Every source read into one list, one line per user across them (bulk::merge).
        let pasted_text = pasted.get_untracked();
        let csv_text = file_text.get_untracked();
        let members = group_members.with_untracked(|g| {
            g.as_ref()
                .map(|(_, users)| check::group_names(users))
                .unwrap_or_default()
        });
        let inputs = merge::Inputs {
            pasted: &pasted_text,
            csv: csv_text.as_deref(),
            group: &members,
        };
        let parsed = merge::read_all(&inputs, &browser::is_time_zone);
        match check::prepare(parsed, &defaults.typed(), browser::now_ms()) {
            Ok(input) => {
                checking.dispatch_local(input);
            }
            Err(p) => problem.set(Some(p)),
        }
    };
    let busy = move || checking.pending().get();

    view! {
        <div class="bulk__input">
            <p id="bulk-next" class="field__hint">"Paste user names, choose a CSV file or a group, then press Check: nothing is created before you confirm."</p>
            <div class="field">
                <label class="field__label" for="bulk-paste">"Paste user names (UPNs), one per line"</label>
                <textarea id="bulk-paste" class="field__input bulk__paste" rows="6" spellcheck="false"
                    prop:value=move || pasted.get() on:input=move |ev| pasted.set(event_target_value(&ev))></textarea>
            </div>
            <div class="field">
                <label class="field__label" for="bulk-file">"Or a CSV file"</label>
                <input id="bulk-file" type="file" accept=".csv,text/csv,text/plain" on:change=on_file />
                <p class="field__hint">"Columns (header optional, any order): upn, startDate, startTime, timeZone (IANA, e.g. Europe/Berlin), lifetime (minutes), oneTime (yes/no). Comma or semicolon."</p>
                {move || file_name.get().map(|n| view! { <p id="bulk-file-name" class="status">{format!("Read {n}.")}</p> })}
            </div>
            <GroupSource bulk=bulk members=group_members />
            <DefaultFields defaults=defaults policy=policy />
            {move || problem.get().map(|p| view! { <p class="notice notice--error" role="alert">{p}</p> })}
            <button type="button" id="bulk-check" class="button button--primary" on:click=check disabled=busy>
                {move || if busy() { "Checking users…" } else { "Check" }}
            </button>
        </div>
    }
}

/// The members of a group as a source: find a group, pick it, its members are read.
#[component]
fn GroupSource(bulk: Bulk, members: RwSignal<Option<(String, Vec<User>)>>) -> impl IntoView {
    let ctx = bulk.ctx;
    let group_query = RwSignal::new(String::new());
    let groups: RwSignal<Vec<crate::graph::models::Group>> = RwSignal::new(Vec::new());
    let needs_group_consent = !ctx.may(crate::config::GROUP_PERMISSION);
    let grant_group_consent = move |_| ctx.grant(&[crate::config::GROUP_PERMISSION]);
    let find_groups =
        move |_| super::find_groups(ctx, group_query.get_untracked(), groups, bulk.error);
    let pick_group = move |id: String, name: String| {
        leptos::task::spawn_local(async move {
            match engine::all_members(ctx, &id).await {
                Ok(users) => members.set(Some((name, users))),
                Err(e) => bulk.error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="field">
            <label class="field__label" for="bulk-group">"Or the members of a group"</label>
            <input id="bulk-group" class="field__input" type="search" placeholder="Group name"
                prop:value=move || group_query.get() on:input=move |ev| group_query.set(event_target_value(&ev)) />
            {needs_group_consent.then(|| view! {
                <div id="group-consent-needed" class="notice notice--warning">
                    <p>"Reading a group's members needs the permission "<code>"GroupMember.Read.All"</code>", which this app has not been granted for you yet. What you typed here is not kept."</p>
                    <button type="button" id="grant-group-consent" class="button" on:click=grant_group_consent>"Grant consent"</button>
                </div>
            })}
            <button type="button" id="bulk-group-find" class="button" on:click=find_groups disabled=needs_group_consent>"Find group"</button>
            <ul class="results" aria-label="Matching groups">
                {move || groups.get().into_iter().map(|g| {
                    let (id, name) = (g.id.clone(), g.display_name.clone().unwrap_or_else(|| g.id.clone()));
                    let label = name.clone();
                    view! { <li><button type="button" class="button button--quiet group-pick" on:click=move |_| pick_group(id.clone(), name.clone())>{label}</button></li> }
                }).collect_view()}
            </ul>
            {move || members.get().map(|(name, users)| view! {
                <p id="bulk-group-picked" class="status">{format!("{name}: {} members (nested groups included).", users.len())}</p>
            })}
        </div>
    }
}

/// The defaults' fields, as signals.
#[derive(Clone, Copy)]
struct DefaultSignals {
    later: RwSignal<bool>,
    start_at: RwSignal<String>,
    lifetime: RwSignal<String>,
    one_time: RwSignal<bool>,
}

impl DefaultSignals {
    fn typed(&self) -> check::Typed {
        check::Typed {
            later: self.later.get_untracked(),
            start_ms: browser::parse_local_input(&self.start_at.get_untracked()),
            lifetime: self.lifetime.get_untracked(),
            one_time: self.one_time.get_untracked(),
        }
    }
}

/// Start, lifetime and one-time for rows that name none.
#[component]
fn DefaultFields(
    defaults: DefaultSignals,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
) -> impl IntoView {
    let DefaultSignals {
        later,
        start_at,
        lifetime,
        one_time,
    } = defaults;
    let bounds_text = move || {
        policy.get().map(|p| {
            let b = FormBounds::new(p.ok().as_ref());
            format!("Lifetime for rows that name none, in minutes: between {} and {}; empty = the policy default ({}).",
                duration_words(b.min_minutes), duration_words(b.max_minutes), duration_words(b.default_minutes))
        })
    };
    view! {
        <fieldset class="field">
            <legend class="field__label">"Defaults for rows that name none"</legend>
            <label class="choice"><input type="radio" name="bulk-start" id="bulk-start-now" prop:checked=move || !later.get() on:change=move |_| later.set(false) />" Start now"</label>
            <label class="choice"><input type="radio" name="bulk-start" id="bulk-start-later" prop:checked=move || later.get() on:change=move |_| later.set(true) />" Start at"</label>
            <Show when=move || later.get()>
                <label class="field__label" for="bulk-start-at">"Start (your local time)"</label>
                <input id="bulk-start-at" class="field__input" type="datetime-local" prop:value=move || start_at.get() on:input=move |ev| start_at.set(event_target_value(&ev)) />
            </Show>
            <label class="field__label" for="bulk-lifetime">"Lifetime in minutes"</label>
            <input id="bulk-lifetime" class="field__input field__input--short" type="number" inputmode="numeric"
                aria-describedby="bulk-lifetime-hint" prop:value=move || lifetime.get() on:input=move |ev| lifetime.set(event_target_value(&ev)) />
            <p id="bulk-lifetime-hint" class="field__hint">{bounds_text}</p>
            <label class="choice"><input type="checkbox" id="bulk-one-time" prop:checked=move || one_time.get() on:change=move |ev| one_time.set(event_target_checked(&ev)) />" One-time use"</label>
        </fieldset>
    }
}

/// Verdict counts, input problems and the table of what will happen; the admin confirms.
#[component]
fn PreviewStep(bulk: Bulk, running: Action<(), ()>) -> impl IntoView {
    let counts = move || {
        bulk.version.track();
        bulk.data.with_value(Data::counts)
    };
    let runnable = move || {
        bulk.version.track();
        let include = bulk.include_admins.get();
        bulk.data.with_value(|d| d.runnable(include))
    };
    let summary = move || {
        bulk.version.track();
        let include = bulk.include_admins.get();
        let zone = browser::time_zone();
        let words = summary::StartWords {
            zone: &zone,
            in_zone: &browser::datetime_in_zone,
        };
        bulk.data.with_value(|d| d.summary(include, &words))
    };
    let empty = move || {
        bulk.version.track();
        bulk.data.with_value(|d| d.items.is_empty())
    };
    let start = move |_| engine::start(bulk, running);
    // Each row by its stable id (input and line) and its index; rows change only with a new check.
    let rows = move || {
        bulk.version.track();
        bulk.data.with_value(|d| {
            d.items
                .iter()
                .enumerate()
                .map(|(n, i)| (i.key(), n))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="bulk__preview">
            <p id="bulk-counts" class="bulk__counts" tabindex="-1">
                {move || {
                    let c = counts();
                    let admins = if c.confirm > 0 { format!(" · {}", summary::count(c.confirm, "admin account", "admin accounts")) } else { String::new() };
                    format!("{} ready · {} with warnings · {} blocked{admins}", c.ready, c.warn, c.blocked)
                }}
            </p>
            {move || (counts().confirm > 0).then(|| view! {
                <div class="notice notice--warning">
                    <p>{move || format!("{} admin roles. A pass lets whoever holds it register a sign-in method on that admin account: make sure each request is genuine, and prefer one-time passes with the shortest lifetime.", summary::count(counts().confirm, "of these users holds", "of these users hold"))}</p>
                    <label class="choice"><input type="checkbox" id="bulk-include-admins" prop:checked=move || bulk.include_admins.get() on:change=move |ev| bulk.include_admins.set(event_target_checked(&ev)) />" Also create passes for these admin accounts"</label>
                </div>
            })}
            {move || {
                bulk.version.track();
                let (problems, several) = bulk.data.with_value(|d| (d.problems.clone(), d.several));
                (!problems.is_empty()).then(|| view! {
                    <ul id="bulk-problems" class="notice notice--warning bulk__problems">
                        {problems.into_iter().map(|p| view! { <li>{p.text(several)}</li> }).collect_view()}
                    </ul>
                })
            }}
            {move || bulk.wave_users.get().map(|(users, one_time)| (bulk.wave_check)(bulk.ctx, users, one_time))}
            <Show when=move || !empty() fallback=|| view! {
                <p id="bulk-empty" class="empty">"No user to create a pass for: go Back, and paste user names or choose a CSV file or a group."</p>
            }>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Dry run">
                    <table id="bulk-preview" class="table">
                        <thead><tr><th scope="col">"Line"</th><th scope="col">"User"</th><th scope="col">"Create"</th><th scope="col">"Outcome"</th></tr></thead>
                        <tbody>
                            <For each=rows key=|(key, _)| *key let((_, n))>
                                <PreviewRow bulk=bulk n=n />
                            </For>
                        </tbody>
                    </table>
                </div>
            </Show>
            <p id="bulk-summary" class="bulk__summary">{summary}</p>
            <details id="bulk-advanced" class="bulk__advanced">
                <summary>"Advanced"</summary>
                <div class="field">
                    <label class="field__label" for="bulk-concurrency">"Batches in flight (20 passes each)"</label>
                    <input id="bulk-concurrency" class="field__input field__input--short" type="number" min="1" max="8"
                        prop:value=move || bulk.max_in_flight.get().to_string()
                        on:input=move |ev| { if let Ok(n) = event_target_value(&ev).parse::<u32>() { bulk.max_in_flight.set(n.clamp(1, 8)) } } />
                </div>
            </details>
            <div class="bulk__actions">
                <button type="button" id="bulk-back" class="button" on:click=move |_| bulk.step.set(Step::Input)>"Back"</button>
                <button type="button" id="bulk-run" class="button button--primary" disabled=move || runnable() == 0 on:click=start>
                    {move || summary::run_label(runnable())}
                </button>
            </div>
            <p id="bulk-capability" class="field__hint">{messages::capability_text(bulk.ctx.session.with_value(|s| messages::capability(s.account().roles.as_deref())))}</p>
        </div>
    }
}

/// One row of the dry run (item `n`): where it is, who, and what will happen.
#[component]
fn PreviewRow(bulk: Bulk, n: usize) -> impl IntoView {
    bulk.data.with_value(|d| {
        let item = d.items.get(n)?;
        let name = item.lookup.user.as_ref().map(|u| u.name().to_owned()).unwrap_or_default();
        let (class, text) = match &item.verdict {
            Verdict::Ready => ("verdict verdict--ready", "Ready".to_owned()),
            Verdict::Warn(w) => ("verdict verdict--warn", w.join(" ")),
            Verdict::Blocked(b) => ("verdict verdict--blocked", b.clone()),
            Verdict::Confirm(w) => ("verdict verdict--warn", format!("Admin account: created only if you tick the box above. {}", w.join(" "))),
        };
        let place = if d.several { item.row.source.place(item.row.line, true) } else { item.row.line.to_string() };
        let who = format!("{name} {}", item.row.upn);
        let upn = item.row.upn.clone();
        // Only a warning row can be unticked; its box is named with the user.
        let tick = matches!(item.verdict, Verdict::Warn(_)).then(|| {
            let label = format!("Create a pass for {}", if name.is_empty() { &upn } else { &name });
            let ticked = move || {
                bulk.version.track();
                bulk.data.with_value(|d| !d.unticked.contains(&n))
            };
            view! { <input type="checkbox" class="bulk__tick" aria-label=label prop:checked=ticked
                on:change=move |ev| { let on = event_target_checked(&ev); bulk.update(|d| d.set_ticked(n, on)) } /> }
        });
        Some(view! { <tr><td>{place}</td><td class="cell--clip" title=who>{name}" "<span class="results__upn">{upn}</span></td><td>{tick}</td><td class=class>{text}</td></tr> })
    })
}
