//! The Policy screen: the tenant's TAP policy in a form, checked as the admin types, with advice
//! on safe values, groups picked by name, the changes in words before saving, and the write
//! permission asked for only here (incremental consent).

use leptos::prelude::*;

use super::{Ctx, GraphErrorView};
use crate::config::{GROUP_PERMISSION, POLICY_WRITE_PERMISSION};
use crate::graph::batch;
use crate::graph::models::{Group, TapPolicy};
use crate::graph::{api, GraphError};
use crate::messages::Operation;
use crate::policy::{self, Draft, Target, ALL_USERS};

/// Which list a group goes to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Include,
    Exclude,
}

/// The Policy tab. Reads the shared policy; saving refetches it for every screen.
#[component]
pub fn PolicyEditor(
    ctx: Ctx,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
) -> impl IntoView {
    let may_write = ctx.may(POLICY_WRITE_PERMISSION);
    let may_read_groups = ctx.may(GROUP_PERMISSION);
    let grant = move |_| ctx.grant(&[POLICY_WRITE_PERMISSION, GROUP_PERMISSION]);
    // Outlives the form, which is rebuilt from the saved policy.
    let saved = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="policy-title">
            <h2 id="policy-title">"Temporary Access Pass policy"</h2>
            {(!may_write).then(|| view! {
                <div id="policy-consent" class="notice">
                    <p>"Changing the policy needs the permission Policy.ReadWrite.AuthenticationMethod (and GroupMember.Read.All to pick groups by name), and the Authentication Policy Administrator or Global Administrator role. The values below are read-only until then."</p>
                    <button type="button" id="policy-grant" class="button" on:click=grant>"Grant permission to edit"</button>
                </div>
            })}
            <Transition fallback=|| view! { <p class="status" role="status">"Reading the policy…"</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Err(e) => view! { <GraphErrorView error=e action=Operation::ReadPolicy /> }.into_any(),
                        Ok(p) => view! { <PolicyForm ctx=ctx policy=p policy_resource=policy may_write=may_write may_read_groups=may_read_groups saved=saved /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Reads a whole number typed in a field; `None` (a problem) when it is not one.
fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

#[component]
fn PolicyForm(
    ctx: Ctx,
    policy: TapPolicy,
    policy_resource: LocalResource<Result<TapPolicy, GraphError>>,
    may_write: bool,
    may_read_groups: bool,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let original = Draft::from_policy(&policy);
    let policy = StoredValue::new(policy);
    let draft = RwSignal::new(original.clone());
    let original = StoredValue::new(original);
    // The lifetime and length fields as typed (a draft holds numbers only).
    let field = |v: u32| RwSignal::new(v.to_string());
    let (default_lt, min_lt, max_lt, length) = draft.with_untracked(|d| {
        (
            field(d.default_lifetime),
            field(d.minimum_lifetime),
            field(d.maximum_lifetime),
            field(d.default_length),
        )
    });
    let reviewing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let query = RwSignal::new(String::new());
    let found: RwSignal<Vec<Group>> = RwSignal::new(Vec::new());
    let search_error: RwSignal<Option<GraphError>> = RwSignal::new(None);

    // Group names for the ids the policy names (one $batch per 20), when the permission allows.
    if may_read_groups {
        let ids: Vec<String> = draft.with_untracked(|d| {
            d.include
                .iter()
                .chain(&d.exclude)
                .map(|t| t.id.clone())
                .filter(|id| id != ALL_USERS)
                .collect()
        });
        if !ids.is_empty() {
            leptos::task::spawn_local(async move {
                let items = ids.iter().map(|id| batch::get_group_item(id, id)).collect();
                let answers = ctx.graph().send_all(items, || false, |_, _| {}).await;
                let groups: Vec<Group> = answers
                    .into_values()
                    .filter_map(|a| a.ok().filter(|r| r.status == 200)?.body)
                    .filter_map(|b| serde_json::from_value(b).ok())
                    .collect();
                {
                    let name = |t: &mut Target| {
                        if let Some(g) = groups.iter().find(|g| g.id == t.id) {
                            t.name = g.display_name.clone();
                        }
                    };
                    draft.try_update(|d| {
                        d.include
                            .iter_mut()
                            .chain(d.exclude.iter_mut())
                            .for_each(name)
                    });
                    original.update_value(|d| {
                        d.include
                            .iter_mut()
                            .chain(d.exclude.iter_mut())
                            .for_each(name)
                    });
                }
            });
        }
    }

    // Typed numbers flow into the draft; text that is not a number is its own problem.
    let typed_problems = move || {
        let mut out = Vec::new();
        for (label, f) in [
            ("default lifetime", default_lt),
            ("minimum lifetime", min_lt),
            ("maximum lifetime", max_lt),
            ("pass length", length),
        ] {
            if number(&f.get()).is_none() {
                out.push(format!("The {label} must be a whole number."));
            }
        }
        out
    };
    let set_number = move |f: RwSignal<String>, apply: fn(&mut Draft, u32)| {
        move |ev: leptos::ev::Event| {
            let text = event_target_value(&ev);
            if let Some(v) = number(&text) {
                draft.update(|d| apply(d, v));
            }
            f.set(text);
            saved.set(false);
        }
    };
    let problems = move || {
        let mut p = typed_problems();
        p.extend(draft.with(Draft::problems));
        p
    };
    let changes = move || original.with_value(|o| draft.with(|d| policy::diff(o, d)));
    let can_review = move || may_write && problems().is_empty() && !changes().is_empty();

    let search = move |_| {
        search_error.set(None);
        super::find_groups(ctx, query.get_untracked(), found, search_error);
    };
    let add = move |side: Side, g: &Group| {
        let target = Target {
            id: g.id.clone(),
            name: g.display_name.clone(),
        };
        draft.update(|d| {
            let list = match side {
                Side::Include => &mut d.include,
                Side::Exclude => &mut d.exclude,
            };
            if list.iter().all(|t| t.id != target.id) {
                list.push(target);
            }
        });
        saved.set(false);
    };
    let save = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(body) = policy.with_value(|p| draft.with_untracked(|d| policy::patch_body(p, d)))
        else {
            return;
        };
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let result = ctx.graph().send(api::update_policy(&body)).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    saved.set(true);
                    reviewing.set(false);
                    // Every screen reads the new policy; this form is rebuilt from it.
                    policy_resource.refetch();
                }
                Err(e) => failure.set(Some(e)),
            }
        });
    };

    let number_field = move |id: &'static str,
                             label: &'static str,
                             hint: &'static str,
                             f: RwSignal<String>,
                             apply: fn(&mut Draft, u32)| {
        view! {
            <label class="field">
                <span class="field__label">{label}</span>
                <input id=id type="text" inputmode="numeric" prop:value=move || f.get() disabled=!may_write on:input=set_number(f, apply) />
                <span class="field__hint">{hint}</span>
            </label>
        }
    };
    let target_list = move |side: Side| {
        move || {
            let list = draft.with(|d| match side {
                Side::Include => d.include.clone(),
                Side::Exclude => d.exclude.clone(),
            });
            if list.is_empty() {
                return view! { <li class="chip chip--empty">"nobody"</li> }.into_any();
            }
            list.into_iter()
                .map(|t| {
                    let id = t.id.clone();
                    let remove = move |_| {
                        draft.update(|d| match side {
                            Side::Include => d.include.retain(|x| x.id != id),
                            Side::Exclude => d.exclude.retain(|x| x.id != id),
                        });
                        saved.set(false);
                    };
                    let label = t.label();
                    view! {
                        <li class="chip">{label.clone()}
                            {may_write.then(|| view! { <button type="button" class="chip__remove" aria-label=format!("Remove {label}") on:click=remove>"×"</button> })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        }
    };

    view! {
        <form id="policy-form" class="policy-form" on:submit=move |ev| { ev.prevent_default(); if can_review() { reviewing.set(true) } }>
            <label class="field field--inline">
                <input id="policy-enabled" type="checkbox" prop:checked=move || draft.with(|d| d.enabled) disabled=!may_write
                    on:change=move |ev| { draft.update(|d| d.enabled = event_target_checked(&ev)); saved.set(false) } />
                <span>"Enabled: admins can create passes"</span>
            </label>
            <label class="field field--inline">
                <input id="policy-one-time" type="checkbox" prop:checked=move || draft.with(|d| d.one_time) disabled=!may_write
                    on:change=move |ev| { draft.update(|d| d.one_time = event_target_checked(&ev)); saved.set(false) } />
                <span>"One-time passes only"</span>
            </label>
            <div class="policy-form__numbers">
                {number_field("policy-min", "Minimum lifetime (minutes)", "10 to 43200", min_lt, |d, v| d.minimum_lifetime = v)}
                {number_field("policy-default", "Default lifetime (minutes)", "between minimum and maximum", default_lt, |d, v| d.default_lifetime = v)}
                {number_field("policy-max", "Maximum lifetime (minutes)", "10 to 43200", max_lt, |d, v| d.maximum_lifetime = v)}
                {number_field("policy-length", "Pass length (characters)", "8 to 48", length, |d, v| d.default_length = v)}
            </div>
            <h3>"Who can get a pass"</h3>
            <p>"Included:"</p>
            <ul id="policy-include" class="chips">{target_list(Side::Include)}</ul>
            {may_write.then(|| view! {
                <button type="button" id="policy-all-users" class="button button--quiet"
                    on:click=move |_| add(Side::Include, &Group { id: ALL_USERS.into(), display_name: None })>"Include all users"</button>
            })}
            <p>"Excluded:"</p>
            <ul id="policy-exclude" class="chips">{target_list(Side::Exclude)}</ul>
            {(may_write && may_read_groups).then(|| view! {
                <div class="policy-form__groups">
                    <label class="field">
                        <span class="field__label">"Find a group"</span>
                        <input id="policy-group-search" type="search" prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                    </label>
                    <button type="button" id="policy-group-find" class="button" on:click=search>"Find"</button>
                    {move || search_error.get().map(|e| view! { <GraphErrorView error=e action=Operation::Search /> })}
                    <ul id="policy-group-results" class="results">
                        {move || found.get().into_iter().map(|g| {
                            let (gi, ge) = (g.clone(), g.clone());
                            view! {
                                <li>{g.display_name.clone().unwrap_or_else(|| g.id.clone())}" "
                                    <button type="button" class="button button--quiet include-group" on:click=move |_| add(Side::Include, &gi)>"Include"</button>
                                    <button type="button" class="button button--quiet exclude-group" on:click=move |_| add(Side::Exclude, &ge)>"Exclude"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {move || {
                let p = problems();
                (!p.is_empty()).then(|| view! {
                    <ul id="policy-problems" class="notice notice--error" role="alert">
                        {p.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
                    </ul>
                })
            }}
            {move || {
                let a = draft.with(Draft::advice);
                (!a.is_empty()).then(|| view! {
                    <div id="policy-advice" class="notice">
                        <p><strong>"Safer values"</strong></p>
                        <ul>{a.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
                    </div>
                })
            }}
            {may_write.then(|| view! {
                <button type="submit" id="policy-review" class="button button--primary" disabled=move || !can_review()>"Review changes"</button>
            })}
            {move || saved.get().then(|| view! { <p id="policy-saved" class="notice" role="status">"Saved. Every new pass follows the new policy."</p> })}
        </form>
        {move || reviewing.get().then(|| view! {
            <div id="policy-diff" class="card confirm" role="group" aria-labelledby="policy-diff-title">
                <h3 id="policy-diff-title">"Changes to save"</h3>
                <table class="table">
                    <thead><tr><th scope="col">"Setting"</th><th scope="col">"Now"</th><th scope="col">"After saving"</th></tr></thead>
                    <tbody>
                        {changes().into_iter().map(|c| view! { <tr><td>{c.field}</td><td>{c.before}</td><td>{c.after}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <button type="button" id="policy-save" class="button button--primary" disabled=move || busy.get() on:click=save>"Save policy"</button>
                <button type="button" id="policy-back" class="button" on:click=move |_| reviewing.set(false)>"Back"</button>
            </div>
        })}
        {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::EditPolicy /> })}
    }
}
