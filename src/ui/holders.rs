//! The "Pass holders" screen: who in the tenant, a group or a search result holds a pass now
//! (paged, batched, with progress and cancel), sortable and filterable, and deletion of the
//! passes of a selection with a confirmation and a summary.
//!
//! Focus and announcements: the status line is the live region of the scan (busy while it
//! runs, so its progress is not read out) and takes focus when the scan ends; the
//! confirmation takes focus on its first button (Cancel) and gives it back to the delete
//! button when it closes (Escape too); the deletion's summary is live and takes focus.

use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::config::{GROUP_PERMISSION, WRITE_PERMISSION};
use crate::graph::models::{Group, User};
use crate::graph::{api, GraphError};
use crate::holders::{self, Candidates, Filter, Holder, Revoked, Sort, Source};
use crate::messages::{self, count, Operation};
use crate::permission::AUDIT_LOG_READ;
use crate::tap::duration_words;

/// Lists the users of `source` (every page), saying how many so far in `status`.
async fn list_users(
    ctx: Ctx,
    source: Source,
    text: String,
    group: Option<Group>,
    status: RwSignal<String>,
    cancel: RwSignal<bool>,
) -> Result<Vec<User>, GraphError> {
    if let Some(units) = ctx.scope.with_untracked(crate::scope::Known::unit_ids) {
        return list_unit_users(ctx, &units, source, text, group, status, cancel).await;
    }
    if source == Source::Search {
        return ctx.graph().send(api::search_users(&text, 999)).await;
    }
    let first = match (source, group) {
        (Source::Group, g) => api::group_members(&g.map(|g| g.id).unwrap_or_default()),
        _ => api::users_page(),
    };
    ctx.graph()
        .all_pages(first, |count| {
            status.set(format!("Listing users… {count}"));
            !cancel.get_untracked()
        })
        .await
}

/// [`list_users`] for an admin scoped to units (issue 16): the units' members only (all of
/// them, those a search finds, or the group's members among them).
async fn list_unit_users(
    ctx: Ctx,
    units: &[String],
    source: Source,
    text: String,
    group: Option<Group>,
    status: RwSignal<String>,
    cancel: RwSignal<bool>,
) -> Result<Vec<User>, GraphError> {
    let mut lists = vec![];
    for unit in units {
        let found = if source == Source::Search {
            ctx.graph()
                .send(api::search_unit_members(unit, &text, 999))
                .await?
        } else {
            ctx.graph()
                .all_pages(api::unit_members(unit), |count| {
                    status.set(format!("Listing your units' users… {count}"));
                    !cancel.get_untracked()
                })
                .await?
        };
        lists.push(found);
    }
    let members = crate::scope::merge_unit_results(lists, usize::MAX);
    if source != Source::Group {
        return Ok(members);
    }
    let in_group = ctx
        .graph()
        .all_pages(
            api::group_members(&group.map(|g| g.id).unwrap_or_default()),
            |_| !cancel.get_untracked(),
        )
        .await?;
    Ok(crate::scope::among(in_group, &members))
}

/// The users the registration report lists with a pass (issue 15 point 6), every page,
/// saying how many so far in `status`.
async fn report_candidates(
    ctx: Ctx,
    status: RwSignal<String>,
    cancel: RwSignal<bool>,
) -> Result<Vec<User>, GraphError> {
    let filter = api::registered_filter(holders::PASS_IN_REPORT);
    let rows = ctx
        .graph()
        .all_pages(api::registration_report(Some(&filter)), |count| {
            status.set(format!("Reading the registration report… {count}"));
            !cancel.get_untracked()
        })
        .await?;
    Ok(holders::report_users(rows))
}

/// The scan's result as the table shows it: found holders, filter, order and selection.
#[derive(Clone, Copy)]
struct Table {
    found: RwSignal<Option<Vec<Holder>>, LocalStorage>,
    filter: RwSignal<Filter>,
    order: RwSignal<Sort>,
    selected: RwSignal<Vec<String>>,
}

impl Table {
    /// The rows shown: filtered and sorted.
    fn shown(self) -> Vec<Holder> {
        let (f, o) = (self.filter.get(), self.order.get());
        self.found
            .with(|h| holders::shown(h.as_deref().unwrap_or_default(), f, o))
    }

    /// What the delete button acts on: shown (filtered) and selected rows only.
    fn chosen(self) -> holders::Chosen {
        self.selected
            .with(|ids| holders::chosen(&self.shown(), ids))
    }
}

/// The Pass holders tab.
#[component]
pub fn PassHolders(ctx: Ctx) -> impl IntoView {
    let source = RwSignal::new(Source::Tenant);
    let text = RwSignal::new(String::new());
    let group: RwSignal<Option<Group>> = RwSignal::new(None);
    let scanning = RwSignal::new(false);
    let cancel = RwSignal::new(false);
    let status = RwSignal::new(String::new());
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    // Issue 15: candidates from the registration report, when it may be read.
    let may_report = ctx.may(AUDIT_LOG_READ.name);
    let use_report = RwSignal::new(true);
    let report_note: RwSignal<Option<String>> = RwSignal::new(None);
    let table = Table {
        found: RwSignal::new_local(None),
        filter: RwSignal::new(Filter::default()),
        order: RwSignal::new(Sort::Standing),
        selected: RwSignal::new(Vec::new()),
    };
    // Deletes exactly the users the confirmation named; by object id, deleted and already-gone
    // passes leave the table and failures stay selected.
    let revoke = Action::new_local(move |chosen: &Vec<Holder>| {
        let chosen = chosen.clone();
        status.set(format!(
            "Deleting {}…",
            count(chosen.len(), "pass", "passes")
        ));
        async move {
            let answers = ctx
                .graph()
                .send_all(
                    holders::revoke_items(&chosen),
                    || false,
                    |done, total| {
                        status.set(format!("Deleted {done} of {total}…"));
                    },
                )
                .await;
            let outcome = holders::revoked(&chosen, |id| answers.get(id).cloned());
            let mut ids = table.selected.get_untracked();
            table.found.update(|h| {
                if let Some(list) = h {
                    holders::after_revoke(list, &mut ids, &chosen, &outcome);
                }
            });
            table.selected.set(ids);
            status.set(String::new());
            browser::focus_soon("#holders-summary");
            outcome
        }
    });
    let busy = Signal::derive(move || scanning.get() || revoke.pending().get());

    let scan = move |_| {
        if busy.get_untracked() {
            return;
        }
        let (src, q, g) = (
            source.get_untracked(),
            text.get_untracked(),
            group.get_untracked(),
        );
        if let Some(refusal) = holders::scan_refusal(src, &q, g.is_some()) {
            status.set(refusal.into());
            return;
        }
        scanning.set(true);
        cancel.set(false);
        failure.set(None);
        revoke.clear();
        table.selected.set(Vec::new());
        table.found.set(None);
        report_note.set(None);
        // The last scan's line goes at once: nobody reads it as this scan's result.
        status.set(String::new());
        // "Check passes" is disabled while it runs: focus goes to the status line at once.
        browser::focus_soon("#holders-status");
        let unit_scoped = ctx
            .scope
            .with_untracked(|k| crate::scope::Known::unit_ids(k).is_some());
        let how = holders::candidates(src, unit_scoped, may_report, use_report.get_untracked());
        leptos::task::spawn_local(async move {
            let listed = match how {
                Candidates::Everyone => list_users(ctx, src, q, g, status, cancel).await,
                Candidates::FromReport => match report_candidates(ctx, status, cancel).await {
                    Ok(users) => {
                        report_note.set(Some(holders::report_words(users.len())));
                        Ok(users)
                    }
                    Err(e) if holders::report_falls_back(&e) => {
                        report_note.set(Some(holders::report_refused_words(&e)));
                        list_users(ctx, src, q, g, status, cancel).await
                    }
                    Err(e) => Err(e),
                },
            };
            match listed {
                Err(e) => failure.set(Some(e)),
                Ok(users) => {
                    let total = users.len();
                    status.set(format!("Checked 0 of {total} users…"));
                    let answers = ctx
                        .graph()
                        .send_all(
                            holders::scan_items(&users),
                            move || cancel.get_untracked(),
                            |done, total| {
                                status.set(format!("Checked {done} of {total} users…"));
                            },
                        )
                        .await;
                    let result =
                        holders::found(&users, |id| answers.get(id).cloned(), browser::now_ms());
                    status.set(holders::scan_words(
                        cancel.get_untracked(),
                        answers.len(),
                        total,
                        result.holders.len(),
                        result.unreadable.len(),
                    ));
                    table.found.set(Some(result.holders));
                }
            }
            scanning.set(false);
            browser::focus_soon("#holders-status");
        });
    };
    let confirming: RwSignal<Option<Vec<Holder>>, LocalStorage> = RwSignal::new_local(None);

    view! {
        <section class="card" aria-labelledby="holders-title">
            <h2 id="holders-title">"Pass holders"</h2>
            <p>"Passes that are still present are a way into an account, for the user and for anyone who saw the pass. Check who holds one, and delete the passes that should not be there."</p>
            <HoldersSource ctx=ctx source=source text=text group=group failure=failure />
            <Show when=move || may_report && source.get() == Source::Tenant>
                <label class="field field--inline">
                    <input type="checkbox" id="holders-report" prop:checked=move || use_report.get() on:change=move |ev| use_report.set(event_target_checked(&ev)) />
                    <span>"Use the registration report: check only the users it lists with a pass (far fewer requests in a large tenant; the report may lag by up to a few hours)"</span>
                </label>
            </Show>
            <div class="holders__actions command-bar">
                <button type="button" id="holders-scan" class="button button--primary" disabled=move || busy.get() on:click=scan>"Check passes"</button>
                <Show when=move || busy.get()>
                    <button type="button" id="holders-cancel" class="button" on:click=move |_| cancel.set(true)>"Stop"</button>
                </Show>
                <Show when=move || table.found.with(Option::is_some)>
                    <DeleteButton ctx=ctx table=table busy=busy confirming=confirming />
                </Show>
            </div>
            <p id="holders-status" class="status" role="status" tabindex="-1" aria-busy=move || busy.get().to_string()>{move || status.get()}</p>
            {move || report_note.get().map(|n| view! { <p id="holders-report-note" class="notice">{n}</p> })}
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::Search /> })}
            {move || revoke.value().get().map(|s| view! { <RevokeSummary outcome=s /> })}
            <Show when=move || table.found.with(Option::is_some)>
                <DeleteConfirm ctx=ctx table=table revoke=revoke confirming=confirming />
            </Show>
            {move || {
                let empty = table.found.with(|f| f.as_ref().map(Vec::is_empty));
                match empty {
                    _ if busy.get() => None,
                    None => Some(holders::empty_words(false)),
                    Some(true) => Some(holders::empty_words(true)),
                    Some(false) => None,
                }
                .map(|words| view! { <p id="holders-empty" class="notice empty">{words}</p> })
            }}
            <Show when=move || table.found.with(|f| f.as_ref().is_some_and(|f| !f.is_empty()))>
                <HoldersFilters table=table />
                <HoldersTable table=table />
            </Show>
        </section>
    }
}

/// Where the users come from: the tenant, a group picked by name, or a search.
#[component]
fn HoldersSource(
    ctx: Ctx,
    source: RwSignal<Source>,
    text: RwSignal<String>,
    group: RwSignal<Option<Group>>,
    failure: RwSignal<Option<GraphError>>,
) -> impl IntoView {
    let may_group = ctx.may(GROUP_PERMISSION);
    let group_query = RwSignal::new(String::new());
    let groups: RwSignal<Vec<Group>> = RwSignal::new(Vec::new());
    let find_groups =
        move |_| super::find_groups(ctx, group_query.get_untracked(), groups, failure);
    let grant_groups = move |_| ctx.grant(&[GROUP_PERMISSION]);
    view! {
        <fieldset class="holders__source">
            <legend>"Check"</legend>
            <label class="field field--inline"><input type="radio" name="holders-source" id="holders-tenant" checked=true on:change=move |_| source.set(Source::Tenant) /><span>"Everyone in the tenant"</span></label>
            <label class="field field--inline"><input type="radio" name="holders-source" id="holders-group" on:change=move |_| source.set(Source::Group) /><span>"A group"</span></label>
            <label class="field field--inline"><input type="radio" name="holders-source" id="holders-search" on:change=move |_| source.set(Source::Search) /><span>"Users matching a search"</span></label>
        </fieldset>
        <Show when=move || source.get() == Source::Search>
            <label class="field">
                <span class="field__label">"Search (name, UPN or mail)"</span>
                <input id="holders-text" type="search" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
            </label>
        </Show>
        <Show when=move || source.get() == Source::Group>
            {if may_group {
                view! {
                    <div class="holders__group">
                        <label class="field">
                            <span class="field__label">"Group name"</span>
                            <input id="holders-group-query" type="search" prop:value=move || group_query.get() on:input=move |ev| group_query.set(event_target_value(&ev)) />
                        </label>
                        <button type="button" id="holders-group-find" class="button" on:click=find_groups>"Find"</button>
                        <ul class="results">
                            {move || groups.get().into_iter().map(|g| {
                                let pick = g.clone();
                                view! { <li><button type="button" class="button button--quiet holders-group-pick" on:click=move |_| group.set(Some(pick.clone()))>{g.display_name.clone().unwrap_or(g.id.clone())}</button></li> }
                            }).collect_view()}
                        </ul>
                        <p id="holders-group-picked">{move || group.get().map(|g| format!("Group: {}", g.display_name.unwrap_or(g.id)))}</p>
                    </div>
                }.into_any()
            } else {
                view! {
                    <div class="notice"><p>"Picking a group needs the permission GroupMember.Read.All."</p>
                        <button type="button" id="holders-grant-groups" class="button" on:click=grant_groups>"Grant permission"</button></div>
                }.into_any()
            }}
        </Show>
    }
}

/// What a deletion did, with Graph's reason for each pass it could not delete.
#[component]
fn RevokeSummary(outcome: Revoked) -> impl IntoView {
    view! {
        <div id="holders-summary" class="notice" role="status" tabindex="-1">
            <p>{holders::revoked_words(&outcome)}</p>
            <ul>{outcome.failed.into_iter().map(|f| view! { <li class="holders__failed" data-user=f.user_id.clone()>{format!("{}: {}", f.name, messages::graph(&f.error, Operation::DeletePass))}</li> }).collect_view()}</ul>
        </div>
    }
}

/// The filter switches and the sort order.
#[component]
fn HoldersFilters(table: Table) -> impl IntoView {
    let filter = table.filter;
    let flag = move |label: &'static str,
                     id: &'static str,
                     get: fn(&Filter) -> bool,
                     set: fn(&mut Filter, bool)| {
        view! {
            <label class="field field--inline">
                <input type="checkbox" id=id prop:checked=move || filter.with(get) on:change=move |ev| filter.update(|f| set(f, event_target_checked(&ev))) />
                <span>{label}</span>
            </label>
        }
    };
    view! {
        <div class="holders__filters">
            {flag("Usable now", "holders-f-usable", |f| f.usable_now, |f, v| f.usable_now = v)}
            {flag("Not yet valid", "holders-f-later", |f| f.not_yet_valid, |f, v| f.not_yet_valid = v)}
            {flag("Expired but present", "holders-f-expired", |f| f.expired, |f, v| f.expired = v)}
            {flag("Multi-use", "holders-f-multi", |f| f.multi_use, |f, v| f.multi_use = v)}
            {flag("Lifetime over 8 hours", "holders-f-long", |f| f.long_lifetime, |f, v| f.long_lifetime = v)}
            <label class="field">
                <span class="field__label">"Sort by"</span>
                <select id="holders-sort" on:change=move |ev| {
                    let key = event_target_value(&ev);
                    if let Some((s, _, _)) = Sort::ALL.iter().find(|(_, k, _)| *k == key) { table.order.set(*s) }
                }>
                    {Sort::ALL.iter().map(|(_, key, words)| view! { <option value=*key>{*words}</option> }).collect_view()}
                </select>
            </label>
        </div>
    }
}

/// The holders found, one row each keyed by object id, with a selection box.
#[component]
fn HoldersTable(table: Table) -> impl IntoView {
    let selected = table.selected;
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Pass holders">
        <table id="holders" class="table">
            <thead><tr>
                <th scope="col"><input type="checkbox" id="holders-all" aria-label="Select every row shown"
                    on:change=move |ev| selected.set(if event_target_checked(&ev) { table.shown().into_iter().map(|h| h.user.id).collect() } else { Vec::new() }) /></th>
                <th scope="col">"User"</th><th scope="col">"Standing"</th><th scope="col">"Kind"</th><th scope="col">"Lifetime"</th><th scope="col">"Valid until"</th>
            </tr></thead>
            <tbody>
                <For each=move || table.shown() key=|h: &Holder| h.user.id.clone() let:h>
                    <HolderRow holder=h selected=selected />
                </For>
            </tbody>
        </table>
        </div>
    }
}

/// One holder: selection, name, standing, kind, lifetime and end.
#[component]
fn HolderRow(holder: Holder, selected: RwSignal<Vec<String>>) -> impl IntoView {
    let h = holder;
    let id = h.user.id.clone();
    let toggle_id = id.clone();
    view! {
        <tr class="holders__row" data-standing=format!("{:?}", h.standing)>
            <td><input type="checkbox" class="holders-pick" aria-label=format!("Select {}", h.user.name())
                prop:checked=move || selected.with(|s| s.contains(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| { s.retain(|x| x != &toggle_id); if on { s.push(toggle_id.clone()) } });
                } /></td>
            <td>{h.user.name().to_owned()}<br/><small>{h.user.user_principal_name.clone().unwrap_or_default()}</small></td>
            <td>{h.standing.words()}</td>
            <td>{if h.one_time { "One-time" } else { "Multi-use" }}</td>
            <td>{h.lifetime_minutes.map(duration_words).unwrap_or_default()}</td>
            <td>{h.ends_ms.map(browser::local_datetime).unwrap_or_default()}</td>
        </tr>
    }
}

/// "Delete N selected passes", in the command bar: opens the confirmation.
#[component]
fn DeleteButton(
    ctx: Ctx,
    table: Table,
    busy: Signal<bool>,
    confirming: RwSignal<Option<Vec<Holder>>, LocalStorage>,
) -> impl IntoView {
    let may_revoke = ctx.may(WRITE_PERMISSION);
    let ask = move |_| {
        let list = table.chosen().holders;
        if !list.is_empty() {
            confirming.set(Some(list));
            // The question's first button: Cancel, so a second Enter keeps the passes.
            browser::focus_soon("#holders-keep");
        }
    };
    view! {
        <button type="button" id="holders-revoke" class="button button--danger"
            disabled=move || !may_revoke || busy.get() || table.chosen().holders.is_empty()
            on:click=ask>{move || holders::delete_words(table.chosen().holders.len())}</button>
    }
}

/// The confirmation naming the users whose passes go, with the notes on what it leaves out.
#[component]
fn DeleteConfirm(
    ctx: Ctx,
    table: Table,
    revoke: Action<Vec<Holder>, Revoked>,
    confirming: RwSignal<Option<Vec<Holder>>, LocalStorage>,
) -> impl IntoView {
    let may_revoke = ctx.may(WRITE_PERMISSION);
    let close = move || {
        confirming.set(None);
        browser::focus_soon("#holders-revoke");
    };
    let confirm = move |_| {
        // Exactly the users the confirmation named, even if the filter changed since.
        let Some(chosen) = confirming.get_untracked() else {
            return;
        };
        confirming.set(None);
        if !chosen.is_empty() {
            revoke.dispatch_local(chosen);
            browser::focus_soon("#holders-status");
        }
    };
    view! {
        {move || (!may_revoke).then(|| view! { <p class="field__hint">"Deleting passes needs the permission "{WRITE_PERMISSION}": grant it from a user's page."</p> })}
        {move || holders::hidden_words(table.chosen().hidden).map(|words| view! {
            <p id="holders-hidden-selected" class="field__hint">{words}</p>
        })}
        <Show when=move || confirming.with(Option::is_some)>
            <div class="confirm" role="group" aria-labelledby="holders-confirm-text"
                on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                <p id="holders-confirm-text">{move || confirming.with(|c| c.as_deref().map(holders::confirm_sentence).unwrap_or_default())}</p>
                <button type="button" id="holders-keep" class="button" on:click=move |_| close()>"Cancel"</button>
                <button type="button" id="holders-confirm" class="button button--danger" on:click=confirm>
                    {move || confirming.with(|c| if c.as_ref().map_or(0, Vec::len) == 1 { "Delete pass" } else { "Delete passes" })}
                </button>
            </div>
        </Show>
    }
}
