//! One user: who they are, their current pass (usable or not and why), Delete, and Create.

use leptos::prelude::*;

use super::create::CreateForm;
use super::reveal::RevealedPass;
use super::SessionRef;
use super::{browser, graph_call, GraphErrorView};
use crate::graph::models::{TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, GraphError};
use crate::messages::Action;
use crate::tap::{self, FormBounds};

/// The chosen user's panel.
#[component]
pub fn UserPanel(
    user: User,
    session: SessionRef,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let shown: RwSignal<Option<TemporaryAccessPass>, LocalStorage> = RwSignal::new_local(None);
    let list_user = user.id.clone();
    let passes: LocalResource<Result<Vec<TemporaryAccessPass>, GraphError>> =
        LocalResource::new(move || {
            reload.track();
            let id = list_user.clone();
            async move {
                graph_call(session, move |c, t| {
                    let id = id.clone();
                    async move { api::list_passes(&c, &t, &id).await }
                })
                .await
            }
        });
    let has_pass =
        Signal::derive(move || passes.get().is_some_and(|r| r.is_ok_and(|v| !v.is_empty())));
    let deleted = RwSignal::new(false);

    let upn = user.user_principal_name.clone().unwrap_or_default();
    let guest = user.is_guest();
    let disabled = user.account_enabled == Some(false);
    let detail = [user.job_title.clone(), user.department.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let form_user = user.clone();
    let delete_user = user.id.clone();

    view! {
        <section id="user-panel" class="card user" aria-labelledby="user-name">
            <h2 id="user-name" class="user__name">{user.name().to_owned()}</h2>
            <p class="user__upn">{upn}</p>
            <p class="user__meta">
                {(!detail.is_empty()).then(|| detail.clone())}
                {guest.then(|| view! { <span class="badge">"Guest"</span> })}
                {disabled.then(|| view! { <span class="badge badge--warning">"Account disabled"</span> })}
            </p>
            <h3>"Current pass"</h3>
            <Transition fallback=|| view! { <p class="status" role="status">"Reading the current pass…"</p> }>
                {move || {
                    let delete_user = delete_user.clone();
                    Suspend::new(async move {
                        match passes.await {
                            Err(e) => view! { <GraphErrorView error=e action=Action::ReadPasses /> }.into_any(),
                            Ok(list) => match list.into_iter().next() {
                                None => view! {
                                    <p id="pass-status" class="pass pass--none">
                                        {if deleted.get_untracked() { "Pass deleted. This user has no Temporary Access Pass." } else { "No Temporary Access Pass." }}
                                    </p>
                                }.into_any(),
                                Some(p) => view! { <CurrentPass pass=p session=session user_id=delete_user on_deleted=Callback::new(move |()| { deleted.set(true); reload.update(|n| *n += 1) }) /> }.into_any(),
                            },
                        }
                    })
                }}
            </Transition>
            {move || shown.get().map(|p| view! { <RevealedPass pass=p on_done=Callback::new(move |()| shown.set(None)) /> })}
            <Transition fallback=|| ()>
                {move || {
                    let form_user = form_user.clone();
                    Suspend::new(async move {
                        let bounds = FormBounds::new(policy.await.ok().as_ref());
                        view! {
                            <CreateForm user=form_user session=session bounds=bounds has_pass=has_pass
                                on_created=Callback::new(move |p| { shown.set(Some(p)); deleted.set(false); reload.update(|n| *n += 1) })
                                on_uncertain=Callback::new(move |()| reload.update(|n| *n += 1)) />
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// The existing pass: status, validity in local time, and Delete with a confirmation.
#[component]
fn CurrentPass(
    pass: TemporaryAccessPass,
    session: SessionRef,
    user_id: String,
    on_deleted: Callback<()>,
) -> impl IntoView {
    let status = tap::status(&pass, browser::now_ms());
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let validity = match (status.starts_ms, status.ends_ms) {
        (Some(s), Some(e)) => format!(
            "Valid from {} until {} ({}).",
            browser::local_datetime(s),
            browser::local_datetime(e),
            browser::time_zone()
        ),
        _ => String::new(),
    };
    let kind = if status.one_time {
        "One-time"
    } else {
        "Multi-use"
    };
    let pass_id = pass.id.clone();
    let delete = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (user_id, pass_id) = (user_id.clone(), pass_id.clone());
        leptos::task::spawn_local(async move {
            let result = graph_call(session, move |c, t| {
                let (u, p) = (user_id.clone(), pass_id.clone());
                async move { api::delete_pass(&c, &t, &u, &p).await }
            })
            .await;
            busy.set(false);
            match result {
                // Already gone is what the admin wanted too; the list shows the truth.
                Ok(()) => on_deleted.run(()),
                Err(e) if e.status == 404 => on_deleted.run(()),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    view! {
        <div id="pass-status" class="pass" class:pass--usable=status.usable>
            <p class="pass__state"><strong>{status.reason.clone()}</strong></p>
            <p class="pass__validity">{validity}" "{kind}"."</p>
            <Show when=move || !confirming.get()>
                <button type="button" id="delete-pass" class="button button--danger" on:click=move |_| confirming.set(true)>"Delete pass"</button>
            </Show>
            <Show when=move || confirming.get()>
                <div class="confirm" role="group" aria-labelledby="confirm-text">
                    <p id="confirm-text">"Delete this pass? The user can no longer sign in with it."</p>
                    <button type="button" id="confirm-delete" class="button button--danger" disabled=move || busy.get() on:click=delete.clone()>"Delete"</button>
                    <button type="button" id="cancel-delete" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Action::DeletePass /> })}
        </div>
    }
}
