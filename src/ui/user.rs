//! One user: who they are, their current pass (usable or not and why), warnings before creating,
//! Delete, and Create.

use std::time::Duration;

use leptos::prelude::*;

use super::create::CreateForm;
use super::reveal::RevealedPass;
use super::{browser, graph_call, Ctx, GraphErrorView};
use crate::config::WRITE_PERMISSION;
use crate::graph::models::{TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, GraphError};
use crate::messages::{self, Action, Capability};
use crate::tap::{self, Coverage, FormBounds};

/// Reads what the admin should know before creating: the target's admin roles (only when the
/// admin's own role cannot act on admins) and whether the policy covers the target.
async fn warnings(ctx: Ctx, user: User, policy: Option<TapPolicy>) -> Vec<String> {
    let capability = ctx
        .session
        .with_value(|s| messages::capability(&s.account().roles));
    let mut roles = Vec::new();
    if capability == Capability::NonAdmins {
        let id = user.id.clone();
        if let Ok(found) = graph_call(ctx, move |c, t| {
            let id = id.clone();
            async move { api::user_roles(&c, &t, &id).await }
        })
        .await
        {
            roles = found
                .into_iter()
                .filter(|r| r.role_template_id.as_deref() != Some(messages::DEFAULT_USER_ROLE))
                .map(|r| r.display_name.unwrap_or_else(|| "(unnamed role)".into()))
                .collect();
        }
    }
    let mut cover = Coverage::Covered;
    if let Some(p) = policy {
        let groups = tap::groups_to_check(&p);
        if !groups.is_empty() {
            let id = user.id.clone();
            if let Ok(member_of) = graph_call(ctx, move |c, t| {
                let (id, groups) = (id.clone(), groups.clone());
                async move { api::check_member_groups(&c, &t, &id, &groups).await }
            })
            .await
            {
                cover = tap::coverage(&p, &member_of);
            }
        }
    }
    tap::target_warnings(user.name(), capability, &roles, cover)
}

/// The chosen user's panel.
#[component]
pub fn UserPanel(
    user: User,
    ctx: Ctx,
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
                graph_call(ctx, move |c, t| {
                    let id = id.clone();
                    async move { api::list_passes(&c, &t, &id).await }
                })
                .await
            }
        });
    let existing = Signal::derive(move || {
        passes
            .get()
            .and_then(|r| r.ok())
            .and_then(|v| v.into_iter().next())
            .map(|p| p.id)
    });
    let warn_user = user.clone();
    let notes: LocalResource<Vec<String>> = LocalResource::new(move || {
        let user = warn_user.clone();
        async move {
            let policy = policy.await.ok();
            warnings(ctx, user, policy).await
        }
    });
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
                                Some(p) => view! { <CurrentPass pass=p ctx=ctx user_id=delete_user on_deleted=Callback::new(move |()| { deleted.set(true); reload.update(|n| *n += 1) }) /> }.into_any(),
                            },
                        }
                    })
                }}
            </Transition>
            {move || shown.get().map(|p| view! { <RevealedPass pass=p on_done=Callback::new(move |()| shown.set(None))
                clear_clipboard_after=Duration::from_secs(ctx.session.with_value(|s| u64::from(s.config().clipboard_clear_seconds)))
                show_at_most=Duration::from_secs(ctx.session.with_value(|s| u64::from(s.config().pass_show_seconds))) /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let list = notes.await;
                    (!list.is_empty()).then(|| view! {
                        <ul id="create-warnings" class="notice notice--warning" role="status">
                            {list.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || {
                    let form_user = form_user.clone();
                    Suspend::new(async move {
                        let bounds = FormBounds::new(policy.await.ok().as_ref());
                        view! {
                            <CreateForm user=form_user ctx=ctx bounds=bounds existing=existing
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
    ctx: Ctx,
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
    let may_delete = ctx
        .session
        .with_value(|s| s.has_permission(WRITE_PERMISSION));
    let pass_id = pass.id.clone();
    let delete = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (user_id, pass_id) = (user_id.clone(), pass_id.clone());
        leptos::task::spawn_local(async move {
            let result = graph_call(ctx, move |c, t| {
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
            <Show when=move || !confirming.get() && may_delete>
                <button type="button" id="delete-pass" class="button button--danger" on:click=move |_| confirming.set(true)>"Delete pass"</button>
            </Show>
            {(!may_delete).then(|| view! { <p class="field__hint">"Deleting needs the permission UserAuthenticationMethod.ReadWrite.All: use Grant consent below."</p> })}
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
