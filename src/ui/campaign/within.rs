//! The Campaign list's "members of" filter for tenant-wide admins (issue 15 point 1): a group
//! (found by name, its members read with nested groups, `GroupMember.Read.All` asked for on
//! first use) or an administrative unit (the tenant's units listed, `AdministrativeUnit.Read.All`
//! asked for on first use). The pick narrows the list to those members' object ids.

use std::collections::HashSet;

use leptos::prelude::*;

use super::super::{find_groups, Ctx, GraphErrorView};
use crate::graph::api::{self, AdministrativeUnit};
use crate::graph::models::Group;
use crate::graph::paging::all_pages;
use crate::graph::GraphError;
use crate::messages::Operation;
use crate::permission;

/// What the list is narrowed to: its name and its members' ids (lower case).
pub type Within = Option<(String, HashSet<String>)>;

fn ids(users: &[crate::graph::models::User]) -> HashSet<String> {
    users.iter().map(|u| u.id.to_lowercase()).collect()
}

/// The group and unit pickers; `within` is set when a pick's members are read.
#[component]
pub fn MembersOf(ctx: Ctx, within: RwSignal<Within>) -> impl IntoView {
    let group_text = RwSignal::new(String::new());
    let groups: RwSignal<Vec<Group>> = RwSignal::new(Vec::new());
    let units: RwSignal<Option<Vec<AdministrativeUnit>>> = RwSignal::new(None);
    let failed: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let reading = RwSignal::new(false);
    let may_groups = ctx.may(permission::GROUP_MEMBERS_READ.name);
    let may_units = ctx.may(permission::UNITS_READ.name);
    if may_units {
        leptos::task::spawn_local(async move {
            let graph = ctx.graph();
            match all_pages(api::list_units(), |r| graph.send(r), |_| true).await {
                Ok(list) => {
                    units.try_set(Some(list));
                }
                Err(e) => {
                    failed.try_set(Some(e));
                }
            }
        });
    }
    let find = move |_| find_groups(ctx, group_text.get_untracked(), groups, failed);
    let read = move |name: String, group: Option<String>, unit: Option<String>| {
        reading.set(true);
        failed.set(None);
        leptos::task::spawn_local(async move {
            let graph = ctx.graph();
            let members = match (group, unit) {
                (Some(g), _) => graph.all_pages(api::group_members(&g), |_| true).await,
                (_, Some(u)) => all_pages(api::unit_members(&u), |r| graph.send(r), |_| true).await,
                _ => Ok(vec![]),
            };
            reading.try_set(false);
            match members {
                Ok(users) => {
                    within.try_set(Some((name, ids(&users))));
                }
                Err(e) => {
                    failed.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="campaign__within command-bar">
            {if may_groups {
                view! {
                    <label class="field">
                        <span class="field__label">"Group"</span>
                        <input id="campaign-group" type="search" placeholder="Group name" prop:value=move || group_text.get()
                            on:input=move |ev| group_text.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { find(()) } />
                    </label>
                    <button type="button" id="campaign-group-find" class="button" on:click=move |_| find(())>"Find group"</button>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="campaign-group-grant" class="button" on:click=move |_| ctx.grant(&[permission::GROUP_MEMBERS_READ.name])>
                        "Filter by group (grant permission)"</button>
                }.into_any()
            }}
            {if may_units {
                view! {
                    <label class="field">
                        <span class="field__label">"Administrative unit"</span>
                        <select id="campaign-unit" on:change=move |ev| {
                            let id = event_target_value(&ev);
                            if id.is_empty() {
                                within.set(None);
                            } else {
                                let name = units.with_untracked(|u| u.as_ref().and_then(|u| u.iter().find(|x| x.id == id)).and_then(|x| x.display_name.clone())).unwrap_or_else(|| id.clone());
                                read(name, None, Some(id));
                            }
                        }>
                            <option value="">"Every unit"</option>
                            {move || units.get().unwrap_or_default().into_iter().map(|u| {
                                let name = u.display_name.clone().unwrap_or_else(|| u.id.clone());
                                view! { <option value=u.id>{name}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="campaign-unit-grant" class="button" on:click=move |_| ctx.grant(&[permission::UNITS_READ.name])>
                        "Filter by administrative unit (grant permission)"</button>
                }.into_any()
            }}
        </div>
        <ul class="results campaign__groups" aria-label="Matching groups">
            {move || groups.get().into_iter().map(|g| {
                let name = g.display_name.clone().unwrap_or_else(|| g.id.clone());
                let (id, label) = (g.id.clone(), name.clone());
                view! { <li><button type="button" class="button button--quiet campaign__group-pick" on:click=move |_| read(label.clone(), Some(id.clone()), None)>{name}</button></li> }
            }).collect_view()}
        </ul>
        <p id="campaign-within" class="status" role="status">{move || {
            if reading.get() {
                "Reading the members…".to_owned()
            } else {
                within.with(|w| w.as_ref().map(|(name, ids)| format!("Members of {name} only ({} users).", ids.len())).unwrap_or_default())
            }
        }}
        {move || within.with(|w| w.is_some()).then(|| view! {
            " "<button type="button" id="campaign-within-clear" class="button button--quiet" on:click=move |_| { within.set(None); groups.set(Vec::new()); }>"Show everyone"</button>
        })}</p>
        {move || failed.get().map(|e| view! { <GraphErrorView error=e action=Operation::Search /> })}
    }
}
