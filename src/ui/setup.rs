//! The setup screen (missing or invalid configuration, with app-registration help) and the
//! Settings panel that overrides `config.json` in localStorage (nothing secret is kept there).

use leptos::prelude::*;

use super::browser;
use crate::cloud::{CloudId, CLOUDS};
use crate::config::{self, RawConfig};
use crate::permission;
use crate::registration;
use crate::storage;

/// The Settings saved in this browser.
fn saved_overrides() -> config::Overrides {
    config::read_overrides(storage::get(storage::SETTINGS).as_deref())
}

/// Forgets the Settings and starts again with config.json alone.
fn use_config_json_only() {
    storage::remove(storage::SETTINGS);
    browser::reload();
}

/// Shown instead of the app when the configuration is missing or invalid: never a blank page.
#[component]
pub fn SetupScreen(problems: Vec<String>, raw: RawConfig) -> impl IntoView {
    let address = raw
        .redirect_uri
        .clone()
        .unwrap_or_else(browser::page_address);
    let cloud = RwSignal::new(raw.setup_cloud());
    let example = move || {
        let c = cloud.get().cloud();
        format!(
            "{{\n  \"clientId\": \"<Application (client) ID>\",\n  \"authority\": \"{}\",\n  \"graphBaseUrl\": \"{}\"\n}}",
            c.authority("<Directory (tenant) ID>"),
            c.graph
        )
    };
    let (az_address, ps_address) = (address.clone(), address.clone());
    view! {
        <section id="setup" class="card setup" aria-labelledby="setup-title">
            <h2 id="setup-title">"Set up tapdesk"</h2>
            <p>"This page needs to know which app registration and tenant to sign in with. Fix the following, in config.json beside index.html or in the form below:"</p>
            <ul id="setup-problems" class="setup__problems">
                {problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
            </ul>
            <p id="setup-origin-note" class="notice">"Give tapdesk a host name of its own (for example tap.contoso.com). Under a sub-path of a host that serves other apps, it shares their origin: a script flaw in any of them could read the passes and tokens in this page."</p>
            <div class="field">
                <label class="field__label" for="cfg-cloud">"Cloud"</label>
                <select id="cfg-cloud" class="field__input" on:change=move |ev| {
                    if let Some(c) = event_target_value(&ev).parse::<usize>().ok().and_then(|i| CloudId::ALL.get(i)) { cloud.set(*c) }
                }>
                    {CLOUDS.iter().enumerate().map(|(i, c)| view! {
                        <option value=i.to_string() selected=move || cloud.get() == c.id>{c.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <h3>"Register the app once"</h3>
            <ol class="setup__steps">
                <li>"In the Entra admin center, open App registrations › New registration. Name it, for example, tapdesk."</li>
                <li>"Under Authentication, add the platform "<strong>"Single-page application"</strong>" with this redirect URI: "<code id="setup-redirect">{address.clone()}</code></li>
                <li>"Under API permissions, add these delegated Microsoft Graph permissions, then Grant admin consent:"
                    <ul>
                        {permission::ALL.iter().map(|p| view! { <li><code>{p.name}</code>" — "{p.why}</li> }).collect_view()}
                    </ul>
                    <p id="setup-consent-note" class="field__hint">"A permission an administrator consented to for the whole organisation is in every token this app gets, for every admin who signs in: \"asked for on first use\" only decides when consent is asked, not what the token carries. Granting all of them once means no screen ever stops to ask; leaving out the ones for screens you do not use (email hand-over, the policy editor, the audit trail) keeps tokens narrower."</p>
                </li>
                <li>"Under Token configuration, choose Add groups claim and tick "<strong>"Directory roles"</strong>" (groupMembershipClaims = DirectoryRole), so the page can tell which admin roles you hold. Without it the page treats your roles as unknown and lets Graph decide. Then choose Add optional claim, ID, and tick "<strong>"login_hint"</strong>", so Sign out ends the right account's session without asking which one."</li>
                <li>"Copy the Application (client) ID and the Directory (tenant) ID from the Overview page into config.json:"
                    <pre class="setup__example" tabindex="0" aria-label="Example config.json">{example}</pre>
                </li>
            </ol>
            <h3>"Or register it with a command"</h3>
            <p>"Each writes config.json in the current folder; run it as an administrator who may register apps."</p>
            <h4>"Azure CLI"</h4>
            <pre id="cmd-az" class="setup__example" tabindex="0" aria-label="Azure CLI commands">
                {move || registration::azure_cli(cloud.get().cloud(), &az_address, "tapdesk")}
            </pre>
            <h4>"Microsoft Graph PowerShell"</h4>
            <pre id="cmd-pwsh" class="setup__example" tabindex="0" aria-label="Microsoft Graph PowerShell commands">
                {move || registration::powershell(cloud.get().cloud(), &ps_address, "tapdesk")}
            </pre>
            <h3>"Or enter the settings here"</h3>
            <SettingsForm raw=raw cloud=cloud />
        </section>
    }
}

/// The Settings panel, opened from "Advanced: connection settings" at the foot of the page.
#[component]
pub fn SettingsPanel(on_close: Callback<()>) -> impl IntoView {
    let saved = saved_overrides().raw;
    view! {
        <section id="settings-panel" class="card settings" aria-labelledby="settings-title">
            <h2 id="settings-title">"Settings"</h2>
            <p>"Values here override config.json in this browser only. Leave a field empty to use config.json's value. The authority and the Graph URL may name a Microsoft cloud's hosts or those config.json names; anything else belongs in config.json."</p>
            <SettingsForm raw=saved.clone() cloud=RwSignal::new(saved.setup_cloud()) />
            <button type="button" class="button button--quiet" on:click=move |_| on_close.run(())>"Close"</button>
        </section>
    }
}

#[component]
fn SettingsForm(raw: RawConfig, cloud: RwSignal<CloudId>) -> impl IntoView {
    let form = config::SettingsForm::from_raw(&raw);
    let client_id = RwSignal::new(form.client_id);
    let authority = RwSignal::new(form.authority);
    let graph = RwSignal::new(form.graph_base_url);
    let redirect = RwSignal::new(form.redirect_uri);
    let typed = move || config::SettingsForm {
        client_id: client_id.get_untracked(),
        authority: authority.get_untracked(),
        graph_base_url: graph.get_untracked(),
        redirect_uri: redirect.get_untracked(),
    };
    // Choosing a cloud fills in its Graph host and moves the authority to its sign-in host.
    Effect::new(move |previous: Option<CloudId>| {
        let chosen = cloud.get();
        if previous.is_some_and(|p| p != chosen) {
            let moved = typed().with_cloud(chosen.cloud());
            authority.set(moved.authority);
            graph.set(moved.graph_base_url);
        }
        chosen
    });
    let problems: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match typed().to_save() {
            Ok(json) if storage::set(storage::SETTINGS, &json) => browser::reload(),
            Ok(_) => problems.set(vec![config::SETTINGS_NOT_SAVED.into()]),
            Err(found) => problems.set(found.into_iter().map(|p| p.sentence).collect()),
        }
    };
    let reset = move |_| use_config_json_only();
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
            {field("cfg-authority", "Authority", "https://login.microsoftonline.com/<tenant ID>/v2.0; another OpenID provider's issuer must be named in config.json.", authority)}
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

/// A banner on every screen while this browser keeps Settings overrides: which fields they
/// change, what was ignored, and a one-click way back to config.json.
#[component]
pub fn OverridesBanner() -> impl IntoView {
    saved_overrides().banner().map(|text| {
        view! {
            <div id="overrides-banner" class="notice notice--warning" role="status">
                <p>{text}</p>
                <button type="button" id="overrides-reset" class="button" on:click=move |_| use_config_json_only()>"Use config.json only"</button>
            </div>
        }
    })
}
