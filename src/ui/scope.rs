//! The admin's scope in the account band (issue 16): read after sign-in when the token does not
//! prove a tenant-wide issuing role (`scope::plan`), with consent asked on a click; the line
//! "Authentication Administrator for: Berlin office, Munich office" and the PIM hint.

use leptos::prelude::*;

use super::Ctx;
use crate::graph::api;
use crate::messages::{self, Operation};
use crate::scope::{self, Known, PageScope, Plan};

/// Decides at sign-in whether to read the admin's role instances, and reads them if so.
pub fn start(ctx: Ctx) {
    let wids = ctx.session.with_value(|s| s.account().roles.clone());
    let may_read = scope::PERMISSIONS.iter().all(|p| ctx.may(p));
    match scope::plan(wids.as_deref(), may_read) {
        Plan::Proven => ctx.scope.set(Known::Tenant),
        Plan::Consent => ctx.scope.set(Known::NeedsConsent),
        Plan::Read => {
            ctx.scope.set(Known::Reading);
            leptos::task::spawn_local(async move {
                let known = read(ctx).await;
                ctx.scope.try_set(known);
            });
        }
    }
}

/// Reads the active and eligible role instances (PIM; where PIM answers with an error, the
/// role assignments instead, eligible ones then unknown) and the units they name.
async fn read(ctx: Ctx) -> Known {
    let graph = ctx.graph();
    let active = match graph.send(api::my_active_roles()).await {
        Ok(a) => a,
        Err(pim) => {
            let me = ctx.session.with_value(|s| s.account().object_id.clone());
            match graph.send(api::role_assignments_of(&me)).await {
                Ok(a) => a,
                Err(_) => {
                    return Known::Failed(messages::graph(&pim, Operation::ReadScope));
                }
            }
        }
    };
    let eligible = graph
        .send(api::my_eligible_roles())
        .await
        .unwrap_or_default();
    let scope = PageScope::decide(scope::grants_from_instances(&active, &eligible));
    let mut units = vec![];
    for id in scope::units_to_name(scope.grants()) {
        if let Ok(u) = graph.send(api::get_unit(&id)).await {
            units.push(u);
        }
    }
    Known::Read { scope, units }
}

/// The capability sentence of the account band, with a unit scope once read.
pub fn capability_text(ctx: Ctx) -> &'static str {
    if ctx.scope.with(|k| k.unit_ids().is_some()) {
        return messages::UNIT_SCOPE_CAPABILITY;
    }
    messages::capability_text(ctx.capability())
}

/// The scope's line, the PIM hint, the offer to read the scope, or why it could not be read.
#[component]
pub fn ScopeLine(ctx: Ctx) -> impl IntoView {
    let grant = move |_| ctx.grant(scope::PERMISSIONS);
    move || {
        match ctx.scope.get() {
        Known::Tenant => ().into_any(),
        Known::Reading => view! { <span id="scope-reading" class="status" role="status">"Reading your role assignments…"</span> }.into_any(),
        Known::NeedsConsent => view! {
            <span id="scope-offer" class="account__scope">
                {messages::SCOPE_CONSENT}" "
                <button type="button" id="scope-grant" class="button button--quiet" on:click=grant>"Read my roles"</button>
            </span>
        }
        .into_any(),
        Known::Failed(sentence) => view! { <span id="scope-error" class="notice notice--warning" role="status">{sentence}</span> }.into_any(),
        k @ Known::Read { .. } => {
            let line = k.account_line();
            let hint = k.pim_hint();
            view! {
                {line.map(|l| view! { <span id="scope-line" class="account__scope">{l}</span> })}
                {hint.map(|h| view! { <span id="pim-hint" class="account__scope notice notice--warning" role="status">{h}</span> })}
            }
            .into_any()
        }
    }
    }
}
