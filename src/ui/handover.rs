//! The hand-over message of a new pass: for the user or their manager, in their language, with
//! the validity in their time zone. The preview masks the pass; "Copy message" puts the full
//! text on the clipboard (cleared later, like the pass). The message lives only inside the
//! shown-once view, so "Done" removes it with the pass.

use std::time::Duration;

use leptos::prelude::*;

use super::reveal::copy_secret;
use super::{browser, Ctx};
use crate::graph::models::User;
use crate::handover::{self, Audience, Facts};

/// The message builder under a revealed pass.
#[component]
pub fn HandoverMessage(
    value: StoredValue<String, LocalStorage>,
    starts_ms: Option<f64>,
    ends_ms: Option<f64>,
    one_time: bool,
    user: User,
    ctx: Ctx,
    clear_clipboard_after: Duration,
) -> impl IntoView {
    let (templates, sign_in_url, admin) = ctx.session.with_value(|s| {
        (
            s.config().handover_templates.clone(),
            s.config().handout_url.clone(),
            s.account().name.clone(),
        )
    });
    let templates = StoredValue::new(templates);
    let languages: Vec<String> = templates.with_value(|t| t.keys().cloned().collect());
    let language = RwSignal::new(handover::language_for(
        user.preferred_language.as_deref(),
        &languages,
    ));
    let audience = RwSignal::new(Audience::User);
    let zone = RwSignal::new(browser::time_zone());
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let zone_ok = move || browser::is_time_zone(zone.get().trim());
    let user = StoredValue::new(user);

    // The message with `pass` in place of the pass; `None` while the zone is not a zone.
    let message = move |pass: String| -> Option<String> {
        let (lang, tz) = (language.get(), zone.get().trim().to_owned());
        if !browser::is_time_zone(&tz) {
            return None;
        }
        let when = |ms: Option<f64>| {
            ms.map(|m| browser::datetime_for(m, Some(&tz), Some(&lang)))
                .unwrap_or_default()
        };
        let facts = user.with_value(|u| Facts {
            name: u.name().to_owned(),
            upn: u.user_principal_name.clone().unwrap_or_default(),
            pass,
            valid_from: when(starts_ms),
            valid_until: when(ends_ms),
            time_zone: tz.clone(),
            one_time,
            sign_in_url: sign_in_url.clone(),
            admin: admin.clone(),
        });
        let template = templates.with_value(|t| {
            t.get(&lang)
                .and_then(|by| by.get(audience.get().key()))
                .cloned()
        })?;
        let (subject, body) = handover::render(&template, &lang, &facts);
        Some(format!("{subject}\n\n{body}"))
    };
    let message_again = message.clone();
    let preview = move || {
        let masked = "•".repeat(value.with_value(|v| v.chars().count()));
        message(masked).unwrap_or_default()
    };
    let copy = move |_| {
        if let Some(text) = message_again(value.get_value()) {
            copy_secret(text, clear_clipboard_after, copied);
        }
    };
    let zones = browser::time_zones();

    view! {
        <details id="handover" class="handover">
            <summary>"Hand-over message"</summary>
            <div class="handover__options">
                <label class="field">
                    <span class="field__label">"For"</span>
                    <select id="handover-audience" on:change=move |ev| {
                        audience.set(if event_target_value(&ev) == "manager" { Audience::Manager } else { Audience::User })
                    }>
                        <option value="user" selected=true>"The user"</option>
                        <option value="manager">"Their manager"</option>
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Language"</span>
                    <select id="handover-language" on:change=move |ev| language.set(event_target_value(&ev))>
                        {languages.into_iter().map(|code| {
                            let selected = code == language.get_untracked();
                            view! { <option value=code.clone() selected=selected>{handover::language_name(&code)}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"User's time zone"</span>
                    <input id="handover-zone" type="text" list="handover-zones" autocomplete="off"
                        prop:value=move || zone.get() on:input=move |ev| zone.set(event_target_value(&ev)) />
                    <datalist id="handover-zones">
                        {zones.into_iter().map(|z| view! { <option value=z></option> }).collect_view()}
                    </datalist>
                </label>
            </div>
            {move || (!zone_ok()).then(|| view! {
                <p id="handover-zone-error" class="notice notice--error" role="alert">
                    "Not a time zone this browser knows: use an IANA name such as Europe/Berlin or America/New_York."
                </p>
            })}
            <p class="field__hint">"The pass is masked here; Copy message puts the whole text, pass included, on the clipboard. Send it over a channel only the recipient reads."</p>
            <pre id="handover-preview" class="handover__preview">{preview}</pre>
            <button type="button" id="copy-handover" class="button" disabled=move || !zone_ok() on:click=copy>"Copy message"</button>
            <p class="status" role="status">{move || copied.get()}</p>
        </details>
    }
}
