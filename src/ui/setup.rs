//! The setup screen (missing or invalid configuration, with app-registration help) and the
//! Settings panel that overrides `config.json` in localStorage (nothing secret is kept there).

use leptos::prelude::*;

use super::browser;
use crate::config::{RawConfig, DEFAULT_GRAPH_PERMISSIONS, WRITE_PERMISSION};
use crate::storage::{self, Area};

/// Why each default permission is asked for, shown in the registration help.
const WHY: &[(&str, &str)] = &[
    ("User.Read.All", "find users by name, UPN or object ID"),
    (
        "UserAuthenticationMethod.Read.All",
        "see each user's current pass and methods",
    ),
    (
        "UserAuthenticationMethod.ReadWrite.All",
        "create and delete passes (asked for the first time you do so)",
    ),
    (
        "Policy.Read.All",
        "read the tenant's Temporary Access Pass policy so the form stays inside it",
    ),
];

/// Shown instead of the app when the configuration is missing or invalid: never a blank page.
#[component]
pub fn SetupScreen(problems: Vec<String>, raw: RawConfig) -> impl IntoView {
    let address = browser::page_address();
    let example = format!(
        "{{\n  \"clientId\": \"<Application (client) ID>\",\n  \"authority\": \"https://login.microsoftonline.com/<Directory (tenant) ID>/v2.0\",\n  \"graphBaseUrl\": \"https://graph.microsoft.com\"\n}}"
    );
    view! {
        <section id="setup" class="card setup" aria-labelledby="setup-title">
            <h2 id="setup-title">"Set up tapdesk"</h2>
            <p>"This page needs to know which app registration and tenant to sign in with. Fix the following, in config.json beside index.html or in the form below:"</p>
            <ul id="setup-problems" class="setup__problems">
                {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <h3>"Register the app once"</h3>
            <ol class="setup__steps">
                <li>"In the Entra admin center, open App registrations › New registration. Name it, for example, tapdesk."</li>
                <li>"Under Authentication, add the platform "<strong>"Single-page application"</strong>" with this redirect URI: "<code id="setup-redirect">{address.clone()}</code></li>
                <li>"Under API permissions, add these delegated Microsoft Graph permissions, then Grant admin consent:"
                    <ul>
                        {DEFAULT_GRAPH_PERMISSIONS.iter().chain([&WRITE_PERMISSION]).map(|p| {
                            let why = WHY.iter().find(|(n, _)| n == p).map(|(_, w)| *w).unwrap_or_default();
                            view! { <li><code>{*p}</code>" — "{why}</li> }
                        }).collect_view()}
                    </ul>
                </li>
                <li>"Copy the Application (client) ID and the Directory (tenant) ID from the Overview page into config.json:"
                    <pre class="setup__example" tabindex="0" aria-label="Example config.json">{example}</pre>
                </li>
            </ol>
            <h3>"Or enter the settings here"</h3>
            <SettingsForm raw=raw />
        </section>
    }
}

/// The Settings panel opened from the header.
#[component]
pub fn SettingsPanel(on_close: Callback<()>) -> impl IntoView {
    let saved = storage::get(Area::Local, storage::SETTINGS)
        .and_then(|s| serde_json::from_str::<RawConfig>(&s).ok())
        .unwrap_or_default();
    view! {
        <section id="settings-panel" class="card settings" aria-labelledby="settings-title">
            <h2 id="settings-title">"Settings"</h2>
            <p>"Values here override config.json in this browser only. Leave a field empty to use config.json's value."</p>
            <SettingsForm raw=saved />
            <button type="button" class="button button--quiet" on:click=move |_| on_close.run(())>"Close"</button>
        </section>
    }
}

#[component]
fn SettingsForm(raw: RawConfig) -> impl IntoView {
    let client_id = RwSignal::new(raw.client_id.unwrap_or_default());
    let authority = RwSignal::new(raw.authority.unwrap_or_default());
    let graph = RwSignal::new(raw.graph_base_url.unwrap_or_default());
    let redirect = RwSignal::new(raw.redirect_uri.unwrap_or_default());
    let problems: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let opt = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let overrides = RawConfig {
            client_id: opt(client_id.get_untracked()),
            authority: opt(authority.get_untracked()),
            graph_base_url: opt(graph.get_untracked()),
            redirect_uri: opt(redirect.get_untracked()),
            ..RawConfig::default()
        };
        // Check what can be checked on its own (URLs); missing fields may come from config.json.
        let mut found = Vec::new();
        let probe = RawConfig {
            client_id: Some("x".into()),
            authority: overrides
                .authority
                .clone()
                .or(Some("https://x.invalid".into())),
            ..overrides.clone()
        };
        if let Err(p) = probe.validate() {
            found = p;
        }
        if !found.is_empty() {
            return problems.set(found);
        }
        match serde_json::to_string(&overrides) {
            Ok(json) if storage::set(Area::Local, storage::SETTINGS, &json) => browser::reload(),
            _ => problems.set(vec![
                "This browser refused to save the settings (storage disabled?).".into(),
            ]),
        }
    };
    let reset = move |_| {
        storage::remove(Area::Local, storage::SETTINGS);
        browser::reload();
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      hint: &'static str,
                      value: RwSignal<String>| {
        view! {
            <div class="field">
                <label class="field__label" for=id>{label}</label>
                <input id=id class="field__input" type="text" spellcheck="false" autocomplete="off" aria-describedby=format!("{id}-hint")
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
                <p id=format!("{id}-hint") class="field__hint">{hint}</p>
            </div>
        }
    };
    view! {
        <form class="settings__form" on:submit=save novalidate>
            {field("cfg-client-id", "Application (client) ID", "From the app registration's Overview page.", client_id)}
            {field("cfg-authority", "Authority", "https://login.microsoftonline.com/<tenant ID>/v2.0, or any OpenID provider's issuer URL.", authority)}
            {field("cfg-graph", "Graph URL", "https://graph.microsoft.com (global); national clouds have their own.", graph)}
            {field("cfg-redirect", "Redirect URI (optional)", "Defaults to this page's address; must match the registration exactly.", redirect)}
            {move || (!problems.with(Vec::is_empty)).then(|| view! {
                <ul class="notice notice--error" role="alert">{problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul>
            })}
            <div class="settings__actions">
                <button type="submit" id="cfg-save" class="button button--primary">"Save and reload"</button>
                <button type="button" id="cfg-reset" class="button" on:click=reset>"Use config.json only"</button>
            </div>
        </form>
    }
}
