//! One user: who they are, their current pass (usable or not and why), warnings before creating,
//! Delete, and Create.

use std::time::Duration;

use leptos::prelude::*;

use super::create::CreateForm;
use super::reveal::RevealedPass;
use super::{browser, Ctx, GraphErrorView};
use crate::config::WRITE_PERMISSION;
use crate::graph::models::{TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, batch, GraphError};
use crate::holders;
use crate::messages::{self, Operation};
use crate::tap::{self, guard, FormBounds};
use crate::user::{self, Profile};

/// Reads the user page in one `$batch` (passes, methods, and roles and policy groups when they
/// matter); items Graph throttled are sent again after their `Retry-After`, twice at most.
async fn read_profile(ctx: Ctx, user_id: String, policy: Option<TapPolicy>) -> Profile {
    // Without a group permission `checkMemberGroups` is refused: not sent, coverage unknown.
    let may_read_membership = tap::MEMBERSHIP_PERMISSIONS.iter().any(|p| ctx.may(p));
    let groups = user::groups_to_read(policy.as_ref(), may_read_membership);
    // An admin scoped to units also reads the user's units: in reach or not, before any write.
    let units = ctx.scope.with_untracked(|k| k.unit_ids().is_some());
    let request = user::request_with_units(&user_id, &groups, units);
    let answers = ctx
        .graph()
        .send_all(request.requests, || false, |_, _| {})
        .await;
    let failure = answers.values().find_map(|a| a.as_ref().err().cloned());
    Profile::from_answers(&batch::arrived(&answers), failure)
}

/// The chosen user's panel.
#[component]
pub fn UserPanel(
    user: User,
    ctx: Ctx,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
    /// The name of the user whose new pass is on screen, so opening another user asks first.
    pass_on_screen: RwSignal<Option<String>>,
) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    // The live region's words: what happened, never the pass.
    let announce = RwSignal::new(String::new());
    on_cleanup(move || {
        pass_on_screen.try_set(None);
    });
    // What happened on this page since the last read: a pass created (its value removed) or
    // deleted. Shown instead of the list read, so neither costs another request.
    let changed: RwSignal<Option<Option<TemporaryAccessPass>>, LocalStorage> =
        RwSignal::new_local(None);
    let deleted = RwSignal::new(false);
    let shown: RwSignal<Option<TemporaryAccessPass>, LocalStorage> = RwSignal::new_local(None);
    let profile_user = user.id.clone();
    let profile: LocalResource<Profile> = LocalResource::new(move || {
        reload.track();
        let id = profile_user.clone();
        async move {
            let policy = policy.await.ok();
            read_profile(ctx, id, policy).await
        }
    });
    let current = move || -> Option<Result<Option<TemporaryAccessPass>, GraphError>> {
        if let Some(c) = changed.get() {
            return Some(Ok(c));
        }
        Some(profile.get()?.passes.map(|v| v.into_iter().next()))
    };
    let existing = Signal::derive(move || current().and_then(Result::ok).flatten().map(|p| p.id));

    let upn = user.user_principal_name.clone().unwrap_or_default();
    let guest = user.is_guest();
    let disabled = user.account_enabled == Some(false);
    let detail = user::detail(&user);
    let reveal_user = user.clone();
    let delete_user = user.id.clone();
    let on_deleted = Callback::new(move |()| {
        deleted.set(true);
        changed.set(Some(None));
        announce.set(guard::DELETED_ANNOUNCEMENT.to_owned());
        browser::focus_soon("#pass-status");
    });
    let name = user.name().to_owned();
    let capability = ctx.capability();
    let refusal_name = name.clone();
    // Why this admin may not serve this user at all, once the roles (and for an admin scoped
    // to units, the user's units) are read: the scope's reason first (issue 16).
    let target_refusal = Signal::derive(move || {
        profile.with(|p| {
            p.as_ref().and_then(|p| {
                let target = crate::scope::Target {
                    name: &refusal_name,
                    units: p.units.as_deref(),
                    roles: p.roles.as_ref(),
                };
                ctx.scope
                    .with(|k| k.refusal(&target))
                    .or_else(|| guard::target_refusal(&refusal_name, capability, p.roles.as_ref()))
            })
        })
    });
    let on_created = Callback::new(move |p: TemporaryAccessPass| {
        // The list keeps the pass without its value; the value lives in the reveal only.
        let listed = TemporaryAccessPass {
            temporary_access_pass: None,
            ..p.clone()
        };
        changed.set(Some(Some(listed)));
        shown.set(Some(p));
        deleted.set(false);
        pass_on_screen.set(Some(name.clone()));
        announce.set(guard::created_announcement(&name));
        browser::focus_soon("#reveal-title");
    });
    let on_done = Callback::new(move |()| {
        shown.set(None);
        pass_on_screen.set(None);
        browser::focus_soon("#pass-status");
    });
    let on_screen = Signal::derive(move || shown.with(Option::is_some));
    let on_uncertain = Callback::new(move |()| {
        changed.set(None);
        reload.update(|n| *n += 1)
    });
    let pass_view = move || {
        let delete_user = delete_user.clone();
        match current() {
            None => view! { <p class="status" role="status">"Reading the current pass…"</p> }.into_any(),
            // Out of this admin's reach (issue 16): Graph's refusal to read the passes says
            // nothing the reason under "Create a pass" does not say better.
            Some(Err(e)) if e.status == 403 && target_refusal.with(Option::is_some) => view! {
                <p id="pass-status" class="pass pass--none">"Not shown: this user is out of your reach (the reason is below)."</p>
            }.into_any(),
            Some(Err(e)) => view! { <GraphErrorView error=e action=Operation::ReadPasses /> }.into_any(),
            Some(Ok(None)) => view! {
                <p id="pass-status" class="pass pass--none" tabindex="-1">
                    {if deleted.get() { "Pass deleted. This user has no Temporary Access Pass." } else { "No Temporary Access Pass." }}
                </p>
            }.into_any(),
            Some(Ok(Some(p))) => view! { <CurrentPass pass=p ctx=ctx user_id=delete_user on_deleted=on_deleted /> }.into_any(),
        }
    };
    let seconds = move |f: fn(&crate::config::Config) -> u32| {
        Duration::from_secs(ctx.session.with_value(|s| u64::from(f(s.config()))))
    };

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
            {pass_view}
            {move || shown.get().map(|p| view! { <RevealedPass pass=p user=reveal_user.clone() ctx=ctx
                target_roles=profile.get_untracked().and_then(|p| p.roles).map(|r| r.labels()) on_done=on_done
                clear_clipboard_after=seconds(|c| c.clipboard_clear_seconds)
                show_at_most=seconds(|c| c.pass_show_seconds) /> })}
            <p id="announce" class="visually-hidden" role="status" aria-live="polite">{move || announce.get()}</p>
            <CreateWarnings ctx=ctx user=user.clone() profile=profile policy=policy target_refusal=target_refusal />
            <UserCreate ctx=ctx user=user policy=policy existing=existing on_created=on_created on_uncertain=on_uncertain
                on_screen=on_screen target_refusal=target_refusal />
            {move || profile.get().map(|p| view! { <MethodsOverview profile=p /> })}
        </section>
    }
}

/// The warnings before creating (roles, policy coverage), once the profile is read.
#[component]
fn CreateWarnings(
    ctx: Ctx,
    user: User,
    profile: LocalResource<Profile>,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
    /// Shown by the create form instead.
    target_refusal: Signal<Option<String>>,
) -> impl IntoView {
    let capability = ctx.capability();
    move || {
        let p = profile.get()?;
        let policy = policy.get().and_then(Result::ok);
        let shown_by_form = target_refusal.get();
        let list: Vec<String> = user::warnings(&user, capability, &p, policy.as_ref())
            .into_iter()
            .filter(|w| Some(w) != shown_by_form.as_ref())
            .collect();
        (!list.is_empty()).then(|| {
            view! {
                <ul id="create-warnings" class="notice notice--warning" role="status">
                    {list.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            }
        })
    }
}

/// The create form, within the policy's bounds; a created user is followed by the tracker.
#[component]
fn UserCreate(
    ctx: Ctx,
    user: User,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
    existing: Signal<Option<String>>,
    on_created: Callback<TemporaryAccessPass>,
    on_uncertain: Callback<()>,
    on_screen: Signal<bool>,
    target_refusal: Signal<Option<String>>,
) -> impl IntoView {
    let track_id = user.id.clone();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let form_user = user.clone();
                let track_id = track_id.clone();
                Suspend::new(async move {
                    let bounds = FormBounds::new(policy.await.ok().as_ref());
                    view! {
                        <CreateForm user=form_user ctx=ctx bounds=bounds existing=existing
                            on_created=Callback::new(move |p: TemporaryAccessPass| {
                                ctx.track(std::slice::from_ref(&track_id));
                                on_created.run(p);
                            })
                            on_uncertain=on_uncertain on_screen=on_screen target_refusal=target_refusal />
                    }
                })
            }}
        </Transition>
    }
}

/// Every authentication method the user has registered, so the admin sees at a glance whether
/// a pass is needed at all. Kinds this page does not know are listed by their Graph type.
#[component]
fn MethodsOverview(profile: Profile) -> impl IntoView {
    let strong = profile.has_strong_method();
    let body = match profile.methods {
        Err(e) => view! { <GraphErrorView error=e action=Operation::ReadPasses /> }.into_any(),
        Ok(list) => {
            let rows = list
                .into_iter()
                .map(|m| {
                    let label = user::method_label(&m);
                    let when = m
                        .created_date_time
                        .as_deref()
                        .and_then(crate::graph::time::parse_ms)
                        .map(browser::local_datetime)
                        .unwrap_or_else(|| "—".into());
                    let name = m.display_name.clone().unwrap_or_default();
                    view! { <tr><td>{label}</td><td>{name}</td><td>{when}</td></tr> }
                })
                .collect_view();
            view! {
                <table id="methods" class="table">
                    <thead><tr><th scope="col">"Method"</th><th scope="col">"Name"</th><th scope="col">"Registered"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    };
    view! {
        <details id="methods-overview" class="methods" open=strong>
            <summary>"Sign-in methods"</summary>
            {strong.then(|| view! { <p id="strong-method" class="notice">"This user already has a passwordless method (passkey, Authenticator or Windows Hello): they may not need a pass."</p> })}
            {body}
        </details>
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
    let validity = match (status.starts_ms, status.ends_ms) {
        (Some(s), Some(e)) => format!(
            "Valid from {} until {}.",
            browser::local_datetime(s),
            browser::local_datetime(e),
        ),
        _ => String::new(),
    };
    let kind = if status.one_time {
        "One-time"
    } else {
        "Multi-use"
    };
    let capability = ctx
        .session
        .with_value(|s| messages::capability(s.account().roles.as_deref()));
    let may_delete = ctx.may(WRITE_PERMISSION) && guard::may_delete(capability);
    let lacks_permission = !ctx.may(WRITE_PERMISSION) && guard::may_delete(capability);
    let pass_id = pass.id.clone();
    // Already gone is what the admin wanted too; the list shows the truth.
    let delete = Action::new_local(move |(): &()| {
        let (user_id, pass_id) = (user_id.clone(), pass_id.clone());
        async move {
            let result =
                holders::deleted(ctx.graph().send(api::delete_pass(&user_id, &pass_id)).await);
            if result.is_ok() {
                on_deleted.run(());
            }
            result
        }
    });
    let busy = delete.pending();
    let failure = move || {
        delete
            .value()
            .get()
            .and_then(Result::err)
            .filter(|_| !busy.get())
    };
    view! {
        <div id="pass-status" class="pass" class:pass--usable=status.usable tabindex="-1">
            <p class="pass__state"><strong>{status.reason.clone()}</strong></p>
            <p class="pass__validity">{validity}" "{kind}"."</p>
            <Show when=move || !confirming.get() && may_delete>
                <button type="button" id="delete-pass" class="button button--danger" on:click=move |_| {
                    confirming.set(true);
                    browser::focus_soon("#confirm-delete");
                }>"Delete pass"</button>
            </Show>
            {lacks_permission.then(|| view! { <p class="field__hint">"Deleting needs the permission "{WRITE_PERMISSION}": use Grant consent below."</p> })}
            <Show when=move || confirming.get()>
                <div class="confirm" role="group" aria-labelledby="confirm-text"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" {
                        ev.prevent_default();
                        confirming.set(false);
                        browser::focus_soon("#delete-pass");
                    }>
                    <p id="confirm-text">"Delete this pass? The user can no longer sign in with it."</p>
                    <button type="button" id="confirm-delete" class="button button--danger" disabled=move || busy.get()
                        on:click=move |_| if !busy.get_untracked() { delete.dispatch_local(()); }>"Delete"</button>
                    <button type="button" id="cancel-delete" class="button" on:click=move |_| {
                        confirming.set(false);
                        browser::focus_soon("#delete-pass");
                    }>"Cancel"</button>
                </div>
            </Show>
            {move || failure().map(|e| view! { <GraphErrorView error=e action=Operation::DeletePass /> })}
        </div>
    }
}
