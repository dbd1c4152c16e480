//! The hand-over message of a new pass: for the user or their manager, in their language, with
//! the validity in their time zone. The preview masks the pass; "Copy message" puts the full
//! text on the clipboard (cleared later, like the pass). The message lives only inside the
//! shown-once view, so "Done" removes it with the pass.

use std::time::Duration;

use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::config::MAIL_PERMISSION;
use crate::graph::api;
use crate::graph::models::User;
use crate::handover::{self, Audience, Facts};
use crate::messages::Operation;
use crate::secret::Secret;

/// How a secret goes to the clipboard: the revealed pass's own copy (with its timed clear), handed
/// in by the view that shows the pass, so this module needs nothing from it.
pub type CopySecret = fn(Secret, Duration, RwSignal<Option<&'static str>>);

/// The message builder under a revealed pass.
#[component]
pub fn HandoverMessage(
    value: StoredValue<Secret, LocalStorage>,
    starts_ms: Option<f64>,
    ends_ms: Option<f64>,
    one_time: bool,
    user: User,
    /// The target's admin roles (names), `None` when they could not be read: email is offered
    /// only for users known to hold none.
    target_roles: Option<Vec<String>>,
    ctx: Ctx,
    clear_clipboard_after: Duration,
    /// Puts the message on the clipboard and clears it later, like the pass.
    copy_secret: CopySecret,
    /// Set once the message (holding the pass) was copied or sent.
    handed: RwSignal<bool>,
) -> impl IntoView {
    let (templates, sign_in_url, admin) = ctx.session.with_value(|s| {
        (
            crate::handover::merged(&s.config().handover_templates),
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
    let zone_ok = Signal::derive(move || browser::is_time_zone(zone.get().trim()));
    let person = StoredValue::new(user.clone());

    // Subject and body with `pass` in place of the pass; `None` while the zone is not a zone.
    let parts = Callback::new(move |pass: String| -> Option<(String, String)> {
        let (lang, tz) = (language.get(), zone.get().trim().to_owned());
        if !browser::is_time_zone(&tz) {
            return None;
        }
        let when = |ms: Option<f64>| {
            ms.map(|m| browser::datetime_for(m, Some(&tz), Some(&lang)))
                .unwrap_or_default()
        };
        let facts = person.with_value(|u| Facts {
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
        templates.with_value(|t| handover::compose(t, &lang, audience.get(), &facts))
    });
    let message = move |pass: String| parts.run(pass).map(|(s, b)| handover::message_text(&s, &b));
    let preview = move || {
        let masked = "•".repeat(value.with_value(Secret::chars));
        message(masked).unwrap_or_default()
    };
    let copy = move |_| {
        if let Some(text) = message(value.with_value(|v| v.expose().to_owned())) {
            handed.set(true);
            copy_secret(Secret::new(text), clear_clipboard_after, copied);
        }
    };
    let zones = browser::time_zones();

    view! {
        <details id="handover" class="handover">
            <summary>"Hand-over message"</summary>
            <div class="handover__options">
                <label class="field">
                    <span class="field__label">"For"</span>
                    <select id="handover-audience" on:change=move |ev| audience.set(Audience::from_key(&event_target_value(&ev)))>
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
            {move || (!zone_ok.get()).then(|| view! {
                <p id="handover-zone-error" class="notice notice--error" role="alert">
                    "Not a time zone this browser knows: use an IANA name such as Europe/Berlin or America/New_York."
                </p>
            })}
            <p class="field__hint">"The pass is masked here; Copy message puts the whole text, pass included, on the clipboard. Send it over a channel only the recipient reads."</p>
            <pre id="handover-preview" class="handover__preview" tabindex="0" aria-label="Message preview">{preview}</pre>
            <button type="button" id="copy-handover" class="button" disabled=move || !zone_ok.get() on:click=copy>"Copy message"</button>
            <p class="status" role="status">{move || copied.get()}</p>
            <HandoverMail value=value parts=parts zone_ok=zone_ok audience=audience user=user target_roles=target_roles ctx=ctx handed=handed />
        </details>
    }
}

/// Email of the message, sent as the admin: only with Mail.Send (asked for on the create form),
/// never for admins, and to nobody until the admin types an address (issue 12, point 9).
#[component]
fn HandoverMail(
    value: StoredValue<Secret, LocalStorage>,
    /// Subject and body with the given text as the pass; `None` while the zone is wrong.
    parts: Callback<String, Option<(String, String)>>,
    zone_ok: Signal<bool>,
    audience: RwSignal<Audience>,
    user: User,
    target_roles: Option<Vec<String>>,
    ctx: Ctx,
    handed: RwSignal<bool>,
) -> impl IntoView {
    let may_mail = ctx.may(MAIL_PERMISSION);
    let refusal = handover::mail_refusal(target_roles.as_deref());
    let mail_allowed = refusal.is_none();
    let admin_upn = ctx.session.with_value(|s| s.account().username.clone());
    let upn = user.user_principal_name.clone().unwrap_or_default();
    let domains = handover::tenant_domains(&[admin_upn.as_str(), upn.as_str()]);
    let target_addresses = [user.mail.clone().unwrap_or_default(), upn];
    let recipient = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    Effect::new(move |_| {
        audience.track();
        confirming.set(false);
    });
    let recipient_warnings = move || {
        let own: Vec<&str> = target_addresses.iter().map(String::as_str).collect();
        handover::recipient_warnings(&recipient.get(), &own, &domains)
    };
    let address_ok = move || handover::valid_address(&recipient.get());
    // Returns the "sent" sentence, or Graph's refusal.
    let send = Action::new_local(move |(to, mail): &(String, serde_json::Value)| {
        let (to, mail) = (to.clone(), mail.clone());
        async move {
            let result = ctx.graph().send(api::send_mail(&mail)).await;
            confirming.try_set(false);
            result.map(|()| handover::sent_words(&to))
        }
    });
    let sending = send.pending();
    let on_send = move |_| {
        let to = recipient.get_untracked().trim().to_owned();
        let Some((subject, body)) = parts.run(value.with_value(|v| v.expose().to_owned())) else {
            return;
        };
        if sending.get_untracked() || !handover::may_send(mail_allowed, &to) {
            return;
        }
        let mail = handover::mail_body(&subject, &body, &to);
        send.dispatch_local((to, mail));
    };
    let sent = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(words)) = send.value().get() {
            handed.set(true);
            sent.set(Some(words));
        }
    });
    let mail_failure = move || {
        send.value()
            .get()
            .and_then(Result::err)
            .filter(|_| !sending.get())
    };

    view! {
        {(may_mail && !mail_allowed).then(|| view! {
            <p id="handover-mail-refused" class="notice">{refusal.clone()}</p>
        })}
        {(may_mail && mail_allowed).then(|| view! {
            <div class="handover__mail">
                <label class="field">
                    <span class="field__label">"Email to"</span>
                    <input id="handover-to" type="email" autocomplete="off" aria-describedby="handover-to-hint" prop:value=move || recipient.get() on:input=move |ev| recipient.set(event_target_value(&ev)) />
                    <span id="handover-to-hint" class="field__hint">"An address only the recipient reads: the manager's, for instance. Never the mailbox of the account this pass unlocks."</span>
                </label>
                {move || {
                    let list = recipient_warnings();
                    (!list.is_empty()).then(|| view! {
                        <div id="handover-to-warnings" class="notice notice--warning" role="status">
                            <ul>{list.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                        </div>
                    })
                }}
                <button type="button" id="handover-send" class="button" disabled=move || !zone_ok.get() || !address_ok() || sending.get()
                    on:click=move |_| confirming.set(true)>"Send by email"</button>
                <Show when=move || confirming.get()>
                    <div class="confirm" role="group" aria-labelledby="handover-confirm-text">
                        <p id="handover-confirm-text">{move || handover::confirm_words(&recipient.get())}</p>
                        <button type="button" id="handover-send-confirm" class="button button--primary" disabled=move || sending.get() on:click=on_send>"Send"</button>
                        <button type="button" id="handover-send-cancel" class="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                </Show>
                <p id="handover-sent" class="status" role="status">{move || sent.get()}</p>
                {move || mail_failure().map(|e| view! { <GraphErrorView error=e action=Operation::SendMail /> })}
            </div>
        })}
    }
}
