//! The create form (start, lifetime, one-time) kept inside the tenant policy, and the policy summary.

use leptos::prelude::*;

use super::intent::{Draft, Intent, Reason};
use super::{browser, Ctx, GraphErrorView};
use crate::config::{MAIL_PERMISSION, WRITE_PERMISSION};
use crate::graph::models::{NewPass, PolicyState, TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, time, GraphError};
use crate::messages::Operation;
use crate::tap::{duration_words, FormBounds};

/// One line on the tenant policy, or a banner with the fix when it is disabled.
#[component]
pub fn PolicySummary(policy: TapPolicy) -> impl IntoView {
    if policy.state != PolicyState::Enabled {
        return view! {
            <p id="policy" class="notice notice--error" role="alert">
                "The Temporary Access Pass policy is disabled in this tenant, so no pass can be created. A Global Administrator or Authentication Policy Administrator can enable it under Entra admin center › Protection › Authentication methods › Temporary Access Pass."
            </p>
        }
        .into_any();
    }
    let b = FormBounds::new(Some(&policy));
    let one_time = if b.one_time_forced {
        "every pass is one-time"
    } else {
        "one-time use optional"
    };
    let length = policy
        .default_length
        .map(|l| format!(" · {l} characters"))
        .unwrap_or_default();
    view! {
        <p id="policy" class="policy">
            <strong>"Tenant policy: "</strong>
            {format!("passes last {} to {} (default {}) · {one_time}{length}",
                duration_words(b.min_minutes), duration_words(b.max_minutes), duration_words(b.default_minutes))}
        </p>
    }
    .into_any()
}

/// What a lost or failed create turned out to be, after listing the user's pass.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    /// A new pass exists: created at this instant (ms), its value never arrived.
    CreatedUnseen(Option<f64>),
    /// No new pass exists.
    NotCreated,
    /// The list could not be read either.
    Unknown,
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::CreatedUnseen(at) => format!(
            "A pass was created{}, but Graph's answer was lost, so its value never reached this page and nobody has seen it. Create a new pass to get a value you can hand over: it replaces the unseen one.",
            at.map(|ms| format!(" at {}", browser::local_datetime(ms))).unwrap_or_default()
        ),
        Outcome::NotCreated => "No pass was created: the user's passes show nothing new. You can safely try again.".into(),
        Outcome::Unknown => "Graph's answer was lost and the user's passes could not be read to check what happened. Check the user's current pass before creating another.".into(),
    }
}

/// The create form for `user`. Calls `on_created` with Graph's answer (the only copy of the value).
///
/// `existing` is the id of the user's pass before the create, so a lost answer can be resolved
/// by listing: a different id means the create happened.
#[component]
pub fn CreateForm(
    user: User,
    ctx: Ctx,
    bounds: FormBounds,
    existing: Signal<Option<String>>,
    on_created: Callback<TemporaryAccessPass>,
    on_uncertain: Callback<()>,
) -> impl IntoView {
    let restored = super::intent::take_for(&user.id);
    let draft = restored.as_ref().and_then(|i| i.draft.clone());
    let later = RwSignal::new(draft.as_ref().is_some_and(|d| d.later));
    let start_at = RwSignal::new(
        draft
            .as_ref()
            .map_or_else(|| browser::tomorrow_at(9), |d| d.start_at.clone()),
    );
    // Without the policy (an Authentication Administrator may not read it) the field starts
    // empty: no lifetime is sent and the tenant's default applies (issue 11 point 6).
    let lifetime = RwSignal::new(draft.as_ref().map_or_else(
        || {
            if bounds.from_policy {
                bounds.default_minutes.to_string()
            } else {
                String::new()
            }
        },
        |d| d.lifetime.clone(),
    ));
    let one_time = RwSignal::new(
        bounds.one_time_forced
            || draft
                .as_ref()
                .map_or(bounds.one_time_default, |d| d.one_time),
    );
    let welcome = restored.map(|i| match i.reason {
        Reason::Consent => "Permission granted. Check the details and press Create pass.",
        Reason::SignInAgain => "You are signed in again. Check the details and press Create pass.",
    });
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let outcome: RwSignal<Option<Outcome>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let needs_consent = !ctx.may(WRITE_PERMISSION);
    let self_target = ctx.session.with_value(|s| user.id == s.account().object_id);
    let blocked_reason = if user.is_external_guest() {
        Some("Guests from other organisations cannot get a Temporary Access Pass: they sign in through their own organisation.")
    } else if self_target {
        Some("You cannot create a Temporary Access Pass for your own account; another administrator must do it.")
    } else {
        None
    };

    // What the form holds, kept current so a new sign-in can bring it back.
    let draft_user = user.id.clone();
    let current = move || Intent {
        user_id: draft_user.clone(),
        draft: Some(Draft {
            later: later.get(),
            start_at: start_at.get(),
            lifetime: lifetime.get(),
            one_time: one_time.get(),
        }),
        reason: Reason::SignInAgain,
    };
    let track = current.clone();
    Effect::new(move |_| ctx.draft.set(Some(track())));
    on_cleanup(move || ctx.draft.set(None));
    let consent_intent = current.clone();
    // Leaves to grant `permission`, coming back to this form as typed.
    let grant = move |permission: &'static str| {
        let config_scope = ctx
            .session
            .with_value(|s| s.config().graph_scope(permission));
        let intent = Intent {
            reason: Reason::Consent,
            ..consent_intent.clone()()
        };
        ctx.reauthorize(Some(intent), vec![config_scope]);
    };
    let grant_mail = grant.clone();
    let grant_consent = move |_| grant(WRITE_PERMISSION);
    let may_mail = ctx.may(MAIL_PERMISSION);

    let check_bounds = bounds.clone();
    let user_id = user.id.clone();
    let create = move || {
        // A second click while a create is in flight would replace the first pass.
        if busy.get_untracked() {
            return;
        }
        problem.set(None);
        failure.set(None);
        outcome.set(None);
        let typed = lifetime.get_untracked();
        let minutes = if typed.trim().is_empty() && !check_bounds.from_policy {
            None
        } else {
            match check_bounds.check_lifetime(typed.trim().parse().ok()) {
                Ok(m) => Some(m),
                Err(e) => return problem.set(Some(e)),
            }
        };
        let start = if later.get_untracked() {
            match browser::parse_local_input(&start_at.get_untracked()) {
                Some(ms) if ms > browser::now_ms() => Some(time::format_utc(ms)),
                Some(_) => {
                    return problem.set(Some(
                        "The start time is in the past. Choose a later time, or \"Now\".".into(),
                    ))
                }
                None => {
                    return problem.set(Some(
                        "Enter a start date and time, or choose \"Now\".".into(),
                    ))
                }
            }
        } else {
            None
        };
        let body = NewPass {
            start_date_time: start,
            lifetime_in_minutes: minutes,
            is_usable_once: Some(one_time.get_untracked()),
        };
        let before = existing.get_untracked();
        busy.set(true);
        let user_id = user_id.clone();
        leptos::task::spawn_local(async move {
            let id = user_id.clone();
            let result = ctx.graph().send(api::create_pass(&id, &body)).await;
            match result {
                Ok(pass) => on_created.run(pass),
                // No answer or a 5xx: the pass may exist. Never resend; look, then tell the admin.
                Err(e) if e.answer_lost() || e.status >= 500 => {
                    let listed = ctx.graph().send(api::list_passes(&user_id)).await;
                    outcome.set(Some(match listed {
                        Ok(list) => match list.into_iter().next() {
                            Some(p) if Some(&p.id) != before.as_ref() => Outcome::CreatedUnseen(
                                p.created_date_time.as_deref().and_then(time::parse_ms),
                            ),
                            _ => Outcome::NotCreated,
                        },
                        Err(_) => Outcome::Unknown,
                    }));
                    on_uncertain.run(());
                    failure.set(Some(e));
                }
                Err(e) => failure.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let create_again = create.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create();
    };

    let zone = browser::time_zone();
    let range_hint = format!(
        "Between {} and {}{}.",
        duration_words(bounds.min_minutes),
        duration_words(bounds.max_minutes),
        if bounds.from_policy {
            " (tenant policy)"
        } else {
            " (Graph's limits; your tenant's policy could not be read and may allow less). Leave it empty for your tenant's default lifetime"
        }
    );
    let forced = bounds.one_time_forced;
    let (min, max) = (bounds.min_minutes, bounds.max_minutes);
    let lifetime_words = move || {
        lifetime
            .get()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| *m > 0)
            .map(duration_words)
            .unwrap_or_default()
    };
    let has_pass = move || existing.with(Option::is_some);

    view! {
        <form id="create-form" class="card create" on:submit=submit aria-labelledby="create-title" novalidate>
            <h3 id="create-title">"Create a pass"</h3>
            {welcome.map(|w| view! { <p id="restored" class="notice notice--ok" role="status">{w}</p> })}
            {blocked_reason.map(|r| view! { <p id="create-blocked" class="notice notice--error" role="alert">{r}</p> })}
            {(needs_consent && blocked_reason.is_none()).then(|| view! {
                <div id="consent-needed" class="notice notice--warning">
                    <p>"Creating and deleting passes needs the permission "<code>{WRITE_PERMISSION}</code>", which this app has not been granted for you yet. You will come back to this form."</p>
                    <button type="button" id="grant-consent" class="button button--primary" on:click=grant_consent>"Grant consent"</button>
                </div>
            })}
            {(user.account_enabled == Some(false)).then(|| view! {
                <p class="notice notice--warning">"This account is disabled: the user cannot sign in with a pass until it is enabled."</p>
            })}
            <fieldset class="field">
                <legend class="field__label">"Start"</legend>
                <label class="choice"><input type="radio" id="start-now" name="start" prop:checked=move || !later.get() on:change=move |_| later.set(false) />" Now"</label>
                <label class="choice"><input type="radio" id="start-later" name="start" prop:checked=move || later.get() on:change=move |_| later.set(true) />" Later"</label>
                <Show when=move || later.get()>
                    <label class="field__label" for="start-at">"Starts at (your local time)"</label>
                    <input id="start-at" class="field__input" type="datetime-local" prop:value=move || start_at.get() on:input=move |ev| start_at.set(event_target_value(&ev)) />
                    <p class="field__hint">{format!("Time zone: {zone}")}</p>
                </Show>
            </fieldset>
            <div class="field">
                <label class="field__label" for="lifetime">"Lifetime in minutes"</label>
                <input id="lifetime" class="field__input field__input--short" type="number" inputmode="numeric" min=min max=max step="1"
                    aria-describedby="lifetime-hint" prop:value=move || lifetime.get() on:input=move |ev| lifetime.set(event_target_value(&ev)) />
                <span class="field__echo">{lifetime_words}</span>
                <p id="lifetime-hint" class="field__hint">{range_hint}</p>
            </div>
            <div class="field">
                <label class="choice">
                    <input type="checkbox" id="one-time" prop:checked=move || one_time.get() disabled=forced
                        on:change=move |ev| one_time.set(event_target_checked(&ev)) />
                    " One-time use"
                </label>
                {forced.then(|| view! { <p class="field__hint">"Your tenant's policy makes every pass one-time."</p> })}
            </div>
            {move || has_pass().then(|| view! {
                <p class="notice notice--warning">"This user already has a pass: creating a new one replaces it, and the old one stops working."</p>
            })}
            {move || problem.get().map(|p| view! { <p class="notice notice--error" role="alert">{p}</p> })}
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::CreatePass /> })}
            {move || outcome.get().map(|o| {
                let again = create_again.clone();
                let unseen = matches!(o, Outcome::CreatedUnseen(_));
                view! {
                    <div id="create-outcome" class="notice notice--warning" role="alert">
                        <p>{outcome_text(&o)}</p>
                        {unseen.then(|| view! {
                            <button type="button" id="create-again" class="button button--primary" on:click=move |_| again()>"Create a new pass"</button>
                        })}
                    </div>
                }
            })}
            <button type="submit" id="create" class="button button--primary" disabled=move || busy.get() || blocked_reason.is_some() || needs_consent>
                {move || if busy.get() { "Creating…" } else { "Create pass" }}
            </button>
            {(!may_mail && !needs_consent).then(|| view! {
                <p class="field__hint">"To email hand-over messages from the new pass's screen, this page needs the permission Mail.Send (sent as you). Grant it before you create the pass: "
                    <button type="button" id="grant-mail" class="button button--quiet" on:click=move |_| grant_mail(MAIL_PERMISSION)>"Allow email hand-over"</button></p>
            })}
        </form>
    }
}
