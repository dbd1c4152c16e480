//! The run and its results: progress, then a table of created badges with their PINs masked
//! (reveal, copy with clearing), the sheet of badges (name, QR, "PIN handed separately") and
//! the sheet of PIN slips, opened one at a time so a badge and its PIN never share a printout,
//! the replacement of badges whose answer was lost, and Done.

use std::time::Duration;

use leptos::prelude::*;

use super::{forget, outcomes, replace_lost, use_forgetting, Badges, Outcome, Step};
use crate::badge::run::{BadgeJob, Issued};
use crate::handout;
use crate::messages;
use crate::secret::Secret;
use crate::ui::browser;
use crate::ui::reveal::copy_secret;

/// Which printable sheet is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sheet {
    Badges,
    Pins,
}

/// The outcome of a badge in words.
fn outcome_words(state: &BadgeJob) -> String {
    match state {
        BadgeJob::Created(_) => "Created".into(),
        BadgeJob::CreatedUnseen => messages::BADGE_CREATED_UNSEEN.into(),
        BadgeJob::Failed(why) => why.clone(),
        BadgeJob::Pending
        | BadgeJob::InFlight
        | BadgeJob::Throttled { .. }
        | BadgeJob::Ambiguous => "Waiting for Graph…".into(),
    }
}

/// "27 Nov 2027, 09:00 Europe/Berlin" from Graph's RFC 3339 expiry.
fn expiry_words(issued: &Issued) -> String {
    issued
        .expires
        .as_deref()
        .and_then(crate::graph::time::parse_ms)
        .map(browser::local_datetime)
        .unwrap_or_default()
}

/// Progress while running; the results and sheets when settled.
#[component]
pub(super) fn RunView(b: Badges, on_done: Callback<()>) -> impl IntoView {
    let now = use_forgetting(b);
    let sheet: RwSignal<Option<Sheet>> = RwSignal::new(None);
    let printed_badges = RwSignal::new(false);
    let printed_pins = RwSignal::new(false);
    let confirm_done = RwSignal::new(false);
    let all = move || {
        b.version.track();
        outcomes(b)
    };
    let held = move || {
        b.version.track();
        b.work
            .with_value(|w| w.run.as_ref().map_or(0, crate::badge::run::BadgeRun::held))
    };
    let unseen = move || {
        all()
            .iter()
            .filter(|o| o.state == BadgeJob::CreatedUnseen)
            .count()
    };
    let finish = move || {
        forget(b, "Done: the PINs and QR codes are gone from this page.");
        sheet.set(None);
        confirm_done.set(false);
        b.step.set(Step::Input);
        b.update(|w| *w = super::Work::default());
        on_done.run(());
    };
    let done = move |_| {
        if held() == 0 || (printed_badges.get_untracked() && printed_pins.get_untracked()) {
            finish();
        } else {
            confirm_done.set(true);
        }
    };
    let replace = move |_| {
        let body = b.work.with_value(|w| w.body.clone());
        if let Some(body) = body {
            sheet.set(None);
            b.step.set(Step::Running);
            leptos::task::spawn_local(replace_lost(b, body));
        }
    };
    let show_seconds = b.ctx.session.with_value(|s| s.config().pass_show_seconds);
    view! {
        <Show when=move || b.step.get() == Step::Running>
            {move || {
                let list = all();
                let total = list.len();
                let settled = list.iter().filter(|o| matches!(o.state, BadgeJob::Created(_) | BadgeJob::CreatedUnseen | BadgeJob::Failed(_))).count();
                view! {
                    <div class="bulk__progress">
                        <progress id="badges-progress" max=total.to_string() value=settled.to_string() aria-label="Badges done"></progress>
                        <p id="badges-status">{format!("{settled} of {total} badges settled…")}</p>
                    </div>
                }
            }}
        </Show>
        <Show when=move || b.step.get() == Step::Results>
            <h3 id="badges-results-title" tabindex="-1">"Results"</h3>
            <p id="badges-summary" class="status" role="status">{move || {
                let list = all();
                let created = list.iter().filter(|o| matches!(o.state, BadgeJob::Created(_))).count();
                let failed = list.iter().filter(|o| matches!(o.state, BadgeJob::Failed(_))).count();
                let mut s = format!("{created} badges created");
                if unseen() > 0 { s.push_str(&format!("; {} created but their PIN and QR were lost", unseen())); }
                if failed > 0 { s.push_str(&format!("; {failed} not created")); }
                s.push('.');
                s
            }}</p>
            <p id="badges-forget-at" class="status">{move || {
                let t = now.get();
                match (held(), b.work.with_value(|w| w.results_at_ms)) {
                    (0, _) => b.forgotten.get().unwrap_or_default(),
                    (_, Some(at)) => {
                        let end = crate::bulk::ending::forget_at_ms(at, show_seconds);
                        format!("The PINs and QR codes leave this page at {} (in {}), or when you press Done or leave the page.",
                            browser::local_datetime(end), crate::bulk::summary::span((end - t).max(0.0)))
                    }
                    _ => String::new(),
                }
            }}</p>
            <div class="command-bar badges__actions">
                <button type="button" id="badges-print-badges" class="button" disabled=move || held() == 0
                    on:click=move |_| sheet.set(Some(Sheet::Badges))>"Badges to print"</button>
                <button type="button" id="badges-print-pins" class="button" disabled=move || held() == 0
                    on:click=move |_| sheet.set(Some(Sheet::Pins))>"PIN slips to print"</button>
                <Show when=move || { unseen() > 0 }>
                    <button type="button" id="badges-replace" class="button" on:click=replace>
                        {move || format!("Replace the {} lost badges", unseen())}</button>
                </Show>
                <button type="button" id="badges-done" class="button button--primary" on:click=done>"Done"</button>
            </div>
            <Show when=move || { unseen() > 0 }>
                <p class="field__hint">"Replace deletes each of these badges (nobody can print it: its QR code and PIN were never shown) and creates a new one, only once Graph confirmed the delete."</p>
            </Show>
            <Show when=move || confirm_done.get()>
                <div id="badges-confirm-done" class="notice notice--warning" role="alertdialog" aria-labelledby="badges-confirm-text">
                    <p id="badges-confirm-text">{move || format!(
                        "{}: after Done these PINs and QR codes cannot be shown again. Badges not handed out must be deleted and created again.",
                        match (printed_badges.get(), printed_pins.get()) {
                            (false, false) => "Neither the badges nor the PIN slips were printed",
                            (false, true) => "The badges were not printed",
                            _ => "The PIN slips were not printed",
                        })}</p>
                    <button type="button" id="badges-done-anyway" class="button button--danger" on:click=move |_| finish()>"Forget them"</button>
                    " "
                    <button type="button" id="badges-done-keep" class="button" on:click=move |_| confirm_done.set(false)>"Keep them"</button>
                </div>
            </Show>
            <ResultsTable b=b />
        </Show>
        {move || sheet.get().filter(|_| held() > 0).map(|which| {
            let printed = if which == Sheet::Badges { printed_badges } else { printed_pins };
            view! { <PrintSheet b=b which=which printed=printed close=Callback::new(move |_| sheet.set(None)) /> }
        })}
    }
}

/// The created badges, PINs masked until revealed.
#[component]
fn ResultsTable(b: Badges) -> impl IntoView {
    let revealed: RwSignal<Vec<usize>> = RwSignal::new(Vec::new());
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let clear_after = b
        .ctx
        .session
        .with_value(|s| Duration::from_secs(u64::from(s.config().clipboard_clear_seconds)));
    let rows = move || {
        b.version.track();
        outcomes(b)
    };
    view! {
        <p class="status" role="status">{move || copied.get()}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Badges created">
            <table id="badges-results" class="table">
                <thead><tr><th scope="col">"User"</th><th scope="col">"Valid until"</th><th scope="col">"PIN"</th><th scope="col">"Outcome"</th></tr></thead>
                <tbody>
                    {move || rows().into_iter().map(|o| view! { <ResultRow o=o revealed=revealed copied=copied clear_after=clear_after /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One badge's line.
#[component]
fn ResultRow(
    o: Outcome,
    revealed: RwSignal<Vec<usize>>,
    copied: RwSignal<Option<&'static str>>,
    clear_after: Duration,
) -> impl IntoView {
    let j = o.job;
    let shown = move || revealed.with(|r| r.contains(&j));
    let (until, pin) = match &o.state {
        BadgeJob::Created(i) => (expiry_words(i), i.pin.clone()),
        _ => (String::new(), None),
    };
    let ok = matches!(o.state, BadgeJob::Created(_));
    let who = o.name.clone();
    view! {
        <tr class="badges__result" class:row--failed=!ok>
            <td class="cell--clip">{o.name.clone()}" "<span class="results__upn">{o.upn.clone()}</span></td>
            <td>{until}</td>
            <td class="badges__pin-cell">{pin.map(|p| {
                let length = p.chars();
                let value = StoredValue::new(p);
                let label = who.clone();
                view! {
                    <code class="badges__pin">{move || if shown() { value.with_value(|v| v.expose().to_owned()) } else { "•".repeat(length) }}</code>
                    " "
                    <button type="button" class="button button--quiet badges__reveal" aria-pressed=move || shown().to_string()
                        aria-label=move || format!("{} the PIN of {label}", if shown() { "Hide" } else { "Reveal" })
                        on:click=move |_| revealed.update(|r| if let Some(k) = r.iter().position(|x| *x == j) { r.remove(k); } else { r.push(j) })>
                        {move || if shown() { "Hide" } else { "Reveal" }}</button>
                    " "
                    <button type="button" class="button button--quiet badges__copy" aria-label=format!("Copy the PIN of {who}")
                        on:click=move |_| copy_secret(value.get_value(), clear_after, copied)>"Copy"</button>
                }
            })}</td>
            <td>{outcome_words(&o.state)}</td>
        </tr>
    }
}

/// The sheet of badges or of PIN slips; printing shows only the open sheet (style/main.css).
#[component]
fn PrintSheet(
    b: Badges,
    which: Sheet,
    printed: RwSignal<bool>,
    close: Callback<()>,
) -> impl IntoView {
    let organization = b
        .ctx
        .session
        .with_value(|s| s.config().organization_name.clone());
    let print = move |_| {
        printed.set(true);
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    let (id, title) = match which {
        Sheet::Badges => ("badge-sheet", "Badges (no PIN on them)"),
        Sheet::Pins => ("pin-slips", "PIN slips (print apart from the badges)"),
    };
    let cards = move || {
        b.version.track();
        outcomes(b)
            .into_iter()
            .filter_map(|o| match &o.state {
                BadgeJob::Created(i) if i.pin.is_some() || i.qr.is_some() => {
                    let i = i.clone();
                    Some((o, i))
                }
                _ => None,
            })
            .map(|(o, i)| {
                let org = handout::organisation(organization.as_deref(), &o.upn);
                match which {
                    Sheet::Badges => {
                        view! { <BadgeCard org=org name=o.name upn=o.upn issued=i /> }.into_any()
                    }
                    Sheet::Pins => {
                        view! { <PinSlip org=org name=o.name upn=o.upn issued=i /> }.into_any()
                    }
                }
            })
            .collect_view()
    };
    view! {
        <div id=id class="print-root badges__sheet" role="region" aria-label=title>
            <div class="command-bar print-root__controls">
                <h3 class="badges__sheet-title">{title}</h3>
                <button type="button" id=format!("{id}-print") class="button button--primary" on:click=print>"Print"</button>
                <button type="button" id=format!("{id}-close") class="button" on:click=move |_| close.run(())>"Close"</button>
            </div>
            <div class=move || if which == Sheet::Badges { "badges__cards" } else { "badges__slips" }>{cards}</div>
        </div>
    }
}

/// One badge: the organisation, the name, the QR code drawn here, its expiry, no PIN.
#[component]
fn BadgeCard(org: String, name: String, upn: String, issued: Issued) -> impl IntoView {
    let svg = issued
        .qr
        .as_ref()
        .and_then(|q| crate::badge::qr_svg(q.expose()));
    let until = expiry_words(&issued);
    view! {
        <article class="badge-card">
            <p class="badge-card__org">{org}</p>
            <h4 class="badge-card__name">{name.clone()}</h4>
            <p class="badge-card__upn">{upn}</p>
            {match svg {
                Some(svg) => view! { <div class="badge-card__qr" role="img" aria-label=format!("Sign-in QR code of {name}") inner_html=svg></div> }.into_any(),
                None => view! { <p class="notice notice--error">"This QR code could not be drawn: delete the badge and create it again."</p> }.into_any(),
            }}
            <p class="badge-card__until">{format!("Valid until {until}")}</p>
            <p class="badge-card__pin-apart">{messages::BADGE_PIN_APART}</p>
        </article>
    }
}

/// One PIN slip: the name and the PIN, no QR code.
#[component]
fn PinSlip(org: String, name: String, upn: String, issued: Issued) -> impl IntoView {
    let pin = issued
        .pin
        .as_ref()
        .map(Secret::expose)
        .unwrap_or_default()
        .to_owned();
    view! {
        <article class="pin-slip">
            <p class="badge-card__org">{org}</p>
            <h4 class="badge-card__name">{name}</h4>
            <p class="badge-card__upn">{upn}</p>
            <p class="pin-slip__pin">"PIN: "<code>{pin}</code></p>
            <p class="pin-slip__how">"Scan your badge at the shared device, then type this PIN. You choose your own PIN at the first sign-in. Keep this slip apart from your badge and destroy it once you have changed the PIN."</p>
        </article>
    }
}
