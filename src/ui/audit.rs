//! The Audit screen: recent pass creations and deletions from the directory audit log, who did
//! what to whom and when, with the permission asked for only here.

use leptos::prelude::*;

use super::{browser, graph_call, Ctx, GraphErrorView};
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
            let result = graph_call(ctx, move |c, t| {
                let link = link.clone();
                async move { api::audit_page(&c, &t, since, link.as_deref()).await }
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
                <div class="audit__options">
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
                    <button type="button" id="audit-refresh" class="button" disabled=move || busy.get() on:click=move |_| load(false)>"Refresh"</button>
                </div>
            })}
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::ReadAudit /> })}
            {move || busy.get().then(|| view! { <p class="status" role="status">"Reading the audit log…"</p> })}
            {move || (loaded.get() && failure.get().is_none()).then(|| {
                let rows = shown();
                if rows.is_empty() {
                    return view! { <p id="audit-empty">"No pass was created or deleted in this period."</p> }.into_any();
                }
                view! { <AuditTable rows=rows /> }.into_any()
            })}
            {move || next.get().is_some().then(|| view! {
                <button type="button" id="audit-more" class="button" disabled=move || busy.get() on:click=move |_| load(true)>"Load older entries"</button>
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
