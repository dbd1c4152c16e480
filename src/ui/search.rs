//! Find a user: one debounced search box over display name, UPN and mail, keyboard-navigable results.

use std::time::Duration;

use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::graph::api;
use crate::graph::models::User;
use crate::graph::GraphError;
use crate::messages::Operation;
use crate::tap::guard;
use crate::user;

/// Wait after the last keystroke before searching.
const DEBOUNCE: Duration = Duration::from_millis(300);
/// Results shown at most.
const MAX_RESULTS: u32 = 10;

/// What a search found: the users, and those of them outside the admin's units (a UPN or
/// object id typed exactly, issue 16).
type Found = (Vec<User>, Vec<String>);

/// Runs the search for `text`: a direct read when it is a UPN or object id, plus `$search`
/// over the tenant, or over the admin's units only when every issuing role is scoped to units.
async fn find(ctx: Ctx, text: String) -> Result<Found, GraphError> {
    let mut exact = None;
    if api::is_direct_key(&text) {
        let key = text.clone();
        match ctx.graph().send(api::get_user(&key)).await {
            Ok(u) => exact = Some(u),
            Err(e) if e.status == 404 => {}
            Err(e) => return Err(e),
        }
    }
    let query = text.clone();
    let Some(units) = ctx.scope.with_untracked(crate::scope::Known::unit_ids) else {
        let listed = ctx
            .graph()
            .send(api::search_users(&query, MAX_RESULTS))
            .await;
        return user::search_results(exact, listed).map(|u| (u, vec![]));
    };
    // Only the admin's units: each unit's members by name, merged.
    let mut lists = vec![];
    let mut failure = None;
    for unit in &units {
        match ctx
            .graph()
            .send(api::search_unit_members(unit, &query, MAX_RESULTS))
            .await
        {
            Ok(found) => lists.push(found),
            Err(e) => failure = Some(e),
        }
    }
    let listed = match failure {
        Some(e) if lists.is_empty() => Err(e),
        _ => Ok(crate::scope::merge_unit_results(
            lists,
            MAX_RESULTS as usize,
        )),
    };
    // An exact hit is shown, marked when outside the units (opening it says why).
    let mut outside = vec![];
    if let Some(u) = &exact {
        let theirs = ctx.graph().send(api::units_of(&u.id)).await;
        if theirs.is_ok_and(|t| !crate::scope::in_units(&t, &units)) {
            outside.push(u.id.clone());
        }
    }
    user::search_results(exact, listed).map(|u| (u, outside))
}

/// `source`, set again only once it has not changed for `wait` (leptos-use's
/// `signal_debounced`).
fn debounced(source: RwSignal<String>, wait: Duration) -> ReadSignal<String> {
    let (out, set_out) = signal(source.get_untracked());
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |_| {
        let value = source.get();
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        pending.set_value(set_timeout_with_handle(move || set_out.set(value), wait).ok());
    });
    on_cleanup(move || {
        if let Some(handle) = pending.try_get_value().flatten() {
            handle.clear();
        }
    });
    out
}

/// The search box and its result list.
#[component]
pub fn Search(
    ctx: Ctx,
    on_pick: Callback<User>,
    /// Whose new pass is on screen: opening another user asks first.
    pass_on_screen: RwSignal<Option<String>>,
) -> impl IntoView {
    // The user picked while a new pass was on screen, until the admin answers.
    let waiting: RwSignal<Option<User>> = RwSignal::new(None);
    let text = RwSignal::new(String::new());
    let results: RwSignal<Vec<User>> = RwSignal::new(Vec::new());
    // Results outside the admin's units (object ids).
    let outside: RwSignal<Vec<String>> = RwSignal::new(Vec::new());
    let error: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let active = RwSignal::new(0usize);
    let searched = RwSignal::new(false);
    let query = debounced(text, DEBOUNCE);
    // The newest query and what it found; `None` for text too short to search. A newer query
    // replaces a slower older one (the resource keeps the latest run only).
    let found = LocalResource::new(move || {
        let query = query.get().trim().to_owned();
        async move {
            let outcome = if user::searchable(&query) {
                Some(find(ctx, query.clone()).await)
            } else {
                None
            };
            (query, outcome)
        }
    });
    Effect::new(move |_| {
        let Some((_, outcome)) = found.get() else {
            return;
        };
        searched.set(outcome.is_some());
        active.set(0);
        match outcome {
            None => {
                results.set(Vec::new());
                error.set(None);
            }
            Some(Ok((users, out))) => {
                error.set(None);
                outside.set(out);
                results.set(users);
            }
            Some(Err(e)) => {
                results.set(Vec::new());
                error.set(Some(e));
            }
        }
    });
    // A search for the current query is under way.
    let searching = move || {
        let query = query.get().trim().to_owned();
        user::searchable(&query) && found.with(|f| f.as_ref().map(|(q, _)| q) != Some(&query))
    };

    let pick = move |u: User| {
        results.set(Vec::new());
        searched.set(false);
        text.set(String::new());
        if pass_on_screen.with_untracked(Option::is_some) {
            waiting.set(Some(u));
            browser::focus_soon("#confirm-leave");
            return;
        }
        on_pick.run(u);
    };
    let leave = move || {
        if let Some(u) = waiting.get_untracked() {
            waiting.set(None);
            pass_on_screen.set(None);
            on_pick.run(u);
        }
    };
    let stay = move || {
        waiting.set(None);
        browser::focus_soon("#search");
    };
    let question = move || {
        let other = waiting.with(|w| w.as_ref().map(|u| u.name().to_owned()))?;
        let name = pass_on_screen.get()?;
        Some(guard::leave_question(&name, &other))
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let count = results.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + 1) % count);
            }
            "ArrowUp" if count > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + count - 1) % count);
            }
            "Enter" if count > 0 => {
                ev.prevent_default();
                if let Some(u) = results.with_untracked(|r| r.get(active.get_untracked()).cloned())
                {
                    pick(u);
                }
            }
            "Escape" => results.set(Vec::new()),
            _ => {}
        }
    };

    view! {
        <section class="card search" aria-labelledby="search-label">
            <label id="search-label" for="search" class="field__label">"Find a user"</label>
            <input id="search" class="field__input" type="search" autocomplete="off" spellcheck="false"
                placeholder="Name, UPN or object ID"
                role="combobox" aria-autocomplete="list" aria-controls="search-results"
                aria-expanded=move || (!results.with(Vec::is_empty)).to_string()
                aria-activedescendant=move || results.with(|r| r.get(active.get()).map(|u| format!("result-{}", u.id))).unwrap_or_default()
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev)) on:keydown=on_keydown />
            <p class="field__hint">"Type at least two letters; use the arrow keys and Enter to open a user."</p>
            {move || question().map(|q| view! {
                <div id="leave-confirm" class="confirm" role="alertdialog" aria-labelledby="leave-text"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); stay(); }>
                    <p id="leave-text">{q}</p>
                    <button type="button" id="confirm-leave" class="button button--danger" on:click=move |_| leave()>"Close the pass and open"</button>
                    <button type="button" id="cancel-leave" class="button" on:click=move |_| stay()>"Keep the pass"</button>
                </div>
            })}
            {move || searching().then(|| view! { <p class="status" role="status">"Searching…"</p> })}
            {move || error.get().map(|e| view! { <GraphErrorView error=e action=Operation::Search /> })}
            {move || (searched.get() && !searching() && error.with(Option::is_none) && results.with(Vec::is_empty))
                .then(|| view! { <p class="status" role="status">"No user matches. Search looks for whole words at the start of names; try a UPN or object ID."</p> })}
            <ul id="search-results" class="results" role="listbox" aria-label="Matching users">
                {move || {
                    results.get().into_iter().enumerate().map(move |(i, u)| {
                        let chosen = u.clone();
                        let guest = u.is_guest();
                        let out = outside.with(|o| o.contains(&u.id));
                        view! {
                            <li id=format!("result-{}", u.id) role="option" class="results__item"
                                class:results__item--active=move || active.get() == i
                                aria-selected=move || (active.get() == i).to_string()
                                on:mousedown=move |ev| ev.prevent_default()
                                on:click=move |_| pick(chosen.clone())>
                                <span class="results__name">{u.name().to_owned()}</span>
                                <span class="results__upn">{u.user_principal_name.clone().unwrap_or_default()}</span>
                                {guest.then(|| view! { <span class="badge">"Guest"</span> })}
                                {out.then(|| view! { <span class="badge badge--warning">"Outside your units"</span> })}
                            </li>
                        }
                    }).collect_view()
                }}
            </ul>
        </section>
    }
}
