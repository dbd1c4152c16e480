//! The Campaign screen (issue 15): who depends on a phone before SMS and voice stop. Reads the
//! registration report (permission asked for here, on first use) and the directory's
//! departments, or the members of the admin's administrative units; shows counts per class, a
//! small bar chart with its words, the days left; lists the members, filtered, searched,
//! sorted, exported as CSV; hands a slice (a wave) to Many users.

use std::collections::HashSet;

use leptos::prelude::*;

mod file;
pub mod wave;
mod within;

use super::{browser, Ctx, GraphErrorView};
use crate::campaign::classify::{days_left, CivilDate, Counts};
use crate::campaign::members::{self, ClassChoice, Member, Query, Sort};
use crate::campaign::store;
use crate::graph::models::User;
use crate::graph::paging::all_pages;
use crate::graph::{api, GraphError};
use crate::messages::Operation;
use crate::permission;

/// The permission the report needs (Learn: no higher one).
const PERMISSIONS: &[&str] = &[permission::AUDIT_LOG_READ.name];

/// At most this many rows are drawn (the export has all of them).
const DRAWN: usize = 200;

/// The size a wave starts with.
const WAVE: usize = 50;

/// What the screen read.
#[derive(Clone, Default)]
struct Read {
    members: Vec<Member>,
    counts: Counts,
    departments: Vec<String>,
}

/// Reads the directory users the campaign may offer: the whole tenant, or the members of the
/// admin's units (`Some(ids)`) with the set of their ids.
async fn offered_users(
    ctx: Ctx,
    units: Option<Vec<String>>,
) -> Result<(Vec<User>, Option<HashSet<String>>), GraphError> {
    let graph = ctx.graph();
    match units {
        None => Ok((
            all_pages(api::users_page(), |r| graph.send(r), |_| true).await?,
            None,
        )),
        Some(units) => {
            let mut users = Vec::new();
            for unit in units {
                users.extend(
                    all_pages(api::unit_members(&unit), |r| graph.send(r), |_| true).await?,
                );
            }
            let ids = users.iter().map(|u| u.id.clone()).collect();
            Ok((users, Some(ids)))
        }
    }
}

/// The Campaign tab; reads the report the first time it is shown with the permission.
#[component]
pub fn CampaignPage(ctx: Ctx, active: Signal<bool>) -> impl IntoView {
    let permitted = PERMISSIONS.iter().all(|p| ctx.may(p));
    let read: RwSignal<Option<Read>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let failure: RwSignal<Option<(GraphError, Operation)>> = RwSignal::new(None);
    let class: RwSignal<Option<ClassChoice>> = RwSignal::new(None);
    let department: RwSignal<Option<String>> = RwSignal::new(None);
    let text = RwSignal::new(String::new());
    let sort = RwSignal::new(Sort::Name);
    let wave_size = RwSignal::new(WAVE.to_string());
    let export_failed = RwSignal::new(false);
    // Why Hand this wave did nothing (every user shown is in a wave already, or none is shown).
    let wave_empty: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let campaign = file::kept(ctx);
    // A group's or a unit's members only (tenant-wide admins; a unit-scoped admin's list is
    // their units already).
    let members_of: RwSignal<within::Within> = RwSignal::new(None);
    let tenant_wide = ctx.scope.with_untracked(|k| k.unit_ids()).is_none();

    let load = move || {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let units = ctx.scope.with_untracked(|k| k.unit_ids());
        leptos::task::spawn_local(async move {
            let graph = ctx.graph();
            let report =
                all_pages(api::registration_report(None), |r| graph.send(r), |_| true).await;
            let result = match report {
                Err(e) => Err((e, Operation::ReadRegistrationReport)),
                Ok(rows) => match offered_users(ctx, units).await {
                    Err(e) => Err((e, Operation::Search)),
                    Ok((users, offered)) => {
                        let list = members::members(&rows, &users, offered.as_ref());
                        Ok(Read {
                            counts: members::counts(&list),
                            departments: members::departments(&list),
                            members: list,
                        })
                    }
                },
            };
            busy.set(false);
            match result {
                Ok(r) => read.set(Some(r)),
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    Effect::new(move |_| {
        if permitted
            && active.get()
            && read.with_untracked(Option::is_none)
            && failure.with_untracked(Option::is_none)
        {
            load();
        }
    });
    let grant = move |_| ctx.grant(PERMISSIONS);
    let offer = ctx.session.with_value(|s| {
        crate::tap::guard::grant_offer(
            permission::AUDIT_LOG_READ.name,
            s.account().roles.as_deref(),
        )
    });
    let query = move || Query {
        class: class.get(),
        department: department.get(),
        text: text.get(),
        sort: sort.get(),
        within: members_of.with(|w| w.as_ref().map(|(_, ids)| ids.clone())),
    };
    let now = browser::now_ms();
    let today = CivilDate::at(now, browser::offset_minutes(now, None));
    let days = members::days_words(days_left(today));
    let export = move |_| {
        let q = query();
        let csv = read.with_untracked(|r| {
            r.as_ref()
                .map(|r| members::csv(&members::shown(&r.members, &q)))
        });
        if let Some(csv) = csv {
            export_failed.set(!browser::download(
                "tapdesk-campaign.csv",
                "text/csv;charset=utf-8",
                &csv,
            ));
        }
    };
    let hand_over = move |_| {
        let size = wave_size
            .get_untracked()
            .trim()
            .parse::<usize>()
            .unwrap_or(WAVE)
            .max(1);
        let q = query();
        // The next users shown that no wave holds yet; the wave is kept in the campaign.
        let picked = read.with_untracked(|r| {
            r.as_ref().map(|r| {
                let shown = members::shown(&r.members, &q);
                let next = campaign.with_untracked(|c| store::slice(&shown, c, size));
                let ids: Vec<String> = next.iter().map(|m| m.id.clone()).collect();
                (ids, members::wave_input(&next, size))
            })
        });
        match picked {
            Some((ids, names)) if !ids.is_empty() => {
                wave_empty.set(None);
                file::record_wave(campaign, ids, None);
                ctx.wave.set(Some(names));
            }
            _ => wave_empty.set(Some(members::NO_WAVE)),
        }
    };

    view! {
        <section class="card campaign" aria-labelledby="campaign-title">
            <h2 id="campaign-title">"Campaign"</h2>
            <p>"Who still depends on a phone for sign-in before Microsoft stops SMS and voice for multifactor authentication and password reset. A Temporary Access Pass lets each of them register a passkey."</p>
            <p id="campaign-days" class="campaign__days">{days}</p>
            {(!permitted).then(|| view! {
                <div id="campaign-consent" class="notice">
                    <p>"Reading who registered which method needs the permission AuditLog.Read.All, a role that reads reports (Reports Reader, Security Reader, Security Administrator or Global Reader) and a Microsoft Entra ID P1 or P2 licence in the tenant."</p>
                    {match offer.clone() {
                        Ok(()) => view! { <button type="button" id="campaign-grant" class="button" on:click=grant>"Grant permission"</button> }.into_any(),
                        Err(who) => view! { <p id="campaign-grant-role">{who}</p> }.into_any(),
                    }}
                </div>
            })}
            {move || failure.get().map(|(e, op)| view! {
                <div id="campaign-failed">
                    <GraphErrorView error=e action=op />
                    <button type="button" id="campaign-retry" class="button" on:click=move |_| load()>"Try again"</button>
                </div>
            })}
            <p id="campaign-news" class="status" role="status">{move || {
                if busy.get() {
                    "Reading the registration report…".to_owned()
                } else {
                    read.with(|r| r.as_ref().map(|r| format!("{} users read.", r.counts.total())).unwrap_or_default())
                }
            }}</p>
            {move || read.get().map(|r| view! {
                <Summary counts=r.counts.clone() />
                <file::CampaignFile ctx=ctx campaign=campaign
                    members=Signal::derive(move || read.with(|r| r.as_ref().map(|r| r.members.clone()).unwrap_or_default())) />
                <div class="campaign__filters command-bar">
                    <label class="field">
                        <span class="field__label">"Class"</span>
                        <select id="campaign-class" on:change=move |ev| class.set(ClassChoice::from_key(&event_target_value(&ev)))>
                            <option value="">"Every class"</option>
                            {ClassChoice::all().into_iter().map(|(key, c)| view! { <option value=key>{c.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Department"</span>
                        <select id="campaign-department" on:change=move |ev| {
                            let v = event_target_value(&ev);
                            department.set((!v.is_empty()).then_some(v));
                        }>
                            <option value="">"Every department"</option>
                            {r.departments.iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Name"</span>
                        <input id="campaign-search" type="search" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                    </label>
                    <label class="field">
                        <span class="field__label">"Sort by"</span>
                        <select id="campaign-sort" on:change=move |ev| sort.set(Sort::from_key(&event_target_value(&ev)))>
                            <option value="name">"Name"</option>
                            <option value="department">"Department"</option>
                            <option value="class">"Class"</option>
                        </select>
                    </label>
                    <button type="button" id="campaign-export" class="button" on:click=export>"Export CSV"</button>
                </div>
                {tenant_wide.then(|| view! { <within::MembersOf ctx=ctx within=members_of /> })}
                {move || export_failed.get().then(|| view! { <p class="notice notice--error" role="alert">"The browser did not save the file. Try again, or allow downloads for this page."</p> })}
                <div class="campaign__wave command-bar">
                    <label class="field">
                        <span class="field__label">"Wave size"</span>
                        <input id="campaign-wave-size" type="number" min="1" inputmode="numeric" prop:value=move || wave_size.get() on:input=move |ev| wave_size.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" id="campaign-wave" class="button button--primary" on:click=hand_over>"Hand this wave to Many users"</button>
                    <p class="field__hint">"The first users of the list as filtered and sorted, not yet in a wave, go to Many users, where Check runs the dry run before any pass is created."</p>
                    <p id="campaign-wave-empty" class="status" role="status">{move || wave_empty.get()}</p>
                </div>
            })}
            {move || {
                let q = query();
                read.with(|r| r.as_ref().map(|r| {
                    let shown = members::shown(&r.members, &q);
                    let total = shown.len();
                    let rows: Vec<Member> = shown.into_iter().take(DRAWN).cloned().collect();
                    view! { <MemberList rows=rows total=total /> }
                }))
            }}
        </section>
    }
}

/// Counts per class, the chart, and the chart's words.
#[component]
fn Summary(counts: Counts) -> impl IntoView {
    let bars = members::bars(&counts);
    let words = members::chart_words(&counts);
    let phone_only = counts.phone_only();
    let total = counts.total();
    const ROW: f64 = 22.0;
    let height = ROW * bars.len() as f64;
    view! {
        <div class="campaign__summary">
            <p id="campaign-phone-only" class="campaign__headline">
                {format!("{phone_only} of {total} users depend on a phone alone.")}
            </p>
            <table id="campaign-counts" class="table campaign__counts">
                <caption class="visually-hidden">"Users per class"</caption>
                <thead><tr><th scope="col">"Class"</th><th scope="col">"Users"</th></tr></thead>
                <tbody>
                    {counts.rows().into_iter().map(|(c, n)| view! {
                        <tr data-class=members::class_key(c)><th scope="row">{c.label()}</th><td class="campaign__count">{n}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <figure class="campaign__chart">
                <svg id="campaign-chart" role="img" aria-label=words.clone() viewBox=format!("0 0 100 {height}") preserveAspectRatio="none" width="100%" height=format!("{height}px")>
                    {bars.into_iter().enumerate().map(|(i, b)| {
                        let y = i as f64 * ROW + 3.0;
                        view! {
                            <rect class=format!("campaign__bar campaign__bar--{}", members::class_key(b.class)) x="0" y=y.to_string() width=format!("{:.2}", b.percent.max(0.5)) height=(ROW - 6.0).to_string()>
                                <title>{format!("{}: {}", b.class.label(), b.count)}</title>
                            </rect>
                        }
                    }).collect_view()}
                </svg>
                <figcaption id="campaign-chart-words" class="field__hint">{words}</figcaption>
            </figure>
        </div>
    }
}

/// The members shown, the first [`DRAWN`] of them drawn.
#[component]
fn MemberList(rows: Vec<Member>, total: usize) -> impl IntoView {
    let note = if total > rows.len() {
        format!(
            "{total} users match; the first {} are shown here, the export has all of them.",
            rows.len()
        )
    } else if total == 1 {
        "1 user matches.".to_owned()
    } else {
        format!("{total} users match.")
    };
    view! {
        <p id="campaign-shown" class="status">{note}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Members of the campaign">
            <table id="campaign-list" class="table">
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Sign-in name"</th><th scope="col">"Department"</th><th scope="col">"Class"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|m| view! {
                        <tr class="campaign__row" data-class=members::class_key(m.class) data-id=m.id.clone()>
                            <td>{m.name}</td><td>{m.upn}</td><td>{m.department.unwrap_or_default()}</td><td>{m.class.label()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
