//! The create form (start, lifetime, one-time) kept inside the tenant policy, and the policy summary.

use leptos::prelude::*;

use super::SessionRef;
use super::{browser, graph_call, GraphErrorView};
use crate::graph::models::{NewPass, PolicyState, TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, time, GraphError};
use crate::messages::Action;
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

/// The create form for `user`. Calls `on_created` with Graph's answer (the only copy of the value).
#[component]
pub fn CreateForm(
    user: User,
    session: SessionRef,
    bounds: FormBounds,
    has_pass: Signal<bool>,
    on_created: Callback<TemporaryAccessPass>,
    on_uncertain: Callback<()>,
) -> impl IntoView {
    let later = RwSignal::new(false);
    let start_at = RwSignal::new(browser::tomorrow_at(9));
    let lifetime = RwSignal::new(bounds.default_minutes.to_string());
    let one_time = RwSignal::new(bounds.one_time_forced || bounds.one_time_default);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let self_target = session.with_value(|s| user.id == s.account().object_id);
    let blocked_reason = if user.is_guest() {
        Some("Guests from other organisations cannot get a Temporary Access Pass: they sign in through their own organisation.")
    } else if self_target {
        Some("You cannot create a Temporary Access Pass for your own account; another administrator must do it.")
    } else {
        None
    };
    let check_bounds = bounds.clone();
    let user_id = user.id.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // A second click while a create is in flight would replace the first pass.
        if busy.get_untracked() {
            return;
        }
        problem.set(None);
        failure.set(None);
        let minutes =
            match check_bounds.check_lifetime(lifetime.get_untracked().trim().parse().ok()) {
                Ok(m) => m,
                Err(e) => return problem.set(Some(e)),
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
            lifetime_in_minutes: Some(minutes),
            is_usable_once: Some(one_time.get_untracked()),
        };
        busy.set(true);
        let user_id = user_id.clone();
        leptos::task::spawn_local(async move {
            let result = graph_call(session, move |c, t| {
                let (user_id, body) = (user_id.clone(), body.clone());
                async move { api::create_pass(&c, &t, &user_id, &body).await }
            })
            .await;
            busy.set(false);
            match result {
                Ok(pass) => on_created.run(pass),
                Err(e) => {
                    // The pass may exist anyway: show the user's current pass instead of guessing.
                    if e.status == 0 || e.status >= 500 {
                        on_uncertain.run(());
                    }
                    failure.set(Some(e));
                }
            }
        });
    };

    let zone = browser::time_zone();
    let range_hint = format!(
        "Between {} and {}{}.",
        duration_words(bounds.min_minutes),
        duration_words(bounds.max_minutes),
        if bounds.from_policy {
            " (tenant policy)"
        } else {
            " (Graph's limits; the tenant policy could not be read)"
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

    view! {
        <form id="create-form" class="card create" on:submit=submit aria-labelledby="create-title" novalidate>
            <h3 id="create-title">"Create a pass"</h3>
            {blocked_reason.map(|r| view! { <p id="create-blocked" class="notice notice--error" role="alert">{r}</p> })}
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
            {move || has_pass.get().then(|| view! {
                <p class="notice notice--warning">"This user already has a pass: creating a new one replaces it, and the old one stops working."</p>
            })}
            {move || problem.get().map(|p| view! { <p class="notice notice--error" role="alert">{p}</p> })}
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Action::CreatePass /> })}
            <button type="submit" id="create" class="button button--primary" disabled=move || busy.get() || blocked_reason.is_some()>
                {move || if busy.get() { "Creating…" } else { "Create pass" }}
            </button>
        </form>
    }
}
