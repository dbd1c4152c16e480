//! The run and its results: progress with pause and cancel; then a table of masked passes
//! (reveal one or all), CSV export and printable handouts, and Finish.

use std::time::Duration;

use crate::ui::hooks::*;
use leptos::prelude::*;

use super::{Bulk, Data, Step};
use crate::bulk::ending;
use crate::bulk::results::{self, Line, Times};
use crate::bulk::summary;
use crate::handout;
use crate::ui::browser;

/// The run's result lines, times written by the browser.
fn lines(bulk: Bulk) -> Vec<Line> {
    let zone = browser::time_zone();
    let times = Times {
        zone: &zone,
        in_zone: &browser::datetime_in_zone,
        local: &browser::local_datetime,
        offset_minutes: &browser::offset_minutes,
    };
    bulk.data.with_value(|d| results::lines(d, &times))
}

/// Offers `text` as a CSV file download.
fn download(name: &str, text: &str) -> bool {
    browser::download(name, "text/csv;charset=utf-8", text)
}

/// Progress while running; results when done.
#[component]
pub fn RunView(bulk: Bulk) -> impl IntoView {
    let revealed: RwSignal<Vec<usize>> = RwSignal::new(Vec::new());
    let reveal_all = RwSignal::new(false);
    // The handouts show the passes, so they appear only when the admin asks for them.
    let handouts_open = RwSignal::new(false);

    // Security item 24: the values end like a single pass's. Forgetting drops every value
    // from the run (and so from the table, "Reveal all", the handouts and any later export).
    let show_seconds = bulk
        .ctx
        .session
        .with_value(|s| s.config().pass_show_seconds);
    let forget = move |by_time_out: bool| {
        reveal_all.try_set(false);
        revealed.try_set(Vec::new());
        handouts_open.try_set(false);
        bulk.data.try_update_value(|d| d.forget(by_time_out));
        bulk.version.try_update(|v| *v += 1);
    };
    let now = use_now(Duration::from_secs(1));
    Effect::new(move |_| {
        let t = now.get();
        if bulk
            .data
            .try_with_value(|d| d.forget_due(t, show_seconds))
            .unwrap_or(false)
        {
            forget(true);
        }
    });
    use_page_hide(move || forget(false));
    let held = move || {
        bulk.version.track();
        bulk.data.with_value(|d| d.kept().held)
    };
    view! {
        <RunProgress bulk=bulk />
        <Show when=move || bulk.step.get() == Step::Running>
            <div class="bulk__actions">
                <button type="button" id="bulk-pause" class="button" on:click=move |_| bulk.paused.update(|p| *p = !*p)>
                    {move || if bulk.paused.get() { "Resume" } else { "Pause" }}
                </button>
                <button type="button" id="bulk-cancel" class="button button--danger"
                    on:click=move |_| bulk.update(|d| if let Some(r) = d.run.as_mut() { r.cancel() })>"Cancel"</button>
            </div>
        </Show>
        <Show when=move || bulk.step.get() == Step::Results>
            <h3 id="bulk-results-title" class="bulk__results-title" tabindex="-1">"Results"</h3>
            <ResultsActions bulk=bulk reveal_all=reveal_all handouts_open=handouts_open forget=Callback::new(forget) />
            <p id="bulk-forget-at" class="status">{move || {
                let t = now.get();
                let forget_at = bulk.data.with_value(|d| d.results_at_ms).map(|at| ending::forget_at_ms(at, show_seconds));
                match (held(), forget_at) {
                    (0, _) => bulk.data.with_value(|d| d.forgotten.clone()).unwrap_or_default(),
                    (_, Some(at)) => format!("The passes leave this page at {} (in {}), or when you press Finish or leave the page.",
                        browser::local_datetime(at), summary::span((at - t).max(0.0))),
                    _ => String::new(),
                }
            }}</p>
            <p class="field__hint">"The exported file holds the passes in plain text: keep it safe and delete it when done."</p>
        </Show>
        // The table is built once, when the run is over: redrawing 1,000 rows per batch answer
        // cost more than the run's own network time (cargo xtask bench).
        <Show when=move || bulk.step.get() == Step::Results>
            <ResultsTable bulk=bulk revealed=revealed reveal_all=reveal_all />
        </Show>
        <Show when=move || handouts_open.get()>
            <Handouts bulk=bulk handouts_open=handouts_open />
        </Show>
    }
}

/// The progress bar and counts, with the time left.
#[component]
fn RunProgress(bulk: Bulk) -> impl IntoView {
    let progress = move || {
        bulk.version.track();
        bulk.data.with_value(|d| {
            d.run
                .as_ref()
                .map(|r| (r.progress(), r.eta_ms(d.started_ms, browser::now_ms())))
        })
    };
    move || {
        progress().map(|(p, eta)| {
        let total = p.done + p.failed + p.remaining;
        view! {
            <div class="bulk__progress">
                <progress id="bulk-progress" max=total.to_string() value=(p.done + p.failed).to_string() aria-label="Passes done"></progress>
                <p id="bulk-status">
                    {summary::progress_line(p.done, p.failed, p.remaining, eta)}
                </p>
            </div>
        }
    })
    }
}

/// Reveal all, export, handouts and Finish (which asks whether the passes were handed out).
#[component]
fn ResultsActions(
    bulk: Bulk,
    reveal_all: RwSignal<bool>,
    handouts_open: RwSignal<bool>,
    forget: Callback<bool>,
) -> impl IntoView {
    let held = move || {
        bulk.version.track();
        bulk.data.with_value(|d| d.kept().held)
    };
    let export = move |_| {
        if download("tapdesk-passes.csv", &results::csv(&lines(bulk))) {
            bulk.update(|d| d.exported = true);
        }
    };
    let confirm_finish = RwSignal::new(false);
    // "Finish": every value forgotten, back to an empty input screen.
    let finish = move || {
        confirm_finish.set(false);
        forget.run(false);
        bulk.update(|d| *d = Data::default());
        bulk.announce.set(String::new());
        bulk.step.set(Step::Input);
        super::browser::focus_soon("#bulk-paste");
    };
    let ask = move |_| {
        if bulk.data.with_value(|d| d.kept().finish_asks()) {
            confirm_finish.set(true);
            super::browser::focus_soon("#bulk-forget");
        } else {
            finish();
        }
    };
    // "Keep them" or Escape: the question closes, focus goes back to Finish.
    let keep = move || {
        confirm_finish.set(false);
        super::browser::focus_soon("#bulk-finish");
    };
    view! {
        <div class="bulk__actions">
            <Show when=move || { held() > 0 }>
                <button type="button" id="bulk-reveal-all" class="button" aria-pressed=move || reveal_all.get().to_string()
                    on:click=move |_| reveal_all.update(|r| *r = !*r)>{move || if reveal_all.get() { "Hide all" } else { "Reveal all" }}</button>
            </Show>
            <button type="button" id="bulk-export" class="button" on:click=export>"Export CSV"</button>
            <Show when=move || { held() > 0 }>
                <button type="button" id="bulk-handouts" class="button" aria-expanded=move || handouts_open.get().to_string()
                    on:click=move |_| handouts_open.update(|o| *o = !*o)>"Handouts"</button>
            </Show>
            <button type="button" id="bulk-finish" class="button button--primary" aria-expanded=move || confirm_finish.get().to_string()
                on:click=ask>"Finish"</button>
        </div>
        <Show when=move || confirm_finish.get()>
            <div id="bulk-finish-confirm" class="confirm" role="group" aria-labelledby="bulk-finish-question"
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); keep() }>
                <p id="bulk-finish-question">{move || bulk.data.with_value(|d| d.kept().question())}</p>
                <button type="button" id="bulk-forget" class="button button--danger" on:click=move |_| finish()>"Forget the passes"</button>
                <button type="button" id="bulk-keep" class="button" on:click=move |_| keep()>"Keep them"</button>
            </div>
        </Show>
    }
}

/// The results table: masked passes, each revealed on its own or all at once.
///
/// Rows are keyed by job and whether the row still holds its value: once the run is over only
/// forgetting changes a row, and a forgotten row must be drawn anew ("Removed from the page").
#[component]
fn ResultsTable(
    bulk: Bulk,
    revealed: RwSignal<Vec<usize>>,
    reveal_all: RwSignal<bool>,
) -> impl IntoView {
    let rows = move || {
        bulk.version.track();
        lines(bulk)
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Results">
            <table id="bulk-results" class="table">
                <thead><tr><th scope="col">"User"</th><th scope="col">"Pass"</th><th scope="col">"Valid from"</th><th scope="col">"Valid until"</th><th scope="col">"Outcome"</th></tr></thead>
                <tbody>
                    <For each=rows key=|l| (l.job, l.removed) let(l)>
                        <ResultRow line=l revealed=revealed reveal_all=reveal_all />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// One result line; its pass masked until revealed.
#[component]
fn ResultRow(
    line: Line,
    revealed: RwSignal<Vec<usize>>,
    reveal_all: RwSignal<bool>,
) -> impl IntoView {
    let l = line;
    let i = l.job;
    let shown = move || reveal_all.get() || revealed.with(|r| r.contains(&i));
    let length = l.pass.as_ref().map_or(0, |v| v.chars().count());
    let who = if l.name.is_empty() {
        l.upn.clone()
    } else {
        l.name.clone()
    };
    let reveal_label = move || {
        format!(
            "{} the pass of {who}",
            if shown() { "Hide" } else { "Reveal" }
        )
    };
    view! {
        <tr class:row--failed=!l.ok>
            <td class="cell--clip" title=format!("{} {}", l.name, l.upn)>{l.name.clone()}" "<span class="results__upn">{l.upn.clone()}</span></td>
            <td>{l.removed.then_some("Removed from the page")}{l.pass.map(|v| view! {
                <code class="bulk__pass">{move || if shown() { v.clone() } else { "•".repeat(length) }}</code>
                " "<button type="button" class="button button--quiet reveal-one" aria-label=reveal_label.clone() aria-pressed=move || shown().to_string()
                    on:click=move |_| revealed.update(|r| if let Some(k) = r.iter().position(|x| *x == i) { r.remove(k); } else { r.push(i) })>
                    {move || if shown() { "Hide" } else { "Reveal" }}</button>
            })}</td>
            <td>{l.from}</td>
            <td>{l.until}</td>
            <td>{l.outcome}</td>
        </tr>
    }
}

/// One page per created pass; printing shows only these (style/main.css @media print).
#[component]
fn Handouts(bulk: Bulk, handouts_open: RwSignal<bool>) -> impl IntoView {
    let print = move |_| {
        bulk.update(|d| d.printed = true);
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let (base, organization) = bulk.ctx.session.with_value(|s| {
        let c = s.config();
        (c.handout_url.clone(), c.organization_name.clone())
    });
    // A campaign wave's handouts explain the passkey steps, in the language chosen here.
    let language = RwSignal::new("en".to_string());
    view! {
        <div id="handouts" class="handouts print-root">
            <div class="bulk__actions handouts__controls print-root__controls">
                <button type="button" id="bulk-print" class="button" on:click=print>"Print"</button>
                <Show when=move || bulk.from_campaign.get()>
                    <label class="field">
                        <span class="field__label">"Passkey steps in"</span>
                        <select id="bulk-handout-language" on:change=move |ev| language.set(event_target_value(&ev))>
                            {handout::PASSKEY_STEPS.iter().map(|(code, _, _)| view! {
                                <option value=*code selected=move || language.get() == *code>{crate::handover::language_name(code)}</option>
                            }).collect_view()}
                        </select>
                    </label>
                </Show>
                <button type="button" id="bulk-handouts-close" class="button" on:click=move |_| handouts_open.set(false)>"Close"</button>
            </div>
            {move || {
                bulk.version.track();
                lines(bulk).into_iter().filter(|l| l.pass.is_some()).map(|l| {
                    let link = handout::sign_in_link(&base, &l.upn);
                    let qr = handout::qr_data_url(&link);
                    view! {
                        <article class="handout">
                            <p class="handout__org">{handout::organisation(organization.as_deref(), &l.upn)}</p>
                            <h2 class="handout__name">{l.name.clone()}</h2>
                            <p class="handout__upn">{l.upn.clone()}</p>
                            <p class="handout__pass"><span>"Temporary Access Pass: "</span><code>{l.pass.clone()}</code></p>
                            <p>{format!("Valid from {} until {}.", l.from, l.until)}</p>
                            {move || if bulk.from_campaign.get() {
                                let (heading, steps) = handout::passkey_steps(&language.get());
                                view! {
                                    <p class="handout__passkey">{heading}</p>
                                    <ol>{steps.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol>
                                }.into_any()
                            } else {
                                view! { <ol>{handout::STEPS.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol> }.into_any()
                            }}
                            {qr.map(|src| view! { <img class="handout__qr" src=src alt=format!("QR code of {link}") width="160" height="160" /> })}
                            <p class="handout__link">{link.clone()}</p>
                        </article>
                    }
                }).collect_view()
            }}
        </div>
    }
}
