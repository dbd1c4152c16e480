//! The create form (start, lifetime, one-time) kept inside the tenant policy, and the policy summary.
//! What the form decides lives in `tap::form` (the request, refusals, hints) and `tap::lost` (a
//! lost answer, one rule with the bulk run); this view renders and sends.

use leptos::prelude::*;

use super::intent::{Draft, Intent, Reason};
use super::{browser, Ctx, GraphErrorView};
use crate::config::{MAIL_PERMISSION, WRITE_PERMISSION};
use crate::graph::models::{NewPass, PolicyState, TapPolicy, TemporaryAccessPass, User};
use crate::graph::{api, GraphError};
use crate::messages::Operation;
use crate::tap::form::{self, Typed};
use crate::tap::guard;
use crate::tap::lost::{self, Answer, Settled};
use crate::tap::{duration_words, FormBounds};

/// One line on the tenant policy, or a banner with the fix when it is disabled.
#[component]
pub fn PolicySummary(policy: TapPolicy) -> impl IntoView {
    if policy.state != PolicyState::Enabled {
        return view! {
            <p id="policy" class="notice notice--error" role="alert">
                {crate::messages::POLICY_OFF}
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

/// Why a create ended without a pass on screen: Graph's error and, when the answer may have
/// hidden a created pass, what listing the user's passes showed.
#[derive(Clone, Debug)]
struct Failure {
    error: GraphError,
    settled: Option<Settled>,
}

/// Sends the create and, when its answer may hide a created pass ([`Answer::MayHaveRun`]),
/// lists the user's passes to settle it. Never sends the create again.
async fn send_create(
    ctx: Ctx,
    user_id: String,
    body: NewPass,
    before: Option<String>,
) -> Result<TemporaryAccessPass, Failure> {
    let id = user_id.clone();
    let result = ctx.graph().send(api::create_pass(&id, &body)).await;
    let e = match result {
        Ok(pass) => return Ok(pass),
        Err(e) => e,
    };
    if lost::classify_failure(&e) != Answer::MayHaveRun {
        return Err(Failure {
            error: e,
            settled: None,
        });
    }
    let listed = ctx.graph().send(api::list_passes(&id)).await;
    let settled = lost::settle(
        before.as_deref(),
        listed.as_ref().map(|l| l.first()).map_err(|_| ()),
    );
    Err(Failure {
        error: e,
        settled: Some(settled),
    })
}

/// What the form holds, as signals.
#[derive(Clone, Copy)]
struct Fields {
    later: RwSignal<bool>,
    start_at: RwSignal<String>,
    lifetime: RwSignal<String>,
    one_time: RwSignal<bool>,
}

impl Fields {
    /// The fields as restored from `draft` (after a sign-in or consent), else their defaults.
    fn new(draft: Option<&Draft>, bounds: &FormBounds) -> Fields {
        Fields {
            later: RwSignal::new(draft.is_some_and(|d| d.later)),
            start_at: RwSignal::new(
                draft.map_or_else(|| browser::tomorrow_at(9), |d| d.start_at.clone()),
            ),
            lifetime: RwSignal::new(
                draft.map_or_else(|| form::first_lifetime(bounds), |d| d.lifetime.clone()),
            ),
            one_time: RwSignal::new(
                bounds.one_time_forced || draft.map_or(bounds.one_time_default, |d| d.one_time),
            ),
        }
    }

    fn draft(&self) -> Draft {
        Draft {
            later: self.later.get(),
            start_at: self.start_at.get(),
            lifetime: self.lifetime.get(),
            one_time: self.one_time.get(),
        }
    }

    fn typed(&self) -> Typed {
        Typed {
            later: self.later.get_untracked(),
            start_ms: browser::parse_local_input(&self.start_at.get_untracked()),
            lifetime: self.lifetime.get_untracked(),
            one_time: self.one_time.get_untracked(),
        }
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
    /// A new pass is on screen: the form collapses to "Create another pass…", which asks first.
    on_screen: Signal<bool>,
    /// Why this admin may not serve this user (their roles), naming who can.
    target_refusal: Signal<Option<String>>,
) -> impl IntoView {
    let capability = ctx.capability();
    // Readers and role-less accounts are not offered Create at all (`tap::guard`); once the
    // admin's scope is read, its reason (a role eligible in PIM, not activated) replaces ours.
    let role_refusal = guard::create_refusal(capability);
    let scope_refusal =
        StoredValue::new(ctx.scope.with_untracked(crate::scope::Known::role_refusal));
    let refused = move || {
        role_refusal
            .map(|r| scope_refusal.get_value().unwrap_or_else(|| r.to_owned()))
            .or_else(|| target_refusal.get())
    };
    let restored = super::intent::take_for(&user.id);
    let fields = Fields::new(restored.as_ref().and_then(|i| i.draft.as_ref()), &bounds);
    let welcome = restored.map(|i| match i.reason {
        Reason::Consent => "Permission granted. Check the details and press Create pass.",
        Reason::SignInAgain => "You are signed in again. Check the details and press Create pass.",
        Reason::ConsentRefused => "The permission was not granted; the form is as you left it.",
    });
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let needs_consent = !ctx.may(WRITE_PERMISSION) && role_refusal.is_none();
    let self_target = ctx.session.with_value(|s| user.id == s.account().object_id);
    let blocked_reason = form::refusal(user.is_external_guest(), self_target);

    // What the form holds, kept current so a new sign-in can bring it back.
    let draft_user = user.id.clone();
    let current = move || Intent {
        user_id: draft_user.clone(),
        draft: Some(fields.draft()),
        reason: Reason::SignInAgain,
    };
    let track = current.clone();
    Effect::new(move |_| ctx.draft.set(Some(track())));
    on_cleanup(move || ctx.draft.set(None));
    // Leaves to grant `permission`, coming back to this form as typed.
    let grant = move |permission: &'static str| {
        let config_scope = ctx
            .session
            .with_value(|s| s.config().graph_scope(permission));
        let intent = Intent {
            reason: Reason::Consent,
            ..current()
        };
        ctx.reauthorize(Some(intent), vec![config_scope]);
    };
    let grant_mail = grant.clone();

    // The pass never becomes the action's value: it goes to `on_created` and nowhere else.
    let user_id = user.id.clone();
    let sending = Action::new_local(move |(body, before): &(NewPass, Option<String>)| {
        let (user_id, body, before) = (user_id.clone(), body.clone(), before.clone());
        async move {
            let failure = match send_create(ctx, user_id, body, before).await {
                Ok(pass) => {
                    on_created.run(pass);
                    return Ok(());
                }
                Err(f) => f,
            };
            if failure.settled.is_some() {
                on_uncertain.run(());
            }
            Err(failure)
        }
    });
    let check_bounds = bounds.clone();
    let create = Callback::new(move |()| {
        // A second click while a create is in flight would replace the first pass.
        if sending.pending().get_untracked() {
            return;
        }
        problem.set(None);
        sending.clear();
        match form::request(&check_bounds, &fields.typed(), browser::now_ms()) {
            Ok(body) => {
                sending.dispatch_local((body, existing.get_untracked()));
            }
            Err(e) => problem.set(Some(e)),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.run(());
    };
    let failure = move || sending.value().get().and_then(Result::err);
    let busy = move || sending.pending().get();
    let has_pass = move || existing.with(Option::is_some);
    let collapsed = move || on_screen.get() || refused().is_some();

    view! {
        <form id="create-form" class="card create" on:submit=submit aria-labelledby="create-title" novalidate>
            <h3 id="create-title">"Create a pass"</h3>
            {move || refused().map(|r| view! { <p id="create-refused" class="notice notice--warning">{r}</p> })}
            <ReplaceGuard name=user.name().to_owned() on_screen=on_screen refused=Signal::derive(move || refused().is_some()) create=create />
            <div id="create-body" hidden=collapsed>
            {welcome.map(|w| view! { <p id="restored" class="notice notice--ok" role="status">{w}</p> })}
            {blocked_reason.map(|r| view! { <p id="create-blocked" class="notice notice--error" role="alert">{r}</p> })}
            {(needs_consent && blocked_reason.is_none()).then(|| view! {
                <div id="consent-needed" class="notice notice--warning">
                    <p>"Creating and deleting passes needs the permission "<code>{WRITE_PERMISSION}</code>", which this app has not been granted for you yet. You will come back to this form."</p>
                    <button type="button" id="grant-consent" class="button button--primary" on:click=move |_| grant(WRITE_PERMISSION)>"Grant consent"</button>
                </div>
            })}
            {(user.account_enabled == Some(false)).then(|| view! {
                <p class="notice notice--warning">"This account is disabled: the user cannot sign in with a pass until it is enabled."</p>
            })}
            <CreateFields fields=fields bounds=bounds />
            {move || has_pass().then(|| view! {
                <p class="notice notice--warning">"This user already has a pass: creating a new one replaces it, and the old one stops working."</p>
            })}
            {move || problem.get().map(|p| view! { <p class="notice notice--error" role="alert">{p}</p> })}
            {move || failure().map(|f| view! { <GraphErrorView error=f.error action=Operation::CreatePass /> })}
            {move || failure().and_then(|f| f.settled).map(|settled| view! { <LostCreate settled=settled create_again=create /> })}
            <button type="submit" id="create" class="button button--primary" disabled=move || busy() || blocked_reason.is_some() || needs_consent || refused().is_some()>
                {move || if busy() { "Creating…" } else { "Create pass" }}
            </button>
            {(!ctx.may(MAIL_PERMISSION) && !needs_consent && role_refusal.is_none()).then(|| view! {
                <p class="field__hint">"To email hand-over messages from the new pass's screen, this page needs the permission Mail.Send (sent as you). Grant it before you create the pass: "
                    <button type="button" id="grant-mail" class="button button--quiet" on:click=move |_| grant_mail(MAIL_PERMISSION)>"Allow email hand-over"</button></p>
            })}
            </div>
        </form>
    }
}

/// While a new pass is on screen: "Create another pass…", which asks, naming the user, before
/// the pass is replaced (issue 17 point 2); Escape or Cancel keeps it.
#[component]
fn ReplaceGuard(
    name: String,
    on_screen: Signal<bool>,
    refused: Signal<bool>,
    create: Callback<()>,
) -> impl IntoView {
    let replacing = RwSignal::new(false);
    let ask_replace = move || {
        replacing.set(true);
        browser::focus_soon("#confirm-replace");
    };
    let keep = move || {
        replacing.set(false);
        browser::focus_soon("#create-another");
    };
    let replace = move || {
        replacing.set(false);
        create.run(());
    };
    let question = guard::replace_question(&name);
    view! {
            {move || (on_screen.get() && !refused.get() && !replacing.get()).then(|| view! {
                <button type="button" id="create-another" class="button" on:click=move |_| ask_replace()>{guard::CREATE_ANOTHER}</button>
            })}
            {move || (on_screen.get() && replacing.get()).then(|| view! {
                <div id="replace-confirm" class="confirm" role="alertdialog" aria-labelledby="replace-text"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); keep(); }>
                    <p id="replace-text">{question.clone()}</p>
                    <button type="button" id="confirm-replace" class="button button--danger" on:click=move |_| replace()>"Replace the pass"</button>
                    <button type="button" id="cancel-replace" class="button" on:click=move |_| keep()>"Cancel"</button>
                </div>
            })}
    }
}

/// Start (now or later), lifetime and one-time.
#[component]
fn CreateFields(fields: Fields, bounds: FormBounds) -> impl IntoView {
    let Fields {
        later,
        start_at,
        lifetime,
        one_time,
    } = fields;
    let zone = browser::time_zone();
    let range_hint = form::range_hint(&bounds);
    let forced = bounds.one_time_forced;
    let (min, max) = (bounds.min_minutes, bounds.max_minutes);
    view! {
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
            <span class="field__echo">{move || form::lifetime_words(&lifetime.get())}</span>
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
    }
}

/// What a lost create turned out to be; a pass nobody saw can be replaced at once.
#[component]
fn LostCreate(settled: Settled, create_again: Callback<()>) -> impl IntoView {
    let unseen = matches!(settled, Settled::CreatedUnseen { .. });
    view! {
        <div id="create-outcome" class="notice notice--warning" role="alert">
            <p>{settled.sentence(browser::local_datetime)}</p>
            {unseen.then(|| view! {
                <button type="button" id="create-again" class="button button--primary" on:click=move |_| create_again.run(())>"Create a new pass"</button>
            })}
        </div>
    }
}
