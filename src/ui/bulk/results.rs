//! The run and its results: progress with pause and cancel; then a table of masked passes
//! (reveal one or all), CSV export and printable handouts.

use crate::ui::hooks::*;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::{Bulk, Data, Step};
use crate::bulk::batch::JobState;
use crate::bulk::ending;
use crate::export::{pass_cell, text_cell};
use crate::graph::models::TemporaryAccessPass;
use crate::graph::time;
use crate::handout;
use crate::ui::browser;

/// One result line as shown and exported.
#[derive(Clone, Debug)]
struct Line {
    name: String,
    upn: String,
    pass: Option<String>,
    from: String,
    until: String,
    outcome: String,
    ok: bool,
    /// Created, but its value was removed from the page (Done, time-out or `pagehide`).
    removed: bool,
}

fn lines(bulk: Bulk) -> Vec<Line> {
    bulk.data.with_value(|d| {
        let Some(run) = d.run.as_ref() else { return Vec::new() };
        d.jobs
            .iter()
            .enumerate()
            .map(|(job, &n)| {
                let item = &d.items[n];
                let name = item.lookup.user.as_ref().map(|u| u.name().to_owned()).unwrap_or_default();
                let zone = item.zone.as_deref();
                let window = |p: &TemporaryAccessPass| {
                    let start = p.start_date_time.as_deref().and_then(time::parse_ms);
                    let end = start.zip(p.lifetime_in_minutes).map(|(s, m)| s + f64::from(m) * 60_000.0);
                    // Every time carries its zone: the row's own, else the browser's (a handout
                    // may be read in another office).
                    let label = format!(" ({})", zone.map_or_else(browser::time_zone, str::to_owned));
                    (
                        start.map(|s| format!("{}{label}", browser::datetime_in_zone(s, zone))).unwrap_or_default(),
                        end.map(|e| format!("{}{label}", browser::datetime_in_zone(e, zone))).unwrap_or_default(),
                    )
                };
                let (pass, from, until, outcome, ok) = match run.state(job) {
                    JobState::Created(p) => {
                        let (f, u) = window(p);
                        (p.temporary_access_pass.as_ref().map(|s| s.expose().to_owned()), f, u, "Created".to_owned(), true)
                    }
                    JobState::Failed(e) => (None, String::new(), String::new(), crate::bulk::batch::failure_sentence(e), false),
                    JobState::CreatedUnseen { created } => (
                        None,
                        String::new(),
                        String::new(),
                        format!(
                            "A pass was created{} but its value was lost: create a new one for this user.",
                            created.as_deref().and_then(time::parse_ms).map(|ms| format!(" at {}", browser::local_datetime(ms))).unwrap_or_default()
                        ),
                        false,
                    ),
                    JobState::Cancelled => (None, String::new(), String::new(), "Cancelled: nothing was sent.".to_owned(), false),
                    _ => (None, String::new(), String::new(), "Not finished.".to_owned(), false),
                };
                let removed = ok && pass.is_none();
                Line { name, upn: item.row.upn.clone(), pass, from, until, outcome, ok, removed }
            })
            .collect()
    })
}

fn csv(lines: &[Line]) -> String {
    let mut out = String::from("name,upn,temporaryAccessPass,validFrom,validUntil,outcome\r\n");
    for l in lines {
        let cells = [
            text_cell(&l.name),
            text_cell(&l.upn),
            l.pass.as_deref().map(pass_cell).unwrap_or_default(),
            text_cell(&l.from),
            text_cell(&l.until),
            text_cell(&l.outcome),
        ];
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

/// Offers `text` as a file download (a Blob URL, revoked right after).
fn download(name: &str, text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return false;
    };
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    true
}

/// Progress while running; results when done.
#[component]
pub fn RunView(bulk: Bulk) -> impl IntoView {
    let revealed: RwSignal<Vec<usize>> = RwSignal::new(Vec::new());
    let reveal_all = RwSignal::new(false);
    let progress = move || {
        bulk.version.track();
        bulk.data.with_value(|d| {
            d.run
                .as_ref()
                .map(|r| (r.progress(), r.eta_ms(d.started_ms, browser::now_ms())))
        })
    };
    let export = move |_| {
        let all = lines(bulk);
        if download("tapdesk-passes.csv", &csv(&all)) {
            bulk.update(|d| d.exported = true);
        }
    };
    // The handouts show the passes, so they appear only when the admin asks for them.
    let handouts_open = RwSignal::new(false);
    let print = move |_| {
        bulk.update(|d| d.printed = true);
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let (handout_base, organization) = bulk.ctx.session.with_value(|s| {
        let c = s.config();
        (c.handout_url.clone(), c.organization_name.clone())
    });
    let handout_base = StoredValue::new(handout_base);
    let organization = StoredValue::new(organization);

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
        bulk.data.try_update_value(|d| {
            let n = d.run.as_mut().map_or(0, |r| r.forget_values());
            if n > 0 {
                d.forgotten = Some(ending::forgotten_notice(n, by_time_out));
            }
        });
        bulk.version.try_update(|v| *v += 1);
    };
    let now = RwSignal::new(browser::now_ms());
    let forget_at = move || {
        bulk.version.track();
        bulk.data
            .with_value(|d| d.results_at_ms)
            .map(|at| ending::forget_at_ms(at, show_seconds))
    };
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let t = browser::now_ms();
            now.try_set(t);
            let (held, at) = bulk
                .data
                .try_with_value(|d| (d.kept().held, d.results_at_ms))
                .unwrap_or((0, None));
            let due = at.is_some_and(|at| t >= ending::forget_at_ms(at, show_seconds));
            if held > 0 && due {
                forget(true);
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    use_page_hide(move || forget(false));
    let confirm_done = RwSignal::new(false);
    let held = move || {
        bulk.version.track();
        bulk.data.with_value(|d| d.kept().held)
    };
    // "Done": every value forgotten, back to an empty input screen.
    let finish = move || {
        confirm_done.set(false);
        forget(false);
        bulk.update(|d| *d = Data::default());
        bulk.step.set(Step::Input);
    };
    let done = move |_| {
        if bulk.data.with_value(|d| d.kept().loses_passes()) {
            confirm_done.set(true);
        } else {
            finish();
        }
    };
    view! {
        {move || progress().map(|(p, eta)| {
            let total = p.done + p.failed + p.remaining;
            view! {
                <div class="bulk__progress">
                    <progress id="bulk-progress" max=total.to_string() value=(p.done + p.failed).to_string() aria-label="Passes done"></progress>
                    <p id="bulk-status" role="status">
                        {format!("{} created · {} failed · {} remaining{}", p.done, p.failed, p.remaining,
                            eta.map(|ms| format!(" · about {} left", crate::tap::countdown(ms))).unwrap_or_default())}
                    </p>
                </div>
            }
        })}
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
                <button type="button" id="bulk-done" class="button button--primary" on:click=done>"Done"</button>
            </div>
            <Show when=move || confirm_done.get()>
                <div id="bulk-done-confirm" class="confirm" role="group" aria-labelledby="bulk-done-question">
                    <p id="bulk-done-question">{move || bulk.data.with_value(|d| d.kept().question())}</p>
                    <button type="button" id="bulk-forget" class="button button--danger" on:click=move |_| finish()>"Forget the passes"</button>
                    <button type="button" id="bulk-keep" class="button" on:click=move |_| confirm_done.set(false)>"Keep them"</button>
                </div>
            </Show>
            <p id="bulk-forget-at" class="status" role="status">{move || {
                let t = now.get();
                match (held(), forget_at()) {
                    (0, _) => bulk.data.with_value(|d| d.forgotten.clone()).unwrap_or_default(),
                    (_, Some(at)) => format!("The passes leave this page at {} ({} left), or when you press Done or leave the page.",
                        browser::local_datetime(at), crate::tap::countdown((at - t).max(0.0))),
                    _ => String::new(),
                }
            }}</p>
            <p class="field__hint">"The exported file holds the passes in plain text: keep it safe and delete it when done."</p>
        </Show>
        // The table is built once, when the run is over: redrawing 1,000 rows per batch answer
        // cost more than the run's own network time (cargo xtask bench).
        <Show when=move || bulk.step.get() == Step::Results>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Results">
            <table id="bulk-results" class="table">
                <thead><tr><th scope="col">"User"</th><th scope="col">"Pass"</th><th scope="col">"Valid from"</th><th scope="col">"Valid until"</th><th scope="col">"Outcome"</th></tr></thead>
                <tbody>
                    {move || {
                        bulk.version.track();
                        lines(bulk).into_iter().enumerate().map(|(i, l)| {
                            let shown = move || reveal_all.get() || revealed.with(|r| r.contains(&i));
                            let value = l.pass.clone();
                            let length = value.as_ref().map_or(0, |v| v.chars().count());
                            view! {
                                <tr class:row--failed=!l.ok>
                                    <td class="cell--clip" title=format!("{} {}", l.name, l.upn)>{l.name.clone()}" "<span class="results__upn">{l.upn.clone()}</span></td>
                                    <td>{l.removed.then_some("Removed from the page")}{value.clone().map(|v| view! {
                                        <code class="bulk__pass">{move || if shown() { v.clone() } else { "•".repeat(length) }}</code>
                                        " "<button type="button" class="button button--quiet reveal-one" aria-pressed=move || shown().to_string()
                                            on:click=move |_| revealed.update(|r| if let Some(k) = r.iter().position(|x| *x == i) { r.remove(k); } else { r.push(i) })>
                                            {move || if shown() { "Hide" } else { "Reveal" }}</button>
                                    })}</td>
                                    <td>{l.from.clone()}</td>
                                    <td>{l.until.clone()}</td>
                                    <td>{l.outcome.clone()}</td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
        </div>
        </Show>
        // One page per created pass; printing shows only these (style/main.css @media print).
        <Show when=move || handouts_open.get()>
        <div id="handouts" class="handouts">
            <div class="bulk__actions handouts__controls">
                <button type="button" id="bulk-print" class="button button--primary" on:click=print>"Print"</button>
                <button type="button" id="bulk-handouts-close" class="button" on:click=move |_| handouts_open.set(false)>"Close"</button>
            </div>
            {move || {
                bulk.version.track();
                let base = handout_base.get_value();
                lines(bulk).into_iter().filter(|l| l.pass.is_some()).map(|l| {
                    let link = handout::sign_in_link(&base, &l.upn);
                    let qr = handout::qr_data_url(&link);
                    view! {
                        <article class="handout">
                            <p class="handout__org">{handout::organisation(organization.get_value().as_deref(), &l.upn)}</p>
                            <h2 class="handout__name">{l.name.clone()}</h2>
                            <p class="handout__upn">{l.upn.clone()}</p>
                            <p class="handout__pass"><span>"Temporary Access Pass: "</span><code>{l.pass.clone()}</code></p>
                            <p>{format!("Valid from {} until {}.", l.from, l.until)}</p>
                            <ol>{handout::STEPS.iter().map(|s| view! { <li>{*s}</li> }).collect_view()}</ol>
                            {qr.map(|src| view! { <img class="handout__qr" src=src alt=format!("QR code of {link}") width="160" height="160" /> })}
                            <p class="handout__link">{link.clone()}</p>
                        </article>
                    }
                }).collect_view()
            }}
        </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_neutralises_cells_and_keeps_the_pass_readable() {
        let l = Line {
            name: "=cmd".into(),
            upn: "a@b".into(),
            pass: Some("+Xy3!kQ9".into()),
            from: "x".into(),
            until: "y".into(),
            outcome: "Created".into(),
            ok: true,
            removed: false,
        };
        let text = csv(&[l]);
        assert!(text.starts_with("name,upn,temporaryAccessPass"));
        assert!(text.contains("'=cmd,a@b,\"=\"\"+Xy3!kQ9\"\"\""), "{text}");
    }
}
