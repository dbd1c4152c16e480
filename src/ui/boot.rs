//! Start-up and sign-in: read the configuration, finish a sign-in coming back from the
//! authority, sign in silently after a reload, and the signed-out screen.

use leptos::prelude::*;

use super::{browser, Phase};
use crate::auth::attempt::{self, AuthorizeRequest, Callback, PendingAttempt};
use crate::auth::metadata::ProviderMetadata;
use crate::auth::session::Session;
use crate::auth::AuthError;
use crate::config::{self, Config};
use crate::messages;
use crate::storage;

/// How long an interactive sign-in blocks another one (security item 21).
const INTERACTION_STALE_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Reads `config.json` and the Settings overrides; returns the usable configuration or the setup phase.
pub async fn load_config() -> Result<Config, Phase> {
    let overrides = config::read_overrides(storage::get(storage::SETTINGS).as_deref());
    let file = crate::auth::http::config_file().await;
    config::load(
        file.as_deref().map_err(Clone::clone),
        &overrides,
        &crate::handover::problems,
    )
    .map_err(|(raw, problems)| Phase::Setup {
        problems: problems.into_iter().map(|p| p.sentence).collect(),
        raw: *raw,
    })
}

fn redirect_uri(config: &Config) -> String {
    config
        .redirect_uri
        .clone()
        .unwrap_or_else(browser::page_address)
}

/// True when this load continues a sign-in: the authority's answer is in the address, or a
/// silent sign-in follows (a login hint is kept; what downloads before it leaves is cached).
/// Read before [`start`] cleans the address.
pub fn sign_in_under_way() -> bool {
    attempt::has_callback_params(&browser::href()) || storage::get(storage::HINT).is_some()
}

/// Decides the first phase: setup, a finished sign-in, a silent sign-in, or the sign-in button.
pub async fn start() -> Phase {
    // An answer from the authority leaves the address bar first, before config.json or
    // anything else is fetched, whatever happens next (security item 13, issue 12 point 4).
    let href = browser::href();
    let callback = Callback::from_url(&href);
    if attempt::has_callback_params(&href) {
        browser::replace_address(&attempt::strip_callback_params(&href));
    }
    // The attempt is read once, for this answer only.
    let pending = callback
        .as_ref()
        .and_then(|_| storage::take(storage::ATTEMPT))
        .and_then(|s| serde_json::from_str::<PendingAttempt>(&s).ok());
    // Every load starts clean: an attempt left behind (Back from the authority's page reloads
    // this page without an answer) can never finish, and its in-progress flag would make Sign
    // in do nothing for ten minutes (issue 12 point 11).
    storage::forget_pending_sign_in();
    let config = match load_config().await {
        Ok(c) => c,
        Err(setup) => return setup,
    };
    if let Some(callback) = callback {
        return answered(config, &callback, pending).await;
    }
    if let Some(hint) = storage::take(storage::HINT) {
        // Tokens live in memory only, so a reload signs in again without a prompt (security item 16).
        let hint = Some(hint).filter(|h| !h.is_empty());
        return match begin(&config, Some("none"), hint.as_deref(), &[]).await {
            Ok(url) => {
                browser::navigate(&url);
                Phase::Loading("Signing you in again…")
            }
            // The provider offers no silent sign-in: the button signs the same account in.
            Err(AuthError::SignInRequired) => signed_out(config, None, hint),
            Err(e) => failed(config, &e, None, hint),
        };
    }
    signed_out(config, None, None)
}

/// The signed-out phase with `notice` beside the button and `login_hint` for its next click.
fn signed_out(config: Config, notice: Option<String>, login_hint: Option<String>) -> Phase {
    Phase::SignedOut {
        config,
        error: None,
        admin_consent: None,
        notice,
        login_hint,
    }
}

/// The signed-out phase saying why the sign-in failed, with `login_hint` for the next click.
fn failed(
    config: Config,
    e: &AuthError,
    admin_consent: Option<String>,
    login_hint: Option<String>,
) -> Phase {
    Phase::SignedOut {
        config,
        error: Some(messages::auth(e)),
        admin_consent,
        notice: None,
        login_hint,
    }
}

/// Finishes the sign-in the authority answered, or says why it did not happen.
async fn answered(config: Config, callback: &Callback, pending: Option<PendingAttempt>) -> Phase {
    let e = match finish(config.clone(), callback, pending.as_ref()).await {
        Ok(session) => {
            storage::set(storage::HINT, &session.account().username);
            return Phase::SignedIn(session);
        }
        Err(e) => e,
    };
    let hint = pending
        .as_ref()
        .and_then(|p| p.login_hint.clone())
        .filter(|h| !h.is_empty());
    let Some(pending) = pending else {
        return failed(config, &e, None, None);
    };
    // A provider refusing the optional prompt value is asked once more without it, and this
    // tab never sends it there again (issue 11 point 5). The retry carries no prompt, so it
    // cannot lead here a second time.
    let refused_prompt = pending.prompt.as_deref().is_some_and(|p| p != "none");
    if refused_prompt && attempt::is_prompt_refusal(&e) {
        storage::set(storage::NO_PROMPT, &config.authority);
        return match begin(&config, None, hint.as_deref(), &pending.scopes).await {
            Ok(url) => {
                browser::navigate(&url);
                Phase::Loading("Signing you in…")
            }
            Err(e) => failed(config, &e, None, hint),
        };
    }
    // A refused incremental consent is no sign-in error: the admin is still signed in at the
    // authority, so the page signs in again quietly, back to the same screen, and says the
    // permission was not granted (issue 17).
    if attempt::is_consent_refusal(&e, &pending, &config.scopes) {
        let admin_consent = matches!(
            e,
            AuthError::Provider {
                code: Some(65001 | 90094),
                ..
            }
        )
        .then(|| messages::admin_consent_url(&config, &redirect_uri(&config)));
        let notice = RefusedConsent {
            sentence: match admin_consent {
                Some(_) => format!("{} {}", messages::CONSENT_NOT_GRANTED, messages::auth(&e)),
                None => format!(
                    "{} Use Grant permission again when you need it.",
                    messages::CONSENT_NOT_GRANTED
                ),
            },
            admin_consent,
        };
        if let Ok(json) = serde_json::to_string(&notice) {
            storage::set(storage::CONSENT_REFUSED, &json);
        }
        super::intent::refused();
        return match begin(&config, Some("none"), hint.as_deref(), &[]).await {
            Ok(url) => {
                browser::navigate(&url);
                Phase::Loading("Signing you in again…")
            }
            Err(AuthError::SignInRequired) => signed_out(config, None, hint),
            Err(e) => failed(config, &e, None, hint),
        };
    }
    // A refused silent sign-in is no error: the button, a sentence where it helps, and the
    // next click signs the same account in interactively (issue 11 point 13).
    if pending.silent && matches!(e, AuthError::Provider { .. }) {
        return signed_out(config, messages::silent_refusal(&e), hint);
    }
    let admin_consent = matches!(
        e,
        AuthError::Provider {
            code: Some(65001 | 90094),
            ..
        }
    )
    .then(|| messages::admin_consent_url(&config, &redirect_uri(&config)));
    failed(config, &e, admin_consent, hint)
}

async fn finish(
    config: Config,
    callback: &Callback,
    pending: Option<&PendingAttempt>,
) -> Result<Session, AuthError> {
    // Refuse replayed or forged answers before fetching anything.
    if callback.has_tokens {
        return Err(AuthError::TokensInUrl);
    }
    let pending = pending.ok_or(AuthError::UnknownAttempt)?;
    let metadata = discover(&config.authority).await?;
    let code = callback.verify(Some(pending), &metadata.issuer, browser::now_ms())?;
    let redirect = redirect_uri(&config);
    Session::redeem(config, metadata, redirect, code, pending, browser::now_ms()).await
}

/// The authority's discovery document, fetched once per browser session (tab): it is public,
/// so sessionStorage keeps it, and it is checked again (issuer, endpoints, S256) on every use.
async fn discover(authority: &str) -> Result<ProviderMetadata, AuthError> {
    #[derive(serde::Serialize, serde::Deserialize)]
    struct Kept {
        authority: String,
        document: String,
    }
    let kept = storage::get(storage::DISCOVERY)
        .and_then(|s| serde_json::from_str::<Kept>(&s).ok())
        .filter(|k| k.authority == authority);
    if let Some(k) = kept {
        // The copy steers top-level navigations the CSP does not govern: one that sends them
        // off the authority's origin is dropped and the document fetched afresh (issue 12
        // point 13).
        match ProviderMetadata::from_kept_copy(authority, &k.document) {
            Ok(m) => return Ok(m),
            Err(_) => storage::remove(storage::DISCOVERY),
        }
    }
    let document = ProviderMetadata::fetch_document(authority).await?;
    let metadata = ProviderMetadata::from_document(authority, &document)?;
    // Only a document whose navigations stay on the authority's origin is kept; another is
    // fetched each time it is needed.
    if metadata.navigations_stay_on(authority) {
        let kept = Kept {
            authority: authority.to_owned(),
            document,
        };
        if let Ok(json) = serde_json::to_string(&kept) {
            storage::set(storage::DISCOVERY, &json);
        }
    }
    Ok(metadata)
}

/// Starts an attempt: stores it in sessionStorage and returns the authorize URL to navigate to.
async fn begin(
    config: &Config,
    prompt: Option<&str>,
    login_hint: Option<&str>,
    extra_scopes: &[String],
) -> Result<String, AuthError> {
    let metadata = discover(&config.authority).await?;
    // Only prompt values the provider accepts are sent (issue 11 point 5): those it lists in
    // `prompt_values_supported`, and none to an authority that refused one in this tab.
    let refused_here = storage::get(storage::NO_PROMPT).is_some_and(|a| a == config.authority);
    let prompt = match prompt {
        Some("none") if !metadata.supports_prompt("none") => return Err(AuthError::SignInRequired),
        Some("none") => Some("none"),
        Some(p) if refused_here || !metadata.supports_prompt(p) => None,
        other => other,
    };
    let redirect = redirect_uri(config);
    let mut scopes = config.scopes.clone();
    scopes.extend(
        extra_scopes
            .iter()
            .filter(|s| !config.scopes.contains(s))
            .cloned(),
    );
    let (url, pending) = attempt::authorize_url(&AuthorizeRequest {
        client_id: &config.client_id,
        authorization_endpoint: &metadata.authorization_endpoint,
        redirect_uri: &redirect,
        scopes: &scopes,
        prompt,
        login_hint,
        now_ms: browser::now_ms(),
    })?;
    let json = serde_json::to_string(&pending).map_err(|e| AuthError::IdToken(e.to_string()))?;
    if !storage::set(storage::ATTEMPT, &json) {
        return Err(AuthError::Network(
            "this browser refuses sessionStorage, which sign-in needs".into(),
        ));
    }
    Ok(url)
}

/// Leaves for the authority to sign `login_hint` in again, asking for `extra_scopes` besides the
/// configured ones (incremental consent). Returns only on failure.
pub async fn reauthorize(
    config: &Config,
    login_hint: &str,
    extra_scopes: &[String],
) -> Result<(), AuthError> {
    let url = begin(config, None, Some(login_hint), extra_scopes).await?;
    browser::navigate(&url);
    Ok(())
}

/// The signed-out screen: what the page does, and one Sign in button.
///
/// `notice` explains a refused silent sign-in; `login_hint` names the account the next click
/// signs in (then without `prompt=select_account`, which Entra does not combine with a hint).
#[component]
pub fn SignedOut(
    config: Config,
    error: Option<String>,
    admin_consent: Option<String>,
    notice: Option<String>,
    login_hint: Option<String>,
) -> impl IntoView {
    let error = RwSignal::new(error);
    let note = RwSignal::new(notice);
    let busy = RwSignal::new(false);
    let sign_in = move |_| {
        // One interactive sign-in at a time: a double click navigates once. An ignored click
        // always says why (issue 12 point 11).
        if busy.get_untracked() {
            note.set(Some(messages::sign_in_already_started(0)));
            return;
        }
        let started = storage::get(storage::INTERACTION).and_then(|s| s.parse::<f64>().ok());
        if let Some(t) = started.filter(|t| browser::now_ms() - t < INTERACTION_STALE_MS) {
            let seconds = ((browser::now_ms() - t) / 1000.0).max(0.0) as u64;
            note.set(Some(messages::sign_in_already_started(seconds)));
            return;
        }
        busy.set(true);
        // Whole milliseconds: an integer, so the page carries no float formatting code.
        storage::set(
            storage::INTERACTION,
            &(browser::now_ms() as u64).to_string(),
        );
        let config = config.clone();
        let hint = login_hint.clone();
        leptos::task::spawn_local(async move {
            let prompt = if hint.is_some() {
                None
            } else {
                Some("select_account")
            };
            match begin(&config, prompt, hint.as_deref(), &[]).await {
                Ok(url) => browser::navigate(&url),
                Err(e) => {
                    storage::remove(storage::INTERACTION);
                    busy.set(false);
                    error.set(Some(messages::auth(&e)));
                }
            }
        });
    };
    Effect::new(|_| browser::mark("tapdesk:sign-in-ready"));
    view! {
        <section class="card signin" aria-labelledby="signin-title">
            <h2 id="signin-title">"Sign in"</h2>
            <p>"Sign in with your administrator account to find users and give them a Temporary Access Pass. Nothing is stored on a server: this page talks only to your sign-in authority and Microsoft Graph."</p>
            {move || error.get().map(|e| view! { <p id="error" class="notice notice--error" role="alert">{e}</p> })}
            {move || note.get().map(|n| view! { <p id="signin-note" class="notice" role="status">{n}</p> })}
            {admin_consent.map(|url| view! {
                <p id="admin-consent">"A Global Administrator can grant consent for the whole organisation with this link: "
                    <a href=url.clone() rel="noreferrer">{url.clone()}</a></p>
            })}
            <button type="button" id="signin" class="button button--primary" on:click=sign_in disabled=move || busy.get()>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </section>
    }
}

/// What the signed-in page says once after a refused incremental consent.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct RefusedConsent {
    sentence: String,
    /// The link a Global Administrator uses to grant for the organisation, when only they can.
    admin_consent: Option<String>,
}

/// The local notice after a refused incremental consent (shown once, on the screen the admin
/// came back to).
#[component]
pub fn ConsentRefusedNotice() -> impl IntoView {
    let notice = storage::take(storage::CONSENT_REFUSED)
        .and_then(|s| serde_json::from_str::<RefusedConsent>(&s).ok());
    notice.map(|n| {
        view! {
            <div id="consent-refused" class="notice notice--warning" role="status">
                <p>{n.sentence}</p>
                {n.admin_consent.map(|url| view! {
                    <p id="admin-consent">"A Global Administrator can grant consent for the whole organisation with this link: "
                        <a href=url.clone()>{url.clone()}</a></p>
                })}
            </div>
        }
    })
}
