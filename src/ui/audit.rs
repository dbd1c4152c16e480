//! The Audit screen: recent pass creations and deletions from the directory audit log, who did
//! what to whom and when, with the permission asked for only here.

use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::audit::{self, PassEvent};
use crate::graph::{api, GraphError};
use crate::messages::Operation;

/// The Audit tab; reads the log the first time it is shown.
#[component]
pub fn AuditTrail(ctx: Ctx, active: Signal<bool>) -> impl IntoView {
    let permitted = audit::PERMISSIONS.iter().all(|p| ctx.may(p));
    let days = RwSignal::new(audit::DEFAULT_DAYS);
    let events: RwSignal<Vec<PassEvent>> = RwSignal::new(Vec::new());
    let next: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let filter = RwSignal::new(String::new());

    let load = move |more: bool| {
        if busy.get_untracked() {
            return;
        }
        let link = if more { next.get_untracked() } else { None };
        if more && link.is_none() {
            return;
        }
        busy.set(true);
        let since = audit::since_ms(browser::now_ms(), days.get_untracked());
        leptos::task::spawn_local(async move {
            let first = api::audit_page::<audit::Record>(since);
            let result = ctx
                .graph()
                .send(match link {
                    Some(l) => first.at(l),
                    None => first,
                })
                .await;
            busy.set(false);
            loaded.set(true);
            match result {
                Ok(page) => {
                    failure.set(None);
                    let found: Vec<PassEvent> =
                        page.value.iter().filter_map(audit::pass_event).collect();
                    if more {
                        events.update(|e| e.extend(found));
                    } else {
                        events.set(found);
                    }
                    next.set(page.next_link);
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    Effect::new(move |_| {
        if permitted && active.get() && !loaded.get_untracked() {
            load(false);
        }
    });
    let grant = move |_| ctx.grant(audit::PERMISSIONS);
    // Offered only to a role that can use it (issue 17); otherwise the roles that can.
    let offer = ctx.session.with_value(|s| {
        crate::tap::guard::grant_offer(audit::PERMISSION, s.account().roles.as_deref())
    });
    let shown = move || events.with(|e| audit::shown(e, &filter.get()));

    view! {
        <section class="card" aria-labelledby="audit-title">
            <h2 id="audit-title">"Audit trail"</h2>
            <p>"Passes created and deleted in your tenant, from the directory audit log (Entra keeps 7 days of it on the Free licence, 30 days with P1 or P2; new entries can take a few minutes to appear)."</p>
            {(!permitted).then(|| view! {
                <div id="audit-consent" class="notice">
                    <p>"Reading the audit log needs the permissions AuditLog.Read.All and Directory.Read.All, and a role such as Global Reader, Security Reader or Reports Reader."</p>
                    {match offer.clone() {
                        Ok(()) => view! { <button type="button" id="audit-grant" class="button" on:click=grant>"Grant permission"</button> }.into_any(),
                        Err(who) => view! { <p id="audit-grant-role">{who}</p> }.into_any(),
                    }}
                </div>
            })}
            {permitted.then(|| view! {
                <div class="audit__options command-bar">
                    <label class="field">
                        <span class="field__label">"Period"</span>
                        <select id="audit-days" on:change=move |ev| {
                            days.set(audit::days_from(&event_target_value(&ev)));
                            load(false);
                        }>
                            <option value="1">"Last 24 hours"</option>
                            <option value="7" selected=true>"Last 7 days"</option>
                            <option value="30">"Last 30 days"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Admin or user"</span>
                        <input id="audit-filter" type="search" prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" id="audit-refresh" class="button button--primary" disabled=move || busy.get() on:click=move |_| {
                        load(false);
                        // Disabled while it reads: focus goes to what it says.
                        browser::focus_soon("#audit-news");
                    }>"Refresh"</button>
                </div>
            })}
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::ReadAudit /> })}
            // Live: says when the log is being read and how many entries it shows then.
            <p id="audit-news" class="status" role="status" tabindex="-1">{move || {
                if busy.get() {
                    "Reading the audit log…".to_owned()
                } else if loaded.get() && failure.with(Option::is_none) {
                    audit::loaded_words(events.with(|e| audit::shown(e, &filter.get()).len()))
                } else {
                    String::new()
                }
            }}</p>
            {move || (loaded.get() && failure.get().is_none()).then(|| {
                let rows = shown();
                if rows.is_empty() {
                    return view! { <p id="audit-empty" class="notice empty">{audit::EMPTY}</p> }.into_any();
                }
                view! { <AuditTable rows=rows /> }.into_any()
            })}
            {move || next.get().is_some().then(|| view! {
                <button type="button" id="audit-more" class="button" disabled=move || busy.get() on:click=move |_| {
                    load(true);
                    browser::focus_soon("#audit-news");
                }>"Load older entries"</button>
            })}
        </section>
    }
}

/// The events, newest first: when, what, by whom, for whom.
#[component]
fn AuditTable(rows: Vec<PassEvent>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Audit entries">
        <table id="audit" class="table">
            <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"By"</th><th scope="col">"For"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|e| {
                    let what = e.words();
                    view! { <tr class="audit__row"><td>{browser::local_datetime(e.at_ms)}</td><td>{what}</td><td>{e.actor}</td><td>{e.target}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}
