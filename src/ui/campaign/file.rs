//! The campaign this browser keeps (issue 15 point 3): its waves and each user's stage, kept in
//! localStorage (object ids and times only) and carried to a colleague or another day as a
//! JSON file; an import that fails says why and changes nothing.

use leptos::prelude::*;

use super::super::{browser, Ctx};
use crate::campaign::members::Member;
use crate::campaign::store::{self, Campaign};
use crate::storage;

/// The campaign kept in this browser (a new one when none is kept or the kept one is
/// unreadable), saved again on every change; the users of its waves the tracker follows are
/// noted as issued (so the file carries it to another browser).
pub fn kept(ctx: Ctx) -> RwSignal<Campaign> {
    let now = browser::now_ms();
    let campaign = RwSignal::new(
        storage::get(storage::CAMPAIGN)
            .and_then(|t| store::read(&t).ok())
            .unwrap_or_else(|| Campaign::new(now)),
    );
    Effect::new(move |_| {
        let c = campaign.get();
        if c.waves.is_empty() {
            storage::remove(storage::CAMPAIGN);
        } else {
            storage::set(storage::CAMPAIGN, &c.to_json());
        }
    });
    Effect::new(move |_| {
        let tracked = ctx.tracked_since();
        let mut c = campaign.get_untracked();
        if c.note_issued(&tracked) {
            campaign.set(c);
        }
    });
    campaign
}

/// Records a wave of `ids` (those not yet in a wave), starting at `starts` (epoch ms) if set.
pub fn record_wave(campaign: RwSignal<Campaign>, ids: Vec<String>, starts: Option<f64>) {
    let now = browser::now_ms();
    campaign.update(|c| {
        let _ = c.add_wave(&ids, now, starts);
    });
}

/// The file's name: `tapdesk-campaign-YYYY-MM-DD.json`, today in the admin's zone.
fn file_name() -> String {
    let now = browser::now_ms();
    let d = crate::campaign::classify::CivilDate::at(now, browser::offset_minutes(now, None));
    format!(
        "tapdesk-campaign-{:04}-{:02}-{:02}.json",
        d.year, d.month, d.day
    )
}

/// Stage counts, the waves, Export and Import.
#[component]
pub fn CampaignFile(
    ctx: Ctx,
    campaign: RwSignal<Campaign>,
    members: Signal<Vec<Member>>,
) -> impl IntoView {
    let news: RwSignal<Option<String>> = RwSignal::new(None);
    let refusal: RwSignal<Option<String>> = RwSignal::new(None);
    let export = move |_| {
        let json = campaign.with_untracked(Campaign::to_json);
        if browser::download(&file_name(), "application/json", &json) {
            refusal.set(None);
            news.set(Some("The campaign was saved as a file.".into()));
        } else {
            refusal.set(Some(
                "The browser did not save the file. Try again, or allow downloads for this page."
                    .into(),
            ));
        }
    };
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            let read = match text {
                Some(t) => store::read(&t),
                None => Err("The file could not be read as text. Choose the campaign file tapdesk exported; your campaign here is unchanged.".into()),
            };
            match read {
                Ok(other) => {
                    let waves = other.waves.len();
                    campaign.update(|c| c.merge(other));
                    // The tracker follows on here whoever got a pass elsewhere.
                    let known: Vec<String> = untrack(|| ctx.tracked_since())
                        .into_iter()
                        .map(|(id, _)| id)
                        .collect();
                    let follow: Vec<String> = campaign.with_untracked(|c| {
                        c.issued
                            .iter()
                            .map(|i| i.user_id.clone())
                            .filter(|id| !known.iter().any(|k| k.eq_ignore_ascii_case(id)))
                            .collect()
                    });
                    ctx.track(&follow);
                    refusal.set(None);
                    news.set(Some(format!(
                        "Imported {waves} wave{}; the campaign continues with {} users.",
                        if waves == 1 { "" } else { "s" },
                        campaign.with_untracked(|c| c.users().len())
                    )));
                }
                Err(sentence) => {
                    news.set(None);
                    refusal.set(Some(sentence));
                }
            }
        });
    };
    let stages = move || {
        let tracked: Vec<String> = ctx.tracked_since().into_iter().map(|(id, _)| id).collect();
        members.with(|m| campaign.with(|c| store::stages(c, m, &tracked)))
    };

    view! {
        <section id="campaign-file" class="campaign__file" aria-labelledby="campaign-file-title">
            <h3 id="campaign-file-title">"This campaign"</h3>
            {move || {
                let c = campaign.get();
                if c.waves.is_empty() {
                    return view! { <p id="campaign-no-wave" class="field__hint">"No wave yet: hand a wave to Many users, or import a campaign a colleague exported."</p> }.into_any();
                }
                let total = c.users().len();
                view! {
                    <p id="campaign-stage-words">{format!("{total} users in {} wave{}.", c.waves.len(), if c.waves.len() == 1 { "" } else { "s" })}</p>
                    <table id="campaign-stages" class="table">
                        <caption class="visually-hidden">"Users per stage"</caption>
                        <thead><tr><th scope="col">"Stage"</th><th scope="col">"Users"</th></tr></thead>
                        <tbody>
                            {stages().into_iter().map(|(s, n)| view! {
                                <tr data-stage=format!("{s:?}")><th scope="row">{s.label()}</th><td class="campaign__count">{n}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Waves">
                        <table id="campaign-waves" class="table">
                            <thead><tr><th scope="col">"Wave"</th><th scope="col">"Picked"</th><th scope="col">"Passes start"</th><th scope="col">"Users"</th></tr></thead>
                            <tbody>
                                {c.waves.iter().map(|w| view! {
                                    <tr class="campaign__wave-row">
                                        <td>{w.number}</td>
                                        <td>{browser::local_datetime(w.created)}</td>
                                        <td>{w.starts.map(browser::local_datetime).unwrap_or_else(|| "When issued".into())}</td>
                                        <td>{w.user_ids.len()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <div class="command-bar">
                <button type="button" id="campaign-file-export" class="button" on:click=export
                    disabled=move || campaign.with(|c| c.waves.is_empty())>"Export campaign file"</button>
                <label class="field">
                    <span class="field__label">"Import a campaign file"</span>
                    <input id="campaign-file-import" type="file" accept=".json,application/json" on:change=on_file />
                </label>
            </div>
            <p class="field__hint">"The file holds the waves' users (object ids) and times, never a pass."</p>
            {move || refusal.get().map(|r| view! { <p id="campaign-file-refused" class="notice notice--error" role="alert">{r}</p> })}
            <p id="campaign-file-news" class="status" role="status">{move || news.get().unwrap_or_default()}</p>
        </section>
    }
}
