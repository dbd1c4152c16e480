//! The Tracking screen: every user who got a pass here is followed until they have registered a
//! passwordless method. Rounds read each open user's pass and methods in `$batch`es; the wait
//! between rounds doubles while nothing changes (up to 5 minutes) and nothing is read while the
//! browser tab is hidden. Once a strong method exists, "Revoke pass now" ends the pass.

use crate::ui::hooks::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::{browser, Ctx, GraphErrorView};
use crate::config::WRITE_PERMISSION;
use crate::graph::batch::{self, BatchItem};
use crate::graph::models::{AuthMethod, TemporaryAccessPass, User};
use crate::graph::{api, GraphError};
use crate::messages::Operation;
use crate::tracking::{self, Progress, Stage, Tracked};

/// How often the loop looks at the clock, visibility and "Check now".
const TICK: Duration = Duration::from_millis(500);

fn page_of<T: serde::de::DeserializeOwned>(answers: &batch::Answers, id: &str) -> Option<Vec<T>> {
    batch::item_values(answers.get(id)?.as_ref().ok()?).ok()
}

/// The longest `Retry-After` among throttled answers.
fn retry_after(answers: &batch::Answers) -> Option<u32> {
    answers
        .values()
        .filter_map(|a| a.as_ref().ok())
        .filter(|r| r.status == 429)
        .filter_map(|r| r.retry_after_s())
        .max()
}

/// The Tracking tab.
#[component]
pub fn Tracking(ctx: Ctx, active: Signal<bool>) -> impl IntoView {
    let first_s = ctx
        .session
        .with_value(|s| s.config().track_interval_seconds);
    let may_revoke = ctx.may(WRITE_PERMISSION);
    let progress: RwSignal<HashMap<String, Progress>> = RwSignal::new(HashMap::new());
    let names: RwSignal<HashMap<String, User>> = RwSignal::new(HashMap::new());
    let interval_s = RwSignal::new(first_s);
    // The first round waits one interval (a pass just issued has nothing new to tell), unless
    // the screen is opened with users not yet checked.
    let next_at = RwSignal::new(browser::now_ms() + f64::from(first_s) * 1000.0);
    let now = RwSignal::new(browser::now_ms());
    let rounds = RwSignal::new(0u32);
    let checking = RwSignal::new(false);
    let check_now = RwSignal::new(false);
    let hidden = use_document_visibility();
    let failure: RwSignal<Option<GraphError>> = RwSignal::new(None);
    let alive = Arc::new(AtomicBool::new(true));

    // Pause while the browser tab is hidden (Page Visibility API); check at once on return.
    Effect::new(move |was_hidden: Option<bool>| {
        let is_hidden = hidden.get();
        if was_hidden == Some(true) && !is_hidden {
            check_now.try_set(true);
        }
        is_hidden
    });
    let cleanup_alive = alive.clone();
    on_cleanup(move || cleanup_alive.store(false, Ordering::Relaxed));

    // One round: names of users not named yet, then passes and methods of every open user.
    let round = move || async move {
        let open: Vec<Tracked> = ctx.tracked.with_untracked(|list| {
            progress.with_untracked(|p| {
                list.iter()
                    .filter(|t| !p.get(&t.id).is_some_and(Progress::finished))
                    .cloned()
                    .collect()
            })
        });
        if open.is_empty() {
            return;
        }
        let unnamed: Vec<String> = names.with_untracked(|n| {
            open.iter()
                .filter(|t| !n.contains_key(&t.id))
                .map(|t| t.id.clone())
                .collect()
        });
        if !unnamed.is_empty() {
            let items: Vec<BatchItem> = unnamed
                .iter()
                .map(|id| batch::get_user_item(id, id))
                .collect();
            let answers = ctx.graph().send_all(items, || false, |_, _| {}).await;
            names.update(|n| {
                for id in &unnamed {
                    if let Some(Ok(r)) = answers.get(id) {
                        if let Some(u) = r
                            .body
                            .clone()
                            .and_then(|b| serde_json::from_value::<User>(b).ok())
                        {
                            n.insert(id.clone(), u);
                        }
                    }
                }
            });
        }
        let refs: Vec<&Tracked> = open.iter().collect();
        let answers = ctx
            .graph()
            .send_all(tracking::round_items(&refs), || false, |_, _| {})
            .await;
        let at = browser::now_ms();
        let mut changed = false;
        let mut error = None;
        progress.update(|p| {
            for (i, t) in open.iter().enumerate() {
                let passes = page_of::<TemporaryAccessPass>(&answers, &format!("{i}p"));
                let methods = page_of::<AuthMethod>(&answers, &format!("{i}m"));
                let (Some(passes), Some(methods)) = (passes, methods) else {
                    if let Some(Err(e)) = answers.get(&format!("{i}p")) {
                        error = Some(e.clone());
                    }
                    continue;
                };
                let next = tracking::assess(t.since, &passes, &methods, at);
                if p.get(&t.id) != Some(&next) {
                    changed = true;
                    p.insert(t.id.clone(), next);
                }
            }
        });
        failure.set(error);
        let wait = tracking::next_interval(
            interval_s.get_untracked(),
            first_s,
            changed,
            retry_after(&answers),
        );
        interval_s.set(wait);
        next_at.set(browser::now_ms() + f64::from(wait) * 1000.0);
        rounds.update(|r| *r += 1);
    };

    Effect::new(move |_| {
        let unchecked = ctx
            .tracked
            .with(|l| progress.with_untracked(|p| l.iter().any(|t| !p.contains_key(&t.id))));
        if active.get() && unchecked {
            check_now.set(true);
        }
    });
    let loop_alive = alive.clone();
    leptos::task::spawn_local(async move {
        while loop_alive.load(Ordering::Relaxed) {
            gloo_timers::future::sleep(TICK).await;
            now.try_set(browser::now_ms());
            let Some(is_hidden) = hidden.try_get_untracked() else {
                break;
            };
            let due = browser::now_ms() >= next_at.get_untracked() || check_now.get_untracked();
            if is_hidden || !due || ctx.tracked.with_untracked(Vec::is_empty) {
                continue;
            }
            if check_now.get_untracked() {
                interval_s.set(first_s);
                check_now.set(false);
            }
            checking.set(true);
            round().await;
            checking.try_set(false);
        }
    });

    // The row whose "Revoke pass now" waits for its confirmation, like every other delete.
    let confirming: RwSignal<Option<String>> = RwSignal::new(None);
    let revoke = move |user_id: String, pass_id: String| {
        confirming.set(None);
        leptos::task::spawn_local(async move {
            let (u, p) = (user_id.clone(), pass_id.clone());
            let result = ctx.graph().send(api::delete_pass(&u, &p)).await;
            match result {
                Ok(()) => {}
                Err(e) if e.status == 404 => {}
                Err(e) => return failure.set(Some(e)),
            }
            progress.update(|p| {
                if let Some(x) = p.get_mut(&user_id) {
                    x.pass_id = None;
                }
            });
        });
    };
    let stop = move |id: String| {
        ctx.tracked.update(|l| l.retain(|t| t.id != id));
        progress.update(|p| {
            p.remove(&id);
        });
    };
    let clear_finished = move |_| {
        let done: Vec<String> = progress.with_untracked(|p| {
            p.iter()
                .filter(|(_, x)| x.finished())
                .map(|(id, _)| id.clone())
                .collect()
        });
        ctx.tracked.update(|l| l.retain(|t| !done.contains(&t.id)));
    };
    let summary = move || {
        let n = ctx.tracked.with(Vec::len);
        let who = if n == 1 {
            "1 user".to_owned()
        } else {
            format!("{n} users")
        };
        if n == 0 {
            return "Nobody is followed yet: users who get a pass on this page appear here."
                .to_owned();
        }
        if hidden.get() {
            return format!("Following {who}. Paused while this browser tab is hidden.");
        }
        if checking.get() {
            return format!("Following {who}. Checking now…");
        }
        let left = ((next_at.get() - now.get()) / 1000.0).max(0.0).ceil();
        format!("Following {who}. Next check in {left} s (every {} s while nothing changes, up to 5 minutes).", interval_s.get())
    };

    view! {
        <section class="card" aria-labelledby="tracking-title">
            <h2 id="tracking-title">"Onboarding tracker"</h2>
            <p>"Follows each user who got a pass here until they have registered a passkey, Authenticator or Windows Hello: then the pass can go."</p>
            <p id="tracking-status" class="status" role="status">{summary}</p>
            <p id="tracking-rounds" class="field__hint">{move || { let n = rounds.get(); format!("Checked {n} {}.", if n == 1 { "time" } else { "times" }) }}</p>
            <div class="tracking__actions">
                <button type="button" id="tracking-check" class="button" disabled=move || checking.get() on:click=move |_| check_now.set(true)>"Check now"</button>
                <button type="button" id="tracking-clear" class="button button--quiet" on:click=clear_finished>"Stop following finished users"</button>
            </div>
            {move || failure.get().map(|e| view! { <GraphErrorView error=e action=Operation::ReadPasses /> })}
            <table id="tracking" class="table">
                <thead><tr><th scope="col">"User"</th><th scope="col">"Stage"</th><th scope="col">"New methods"</th><th scope="col">"Actions"</th></tr></thead>
                <tbody>
                    {move || ctx.tracked.get().into_iter().map(|t| {
                        let p = progress.with(|p| p.get(&t.id).cloned());
                        let user = names.with(|n| n.get(&t.id).cloned());
                        let stage = p.as_ref().map_or(Stage::Unknown, |p| p.stage);
                        let done = p.as_ref().is_some_and(Progress::finished);
                        let (stop_id, revoke_user) = (t.id.clone(), t.id.clone());
                        let revoke_pass = p.as_ref().and_then(|p| p.pass_id.clone());
                        let who = user.as_ref().map_or_else(|| t.id.clone(), |u| u.name().to_owned());
                        view! {
                            <tr class="tracking__row" data-stage=format!("{stage:?}")>
                                <td>{user.as_ref().map_or_else(|| t.id.clone(), |u| u.name().to_owned())}<br/>
                                    <small>{user.and_then(|u| u.user_principal_name).unwrap_or_default()}</small></td>
                                <td class="tracking__stage">{if done { "Done: passwordless method registered, pass removed" } else { stage.words() }}</td>
                                <td>{p.as_ref().map(|p| p.new_methods.join(", ")).unwrap_or_default()}</td>
                                <td>
                                    {(p.as_ref().is_some_and(Progress::may_revoke) && may_revoke).then(|| {
                                        let (u, pass) = (revoke_user.clone(), revoke_pass.clone().unwrap_or_default());
                                        let asking = confirming.get().as_deref() == Some(u.as_str());
                                        if asking {
                                            let who = who.clone();
                                            view! {
                                                <span class="confirm" role="group">
                                                    <span class="tracking-revoke-question">{format!("Revoke {who}'s pass? It stops working at once.")}</span>
                                                    " "
                                                    <button type="button" class="button button--danger tracking-revoke-confirm" on:click=move |_| revoke(u.clone(), pass.clone())>"Revoke"</button>
                                                    <button type="button" class="button tracking-revoke-cancel" on:click=move |_| confirming.set(None)>"Cancel"</button>
                                                </span>
                                            }.into_any()
                                        } else {
                                            view! { <button type="button" class="button button--danger tracking-revoke" on:click=move |_| confirming.set(Some(u.clone()))>"Revoke pass now"</button> }.into_any()
                                        }
                                    })}
                                    <button type="button" class="button button--quiet tracking-stop" on:click=move |_| stop(stop_id.clone())>"Stop following"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}
