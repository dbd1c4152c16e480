//! One user's badge: look it up, give a temporary QR code for a forgotten badge (1 to 12
//! hours, refused while one is active), delete the temporary code or the whole badge. The
//! temporary code's QR is shown once, drawn here, gone after Done or leaving the page.

use leptos::prelude::*;

use super::super::hooks::use_page_hide;
use super::super::{browser, Ctx, GraphErrorView};
use crate::badge::{self, temporary_refusal, TEMPORARY_HOURS};
use crate::graph::api::{self, AdministrativeUnit, QrCodePinMethod};
use crate::graph::models::User;
use crate::graph::GraphError;
use crate::messages::Operation;
use crate::scope::Target;
use crate::secret::Secret;

/// What the lookup found.
#[derive(Clone, Debug)]
struct Found {
    user: User,
    badge: Option<QrCodePinMethod>,
    /// Why this admin may not change the user's badge, before any write.
    refusal: Option<String>,
}

/// A temporary code just created: its content (once) and expiry.
#[derive(Clone)]
struct Temporary {
    qr: Secret,
    until: String,
}

async fn look_up(ctx: Ctx, key: String) -> Result<Found, GraphError> {
    let graph = ctx.graph();
    let user = graph.send(api::get_user(&key)).await?;
    // The scope first: Graph refuses to read the method of a user out of reach.
    let known = ctx.scope.get_untracked();
    let units: Option<Vec<AdministrativeUnit>> = if known.unit_ids().is_some() {
        graph.send(api::units_of(&user.id)).await.ok()
    } else {
        None
    };
    let refusal = known.refusal(&Target {
        name: user.name(),
        units: units.as_deref(),
        roles: None,
    });
    let badge = if refusal.is_some() {
        None
    } else {
        match graph.send(api::get_badge(&user.id)).await {
            Ok(m) => Some(m),
            Err(e) if e.status == 404 => None,
            Err(e) => return Err(e),
        }
    };
    Ok(Found {
        user,
        badge,
        refusal,
    })
}

fn until_words(end: Option<&str>) -> String {
    end.and_then(crate::graph::time::parse_ms)
        .map(browser::local_datetime)
        .unwrap_or_else(|| "an unknown date".into())
}

/// The One user's badge section.
#[component]
pub fn OneBadge(ctx: Ctx) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let found: RwSignal<Option<Found>> = RwSignal::new(None);
    let failure: RwSignal<Option<(GraphError, Operation)>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let hours = RwSignal::new(badge::DEFAULT_TEMPORARY_HOURS.to_string());
    let temporary: RwSignal<Option<Temporary>> = RwSignal::new(None);
    let confirm_delete = RwSignal::new(false);
    let news: RwSignal<Option<String>> = RwSignal::new(None);
    use_page_hide(move || {
        temporary.try_set(None);
    });

    let refresh = move |k: String| {
        busy.set(true);
        failure.set(None);
        confirm_delete.set(false);
        leptos::task::spawn_local(async move {
            let r = look_up(ctx, k).await;
            busy.try_set(false);
            match r {
                Ok(f) => {
                    found.try_set(Some(f));
                }
                Err(e) => {
                    found.try_set(None);
                    failure.try_set(Some((e, Operation::ReadUser)));
                }
            }
        });
    };
    let lookup = move |_| {
        let k = key.get_untracked().trim().to_owned();
        news.set(None);
        temporary.set(None);
        if !k.is_empty() {
            refresh(k);
        }
    };
    let give_temporary = move |_| {
        let Some(f) = found.get_untracked() else {
            return;
        };
        let h = hours.get_untracked().parse::<u32>().ok();
        let body = badge::new_temporary(browser::now_ms(), h);
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let r = ctx
                .graph()
                .send(api::create_temporary_qr(&f.user.id, &body))
                .await;
            busy.try_set(false);
            match r {
                Ok(code) => {
                    let qr = code.image.and_then(|i| i.raw_content);
                    match qr {
                        Some(qr) => {
                            temporary.try_set(Some(Temporary {
                                qr,
                                until: until_words(code.expire_date_time.as_deref()),
                            }));
                        }
                        None => {
                            news.try_set(Some("Graph created the temporary code but did not return it: delete the temporary code and create it again.".into()));
                        }
                    }
                    refresh(f.user.id.clone());
                }
                Err(e) => {
                    failure.try_set(Some((e, Operation::ReadUser)));
                }
            }
        });
    };
    let delete = move |temporary_only: bool| {
        let Some(f) = found.get_untracked() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let req = if temporary_only {
                api::delete_temporary_qr(&f.user.id)
            } else {
                api::delete_badge(&f.user.id)
            };
            let r = ctx.graph().send(req).await;
            busy.try_set(false);
            match r {
                Ok(()) => {
                    news.try_set(Some(if temporary_only {
                        format!("{}'s temporary QR code was deleted.", f.user.name())
                    } else {
                        format!(
                            "{}'s badge was deleted: it no longer signs in.",
                            f.user.name()
                        )
                    }));
                    refresh(f.user.id.clone());
                }
                Err(e) => {
                    failure.try_set(Some((e, Operation::ReadUser)));
                }
            }
        });
    };
    view! {
        <section class="badges__one" aria-labelledby="badges-one-title">
            <h3 id="badges-one-title">"One user's badge"</h3>
            <p class="field__hint">"A temporary QR code stands in for a forgotten badge for a few hours; the user keeps their PIN."</p>
            <div class="command-bar">
                <label class="field">
                    <span class="field__label">"User"</span>
                    <input id="badges-one-user" type="text" spellcheck="false" autocomplete="off" placeholder="name@contoso.com"
                        prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))
                        on:keydown=move |ev| if ev.key() == "Enter" { lookup(()) } />
                </label>
                <button type="button" id="badges-one-lookup" class="button" on:click=move |_| lookup(()) disabled=move || busy.get()>"Look up"</button>
            </div>
            <p id="badges-one-news" class="status" role="status">{move || news.get()}</p>
            {move || failure.get().map(|(e, op)| view! { <GraphErrorView error=e action=op /> })}
            {move || found.get().map(|f| {
                let now = browser::now_ms();
                let name = f.user.name().to_owned();
                let state = match &f.badge {
                    _ if f.refusal.is_some() => String::new(),
                    None => format!("{name} has no badge: create one with the list above."),
                    Some(m) => {
                        let std = m.standard_qr_code.as_ref().map(|c| format!("Badge valid until {}.", until_words(c.expire_date_time.as_deref()))).unwrap_or_else(|| "No standard badge code.".into());
                        let tmp = m.temporary_qr_code.as_ref().map(|c| format!(" Temporary code valid until {}.", until_words(c.expire_date_time.as_deref()))).unwrap_or_default();
                        format!("{std}{tmp}")
                    }
                };
                let temp_refused = temporary_refusal(&name, f.badge.as_ref(), now);
                let refused_hint = temp_refused.clone();
                let has_badge = f.badge.is_some();
                let has_temporary = f.badge.as_ref().is_some_and(|m| m.temporary_qr_code.is_some());
                view! {
                    <div id="badges-one-found" class="badges__found">
                        <p><strong>{name.clone()}</strong>" "<span class="results__upn">{f.user.user_principal_name.clone().unwrap_or_default()}</span></p>
                        <p id="badges-one-state">{state}</p>
                        {match f.refusal.clone() {
                            Some(why) => view! { <p id="badges-one-refusal" class="notice notice--warning">{why}</p> }.into_any(),
                            None => view! {
                                <div class="command-bar">
                                    <label class="field">
                                        <span class="field__label">"Temporary code for (hours)"</span>
                                        <select id="badges-one-hours" on:change=move |ev| hours.set(event_target_value(&ev))>
                                            {TEMPORARY_HOURS.map(|h| view! { <option value=h.to_string() selected=move || hours.get() == h.to_string()>{h}</option> }).collect_view()}
                                        </select>
                                    </label>
                                    <button type="button" id="badges-one-temporary" class="button" disabled=move || busy.get() || temp_refused.is_some()
                                        on:click=give_temporary>"Temporary QR code"</button>
                                    <Show when=move || has_temporary>
                                        <button type="button" id="badges-one-delete-temporary" class="button" disabled=move || busy.get()
                                            on:click=move |_| delete(true)>"Delete temporary code"</button>
                                    </Show>
                                    <Show when=move || has_badge>
                                        <button type="button" id="badges-one-delete" class="button button--danger" disabled=move || busy.get()
                                            on:click=move |_| confirm_delete.set(true)>"Delete badge"</button>
                                    </Show>
                                </div>
                                {refused_hint.map(|why| view! { <p id="badges-one-temporary-refused" class="field__hint">{why}</p> })}
                                <Show when=move || confirm_delete.get()>
                                    <div id="badges-one-confirm" class="notice notice--warning" role="alertdialog" aria-labelledby="badges-one-confirm-text">
                                        <p id="badges-one-confirm-text">"Delete this badge, its temporary code and its PIN? The badge stops signing in at once."</p>
                                        <button type="button" id="badges-one-delete-yes" class="button button--danger" on:click=move |_| delete(false)>"Delete"</button>
                                        " "
                                        <button type="button" id="badges-one-delete-no" class="button" on:click=move |_| confirm_delete.set(false)>"Keep"</button>
                                    </div>
                                </Show>
                            }.into_any(),
                        }}
                    </div>
                }
            })}
            {move || temporary.get().map(|t| {
                let svg = badge::qr_svg(t.qr.expose());
                view! {
                    <div id="temporary-sheet" class="print-root badges__temporary">
                        <p>{format!("Temporary QR code, valid until {}. Shown once: let the user scan it, or print it.", t.until)}</p>
                        {svg.map(|svg| view! { <div class="badge-card__qr" role="img" aria-label="Temporary sign-in QR code" inner_html=svg></div> })}
                        <div class="command-bar print-root__controls">
                            <button type="button" id="badges-one-print" class="button" on:click=move |_| if let Some(w) = web_sys::window() { let _ = w.print(); }>"Print"</button>
                            <button type="button" id="badges-one-done" class="button button--primary" on:click=move |_| temporary.set(None)>"Done"</button>
                        </div>
                    </div>
                }
            })}
        </section>
    }
}
