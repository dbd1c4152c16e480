//! The Policy screen: the tenant's TAP policy in a form, checked as the admin types, with advice
//! on safe values, groups picked by name, the changes in words before saving, and the write
//! permission asked for only here (incremental consent).
//!
//! Focus: "Review changes" moves it to the review's first button (Save policy); Back and
//! Escape give it back to "Review changes"; once saved it goes to the saved notice, which is
//! a live region, also after the form is rebuilt from the saved policy.
//!
//! Below the form, read-only, "Passkey registration" (issue 15): will a user who signs in with
//! a pass be able to register a passkey? The passkey (FIDO2) settings are read with the
//! sign-in's `Policy.Read.AuthenticationMethod`; Conditional Access needs `Policy.Read.All`,
//! asked for here on first use. [`read_passkey_policies`] is what a wave's dry run calls too.

use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::campaign::readiness::{self, Finding, Severity, Who};
use crate::config::{GROUP_PERMISSION, POLICY_WRITE_PERMISSION};
use crate::graph::batch;
use crate::graph::models::{Group, TapPolicy};
use crate::graph::{api, GraphError};
use crate::messages::{self, Operation};
use crate::permission::{POLICY_READ, POLICY_READ_ALL};
use crate::policy::{self, Draft, Side, ALL_USERS};

/// The Policy tab. Reads the shared policy; saving refetches it for every screen.
#[component]
pub fn PolicyEditor(
    ctx: Ctx,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
) -> impl IntoView {
    let may_write = ctx.may(POLICY_WRITE_PERMISSION);
    let may_read_groups = ctx.may(GROUP_PERMISSION);
    let grant = move |_| ctx.grant(&[POLICY_WRITE_PERMISSION, GROUP_PERMISSION]);
    // Offered only to a role that can use it (issue 17); otherwise the roles that can.
    let offer = ctx.session.with_value(|s| {
        crate::tap::guard::grant_offer(POLICY_WRITE_PERMISSION, s.account().roles.as_deref())
    });
    // Outlives the form, which is rebuilt from the saved policy.
    let saved = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="policy-title">
            <h2 id="policy-title">"Policy"</h2>
            {(!may_write).then(|| view! {
                <div id="policy-consent" class="notice">
                    <p>"Changing the policy needs the permission Policy.ReadWrite.AuthenticationMethod (and GroupMember.Read.All to pick groups by name), and the Authentication Policy Administrator or Global Administrator role. The values below are read-only until then."</p>
                    {match offer.clone() {
                        Ok(()) => view! { <button type="button" id="policy-grant" class="button" on:click=grant>"Grant permission to edit"</button> }.into_any(),
                        Err(who) => view! { <p id="policy-grant-role">{who}</p> }.into_any(),
                    }}
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
        <PasskeyRegistration ctx=ctx policy=policy />
    }
}

/// The form: switches, numbers, groups, problems and advice; "Review changes" opens the
/// review, which saves.
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
    // Rebuilt from the policy just saved: focus stays on the saved notice.
    if saved.get_untracked() {
        browser::focus_soon("#policy-saved");
    }

    // Group names for the ids the policy names (one $batch per 20), when the permission allows.
    if may_read_groups {
        let ids = draft.with_untracked(Draft::group_ids);
        if !ids.is_empty() {
            leptos::task::spawn_local(async move {
                let items = ids.iter().map(|id| batch::get_group_item(id, id)).collect();
                let answers = ctx.graph().send_all(items, || false, |_, _| {}).await;
                let groups = policy::groups_read(answers.into_values());
                draft.try_update(|d| d.name_groups(&groups));
                original.update_value(|d| d.name_groups(&groups));
            });
        }
    }

    let problems = move || {
        let typed = [
            ("default lifetime", default_lt.get()),
            ("minimum lifetime", min_lt.get()),
            ("maximum lifetime", max_lt.get()),
            ("pass length", length.get()),
        ];
        let typed: Vec<(&str, &str)> = typed.iter().map(|(l, t)| (*l, t.as_str())).collect();
        let mut p = policy::typed_problems(&typed);
        p.extend(draft.with(Draft::problems));
        p
    };
    let changes = move || original.with_value(|o| draft.with(|d| policy::diff(o, d)));
    let can_review = move || may_write && problems().is_empty() && !changes().is_empty();
    let body = move || policy.with_value(|p| draft.with_untracked(|d| policy::patch_body(p, d)));

    view! {
        <form id="policy-form" class="policy-form" on:submit=move |ev| {
            ev.prevent_default();
            if can_review() {
                reviewing.set(true);
                browser::focus_soon("#policy-save");
            }
        }>
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
                <NumberField id="policy-min" label="Minimum lifetime (minutes)" hint="10 to 43200" text=min_lt draft=draft saved=saved may_write=may_write apply=|d, v| d.minimum_lifetime = v />
                <NumberField id="policy-default" label="Default lifetime (minutes)" hint="between minimum and maximum" text=default_lt draft=draft saved=saved may_write=may_write apply=|d, v| d.default_lifetime = v />
                <NumberField id="policy-max" label="Maximum lifetime (minutes)" hint="10 to 43200" text=max_lt draft=draft saved=saved may_write=may_write apply=|d, v| d.maximum_lifetime = v />
                <NumberField id="policy-length" label="Pass length (characters)" hint="8 to 48" text=length draft=draft saved=saved may_write=may_write apply=|d, v| d.default_length = v />
            </div>
            <PolicyTargets ctx=ctx draft=draft saved=saved may_write=may_write may_read_groups=may_read_groups />
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
                <div class="policy__actions command-bar">
                    <button type="submit" id="policy-review" class="button button--primary" disabled=move || !can_review()>"Review changes"</button>
                </div>
            })}
            {move || saved.get().then(|| view! { <p id="policy-saved" class="notice notice--ok" role="status" tabindex="-1">"Policy saved. Every new pass follows the new policy."</p> })}
        </form>
        <PolicyReview ctx=ctx reviewing=reviewing changes=Signal::derive(changes) body=Callback::new(move |()| body()) policy_resource=policy_resource saved=saved />
    }
}

/// A number field: its text as typed, and the draft's number when it is one.
#[component]
fn NumberField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    text: RwSignal<String>,
    draft: RwSignal<Draft>,
    saved: RwSignal<bool>,
    may_write: bool,
    apply: fn(&mut Draft, u32),
) -> impl IntoView {
    let on_input = move |ev: leptos::ev::Event| {
        let typed = event_target_value(&ev);
        if let Some(v) = policy::number(&typed) {
            draft.update(|d| apply(d, v));
        }
        text.set(typed);
        saved.set(false);
    };
    view! {
        <label class="field">
            <span class="field__label">{label}</span>
            <input id=id type="text" inputmode="numeric" prop:value=move || text.get() disabled=!may_write on:input=on_input />
            <span class="field__hint">{hint}</span>
        </label>
    }
}

/// Who can get a pass: the included and excluded groups, "Include all users", and the picker.
#[component]
fn PolicyTargets(
    ctx: Ctx,
    draft: RwSignal<Draft>,
    saved: RwSignal<bool>,
    may_write: bool,
    may_read_groups: bool,
) -> impl IntoView {
    let add = Callback::new(move |(side, g): (Side, Group)| {
        draft.update(|d| d.add(side, &g));
        saved.set(false);
    });
    let all_users = move |_| {
        add.run((
            Side::Include,
            Group {
                id: ALL_USERS.into(),
                display_name: None,
            },
        ))
    };
    view! {
        <h3>"Who can get a pass"</h3>
        <p>"Included:"</p>
        <ul id="policy-include" class="chips"><TargetChips side=Side::Include draft=draft saved=saved may_write=may_write /></ul>
        {may_write.then(|| view! {
            <button type="button" id="policy-all-users" class="button button--quiet" on:click=all_users>"Include all users"</button>
        })}
        <p>"Excluded:"</p>
        <ul id="policy-exclude" class="chips"><TargetChips side=Side::Exclude draft=draft saved=saved may_write=may_write /></ul>
        {(may_write && may_read_groups).then(|| view! { <GroupPicker ctx=ctx add=add /> })}
    }
}

/// The chips of one list, each with its remove button when the admin may write.
#[component]
fn TargetChips(
    side: Side,
    draft: RwSignal<Draft>,
    saved: RwSignal<bool>,
    may_write: bool,
) -> impl IntoView {
    move || {
        let list = draft.with(|d| d.targets(side).to_vec());
        if list.is_empty() {
            return view! { <li class="chip chip--empty">"nobody"</li> }.into_any();
        }
        list.into_iter()
            .map(|t| {
                let id = t.id.clone();
                let remove = move |_| {
                    draft.update(|d| d.remove(side, &id));
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
}

/// Finds groups by name, to include or exclude.
#[component]
fn GroupPicker(ctx: Ctx, add: Callback<(Side, Group)>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let found: RwSignal<Vec<Group>> = RwSignal::new(Vec::new());
    let search_error: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let search = move |_| {
        search_error.set(None);
        super::find_groups(ctx, query.get_untracked(), found, search_error);
    };
    view! {
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
                            <button type="button" class="button button--quiet include-group" on:click=move |_| add.run((Side::Include, gi.clone()))>"Include"</button>
                            <button type="button" class="button button--quiet exclude-group" on:click=move |_| add.run((Side::Exclude, ge.clone()))>"Exclude"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}

/// The changes in words, and "Save policy" (the PATCH of the changed fields only).
#[component]
fn PolicyReview(
    ctx: Ctx,
    reviewing: RwSignal<bool>,
    changes: Signal<Vec<policy::Change>>,
    /// The PATCH body of the draft; `None` when nothing changed.
    body: Callback<(), Option<serde_json::Value>>,
    policy_resource: LocalResource<Result<TapPolicy, GraphError>>,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let save = Action::new_local(move |body: &serde_json::Value| {
        let body = body.clone();
        async move {
            let result = ctx.graph().send(api::update_policy(&body)).await;
            if result.is_ok() {
                saved.set(true);
                reviewing.set(false);
                browser::focus_soon("#policy-saved");
                // Every screen reads the new policy; this form is rebuilt from it.
                policy_resource.refetch();
            }
            result
        }
    });
    let on_save = move |_| {
        if save.pending().get_untracked() {
            return;
        }
        if let Some(body) = body.run(()) {
            save.dispatch_local(body);
        }
    };
    let back = move || {
        reviewing.set(false);
        browser::focus_soon("#policy-review");
    };
    view! {
        {move || reviewing.get().then(|| view! {
            <div id="policy-diff" class="card confirm" role="group" aria-labelledby="policy-diff-title"
                on:keydown=move |ev| if ev.key() == "Escape" { back() }>
                <h3 id="policy-diff-title">"Changes to save"</h3>
                <table class="table">
                    <thead><tr><th scope="col">"Setting"</th><th scope="col">"Now"</th><th scope="col">"After saving"</th></tr></thead>
                    <tbody>
                        {changes.get().into_iter().map(|c| view! { <tr><td>{c.field}</td><td>{c.before}</td><td>{c.after}</td></tr> }).collect_view()}
                    </tbody>
                </table>
                <button type="button" id="policy-save" class="button button--primary" disabled=move || save.pending().get() on:click=on_save>"Save policy"</button>
                <button type="button" id="policy-back" class="button" on:click=move |_| back()>"Back"</button>
            </div>
        })}
        {move || save.value().get().and_then(Result::err).filter(|_| !save.pending().get()).map(|e| view! { <GraphErrorView error=e action=Operation::EditPolicy /> })}
    }
}

/// What the passkey-registration checks read: the policies (parts not read are `None`) and,
/// for each part that could not be read, the sentence saying why.
#[derive(Clone, Debug, Default)]
pub struct PasskeyReads {
    pub policies: readiness::Policies,
    pub unread: Vec<String>,
}

/// Reads what decides whether a passkey is accepted: the passkey (FIDO2) method configuration
/// and the authentication strengths (when the session holds `Policy.Read.AuthenticationMethod`),
/// and every Conditional Access policy (when it holds `Policy.Read.All`; never asked for
/// here). `passes_one_time_only` is the pass policy's `isUsableOnce`. At most three reads plus
/// Conditional Access paging; judge the result with [`readiness::check`] for the tenant
/// ([`Who::Everyone`]) or for each user of a wave ([`Who::User`]).
pub async fn read_passkey_policies(ctx: Ctx, passes_one_time_only: Option<bool>) -> PasskeyReads {
    let graph = ctx.graph();
    let mut out = PasskeyReads {
        policies: readiness::Policies {
            passes_one_time_only,
            ..Default::default()
        },
        unread: vec![],
    };
    if ctx.may(POLICY_READ.name) {
        let (fido2, strengths) = futures::join!(
            graph.send(api::fido2_configuration()),
            graph.send(api::authentication_strengths())
        );
        match fido2 {
            Ok(c) => out.policies.fido2 = Some(c),
            Err(e) => out.unread.push(messages::passkey_policy_unread(&e, false)),
        }
        // Only used to resolve a policy's strength by id: a refusal leaves those unresolved.
        out.policies.strengths = strengths.ok();
    }
    if ctx.may(POLICY_READ_ALL.name) {
        match graph
            .all_pages(api::conditional_access_policies(), |_| true)
            .await
        {
            Ok(list) => out.policies.conditional_access = Some(list),
            Err(e) => out.unread.push(messages::passkey_policy_unread(&e, true)),
        }
    }
    out
}

/// "Passkey registration": the findings for the whole tenant, read-only, each with the
/// setting to change; the Conditional Access permission asked for on first use.
#[component]
fn PasskeyRegistration(
    ctx: Ctx,
    policy: LocalResource<Result<TapPolicy, GraphError>>,
) -> impl IntoView {
    let may_read_methods = ctx.may(POLICY_READ.name);
    let may_read_ca = ctx.may(POLICY_READ_ALL.name);
    let reads = LocalResource::new(move || async move {
        let one_time = policy.await.ok().and_then(|p| p.is_usable_once);
        read_passkey_policies(ctx, one_time).await
    });
    // Offered only for what the admin's roles can use (issue 17); otherwise the roles that can.
    let roles = ctx.session.with_value(|s| s.account().roles.clone());
    let offer = |p: &str| crate::tap::guard::grant_offer(p, roles.as_deref());
    let ca_refusal = if may_read_ca {
        None
    } else {
        offer(POLICY_READ_ALL.name).err()
    };
    let mut wanted = vec![];
    if !may_read_methods {
        wanted.push(POLICY_READ.name);
    }
    if !may_read_ca && ca_refusal.is_none() {
        wanted.push(POLICY_READ_ALL.name);
    }
    let offered = !wanted.is_empty();
    let grant = move |_| ctx.grant(&wanted);
    view! {
        <section class="card" aria-labelledby="passkeys-title" id="passkeys">
            <h2 id="passkeys-title">"Passkey registration"</h2>
            <p>"Will a user who signs in with a Temporary Access Pass be able to register a passkey? Read-only: the settings below are changed in the Entra admin center."</p>
            {(!may_read_methods || !may_read_ca).then(|| view! {
                <div id="passkeys-consent" class="notice">
                    <p>{match (may_read_methods, may_read_ca) {
                        (true, false) => format!("Checking Conditional Access needs the permission {} (read-only).", POLICY_READ_ALL.name),
                        (false, true) => format!("Checking the passkey (FIDO2) settings needs the permission {} (read-only).", POLICY_READ.name),
                        _ => format!("These checks need the permissions {} and {} (read-only).", POLICY_READ.name, POLICY_READ_ALL.name),
                    }}</p>
                    {ca_refusal.map(|who| view! { <p id="passkeys-grant-role">{who}</p> })}
                    {offered.then(|| view! { <button type="button" id="passkeys-grant" class="button" on:click=grant.clone()>"Grant permission to check"</button> })}
                </div>
            })}
            <Transition fallback=|| view! { <p class="status" role="status">"Reading the passkey and Conditional Access settings…"</p> }>
                {move || Suspend::new(async move {
                    let r = reads.await;
                    let findings = readiness::check(&r.policies, Who::Everyone);
                    view! { <PasskeyFindings findings=findings unread=r.unread /> }
                })}
            </Transition>
            <button type="button" id="passkeys-again" class="button button--quiet" on:click=move |_| reads.refetch()>"Check again"</button>
        </section>
    }
}

/// The verdict and each finding with the setting to change.
#[component]
fn PasskeyFindings(findings: Vec<Finding>, unread: Vec<String>) -> impl IntoView {
    let verdict = readiness::verdict(&findings);
    let verdict_class = if readiness::blocks(&findings) {
        "notice notice--error"
    } else if findings.iter().any(|f| f.severity == Severity::Warns) {
        "notice notice--warning"
    } else {
        "notice notice--ok"
    };
    view! {
        <p id="passkeys-verdict" class=verdict_class role="status">{verdict}</p>
        {unread.into_iter().map(|u| view! { <p class="notice notice--warning passkeys-unread">{u}</p> }).collect_view()}
        <ul id="passkeys-findings" class="findings">
            {findings.into_iter().map(|f| {
                let class = match f.severity {
                    Severity::Blocks => "notice notice--error finding",
                    Severity::Warns => "notice notice--warning finding",
                    Severity::Notes => "notice finding",
                };
                view! {
                    <li class=class data-code=format!("{:?}", f.code) data-severity=format!("{:?}", f.severity)>
                        <strong>{f.severity.words()}": "</strong>{f.text}
                        <span class="notice__detail">"Change: "{f.fix}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
