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
use crate::storage::{self, Area};

/// How long an interactive sign-in blocks another one (security item 21).
const INTERACTION_STALE_MS: f64 = 10.0 * 60.0 * 1000.0;

/// Reads `config.json` and the Settings overrides; returns the usable configuration or the setup phase.
pub async fn load_config() -> Result<Config, Phase> {
    let overrides = config::read_overrides(storage::get(Area::Local, storage::SETTINGS).as_deref());
    let file = fetch_config_file().await;
    config::load(file.as_deref().map_err(Clone::clone), &overrides).map_err(|(raw, problems)| {
        Phase::Setup {
            problems,
            raw: *raw,
        }
    })
}

async fn fetch_config_file() -> Result<String, String> {
    let response = gloo_net::http::Request::get("config.json")
        .cache(web_sys::RequestCache::NoStore)
        .send()
        .await
        .map_err(|_| "config.json could not be loaded (no answer from the server).".to_owned())?;
    match response.status() {
        200 => response
            .text()
            .await
            .map_err(|e| format!("config.json could not be read: {e}.")),
        404 => Err("config.json was not found beside index.html.".into()),
        s => Err(format!("config.json could not be loaded (HTTP {s}).")),
    }
}

fn redirect_uri(config: &Config) -> String {
    config
        .redirect_uri
        .clone()
        .unwrap_or_else(browser::page_address)
}

/// Decides the first phase: setup, a finished sign-in, a silent sign-in, or the sign-in button.
pub async fn start() -> Phase {
    let config = match load_config().await {
        Ok(c) => c,
        Err(setup) => return setup,
    };
    let href = browser::href();
    if let Some(callback) = Callback::from_url(&href) {
        // The response leaves the address bar before any request is made (security item 13).
        browser::replace_address(&attempt::strip_callback_params(&href));
        storage::remove(Area::Session, storage::INTERACTION);
        let pending = storage::take(Area::Session, storage::ATTEMPT)
            .and_then(|s| serde_json::from_str::<PendingAttempt>(&s).ok());
        return match finish(config.clone(), &callback, pending.as_ref()).await {
            Ok(session) => {
                storage::set(Area::Session, storage::HINT, &session.account().username);
                Phase::SignedIn(session)
            }
            Err(e) => {
                let silent_miss = pending.as_ref().is_some_and(|p| p.silent)
                    && matches!(e, AuthError::Provider { .. });
                let admin_consent = matches!(
                    e,
                    AuthError::Provider {
                        code: Some(65001 | 90094),
                        ..
                    }
                )
                .then(|| messages::admin_consent_url(&config, &redirect_uri(&config)));
                Phase::SignedOut {
                    error: (!silent_miss).then(|| messages::auth(&e)),
                    admin_consent,
                    config,
                }
            }
        };
    }
    if let Some(hint) = storage::take(Area::Session, storage::HINT) {
        // Tokens live in memory only, so a reload signs in again without a prompt (security item 16).
        match begin(&config, Some("none"), Some(&hint), &[]).await {
            Ok(url) => {
                browser::navigate(&url);
                return Phase::Loading("Signing you in again…");
            }
            Err(e) => {
                return Phase::SignedOut {
                    config,
                    error: Some(messages::auth(&e)),
                    admin_consent: None,
                }
            }
        }
    }
    Phase::SignedOut {
        config,
        error: None,
        admin_consent: None,
    }
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
    let kept = storage::get(Area::Session, storage::DISCOVERY)
        .and_then(|s| serde_json::from_str::<Kept>(&s).ok())
        .filter(|k| k.authority == authority);
    if let Some(k) = kept {
        if let Ok(m) = ProviderMetadata::from_document(authority, &k.document) {
            return Ok(m);
        }
    }
    let document = ProviderMetadata::fetch_document(authority).await?;
    let metadata = ProviderMetadata::from_document(authority, &document)?;
    let kept = Kept {
        authority: authority.to_owned(),
        document,
    };
    if let Ok(json) = serde_json::to_string(&kept) {
        storage::set(Area::Session, storage::DISCOVERY, &json);
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
    if !storage::set(Area::Session, storage::ATTEMPT, &json) {
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
#[component]
pub fn SignedOut(
    config: Config,
    error: Option<String>,
    admin_consent: Option<String>,
) -> impl IntoView {
    let error = RwSignal::new(error);
    let busy = RwSignal::new(false);
    let sign_in = move |_| {
        // One interactive sign-in at a time: a double click navigates once.
        let started =
            storage::get(Area::Session, storage::INTERACTION).and_then(|s| s.parse::<f64>().ok());
        if busy.get_untracked()
            || started.is_some_and(|t| browser::now_ms() - t < INTERACTION_STALE_MS)
        {
            return;
        }
        busy.set(true);
        storage::set(
            Area::Session,
            storage::INTERACTION,
            &browser::now_ms().to_string(),
        );
        let config = config.clone();
        leptos::task::spawn_local(async move {
            match begin(&config, Some("select_account"), None, &[]).await {
                Ok(url) => browser::navigate(&url),
                Err(e) => {
                    storage::remove(Area::Session, storage::INTERACTION);
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
