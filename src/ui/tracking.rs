//! The Tracking screen: every user who got a pass here is followed until they have registered a
//! passwordless method. Rounds read each open user's pass and methods in `$batch`es; the wait
//! between rounds doubles while nothing changes (up to 5 minutes) and nothing is read while the
//! browser tab is hidden. Once a passkey exists, "Delete pass" ends the pass (one at a time, or
//! "Revoke passes of everyone who finished" in `$batch`es), and a phone still registered can be
//! removed (asking for `UserAuthenticationMethod.ReadWrite.All` on first use). For an admin
//! scoped to administrative units, followed users outside them are marked out of reach, with
//! the reason, and get no writes.
//!
//! Announcements: the live region `#tracking-news` says each user whose stage changed and each
//! deletion; the status line with its countdown is not live (it changes every half second).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::hooks::use_document_visibility;
use super::{browser, Ctx, GraphErrorView};
use crate::config::WRITE_PERMISSION;
use crate::graph::models::User;
use crate::graph::{api, GraphError};
use crate::holders;
use crate::messages::Operation;
use crate::permission::METHODS_WRITE;
use crate::tracking::passkey::{self, Phone};
use crate::tracking::{self, Looking, Progress, Stage, Tracked};

/// How often the loop looks at the clock, visibility and "Check now".
const TICK: Duration = Duration::from_millis(500);

/// What the table shows of the followed users: progress and names, by object id; and what the
/// live region last said.
#[derive(Clone, Copy)]
struct Known {
    progress: RwSignal<HashMap<String, Progress>>,
    names: RwSignal<HashMap<String, User>>,
    news: RwSignal<String>,
    /// For a unit-scoped admin: each followed user's reach as read (`Some(reason)`: out).
    reach: RwSignal<HashMap<String, Option<String>>>,
    /// The bulk revocation's result, one line per user.
    results: RwSignal<Vec<String>>,
}

impl Known {
    /// A followed user's name, or their object id until it is read.
    fn name(self, id: &str) -> String {
        self.names
            .with_untracked(|n| n.get(id).map(|u| u.name().to_owned()))
            .unwrap_or_else(|| id.to_owned())
    }

    /// Why a followed user is out of the admin's reach, once read.
    fn out_of_reach(self, id: &str) -> Option<String> {
        self.reach.with(|r| r.get(id).cloned().flatten())
    }
}

/// The selector of a control in the row of user `id`.
fn in_row(id: &str, class: &str) -> String {
    format!("#tracking tr[data-user=\"{id}\"] .{class}")
}

/// One round: names of users not named yet, then passes and methods of every open user.
/// Returns whether anything changed and the longest `Retry-After`, and sets `failure`.
async fn round(
    ctx: Ctx,
    known: Known,
    failure: RwSignal<Option<GraphError>>,
) -> Option<(bool, Option<u32>)> {
    let open = ctx.tracked.with_untracked(|list| {
        known
            .progress
            .with_untracked(|p| tracking::open_users(list, p))
    });
    if open.is_empty() {
        return None;
    }
    let unnamed = known.names.with_untracked(|n| tracking::unnamed(&open, n));
    if !unnamed.is_empty() {
        let answers = ctx
            .graph()
            .send_all(tracking::name_items(&unnamed), || false, |_, _| {})
            .await;
        let read = tracking::names_read(&unnamed, |id| answers.get(id).cloned());
        known.names.update(|n| n.extend(read));
    }
    // A unit-scoped admin: who is out of reach is read once per user, and they are not read.
    if ctx.scope.with_untracked(|k| k.unit_ids().is_some()) {
        let unread: Vec<String> = known.reach.with_untracked(|r| {
            open.iter()
                .filter(|t| !r.contains_key(&t.id))
                .map(|t| t.id.clone())
                .collect()
        });
        if !unread.is_empty() {
            let answers = ctx
                .graph()
                .send_all(passkey::reach_items(&unread), || false, |_, _| {})
                .await;
            let read = ctx.scope.with_untracked(|k| {
                passkey::reach_read(
                    &unread,
                    |id| answers.get(id).cloned(),
                    k,
                    |id| known.name(id),
                )
            });
            known.reach.update(|r| r.extend(read));
        }
    }
    let open: Vec<Tracked> = known.reach.with_untracked(|r| {
        open.into_iter()
            .filter(|t| !matches!(r.get(&t.id), Some(Some(_))))
            .collect()
    });
    if open.is_empty() {
        return Some((false, None));
    }
    let refs: Vec<&Tracked> = open.iter().collect();
    let answers = ctx
        .graph()
        .send_all(tracking::round_items(&refs), || false, |_, _| {})
        .await;
    let reading = known.progress.with_untracked(|p| {
        tracking::read_round(&open, p, |id| answers.get(id).cloned(), browser::now_ms())
    });
    let changed = !reading.changed.is_empty();
    let news = known.progress.with_untracked(|before| {
        tracking::news_words(&reading.changed, before, |id| known.name(id))
    });
    if let Some(news) = news {
        known.news.set(news);
    }
    known.progress.update(|p| p.extend(reading.changed));
    failure.set(reading.error);
    Some((changed, reading.retry_after_s))
}

/// The Tracking tab.
#[component]
pub fn Tracking(ctx: Ctx, active: Signal<bool>) -> impl IntoView {
    let first_s = ctx
        .session
        .with_value(|s| s.config().track_interval_seconds);
    let known = Known {
        progress: RwSignal::new(HashMap::new()),
        names: RwSignal::new(HashMap::new()),
        news: RwSignal::new(String::new()),
        reach: RwSignal::new(HashMap::new()),
        results: RwSignal::new(Vec::new()),
    };
    let progress = known.progress;
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

    Effect::new(move |_| {
        let unchecked = ctx
            .tracked
            .with(|l| progress.with_untracked(|p| l.iter().any(|t| !p.contains_key(&t.id))));
        if active.get() && unchecked {
            check_now.set(true);
        }
    });
    // "Delete pass": already gone counts as deleted; the row forgets the pass, the live region
    // says so and focus goes to it (the row's button is gone).
    let revoke = Action::new_local(move |(user_id, pass_id): &(String, String)| {
        let (user_id, pass_id) = (user_id.clone(), pass_id.clone());
        let (u, p) = (user_id.clone(), pass_id.clone());
        async move {
            let result = holders::deleted(ctx.graph().send(api::delete_pass(&u, &p)).await);
            let name = known.name(&user_id);
            if result.is_ok() {
                progress.update(|p| tracking::pass_revoked(p, &user_id));
                known.news.set(tracking::deleted_words(&name));
            } else {
                known.news.set(tracking::not_deleted_words(&name));
            }
            browser::focus_soon("#tracking-news");
            result
        }
    });
    // "Revoke passes of everyone who finished": one `$batch` run, each user's result in words.
    let revoke_all = Action::new_local(move |list: &Vec<(String, String)>| {
        let list = list.clone();
        async move {
            let answers = ctx
                .graph()
                .send_all(passkey::revoke_items(&list), || false, |_, _| {})
                .await;
            let outcomes = passkey::revoke_outcomes(&list, |id| answers.get(id).cloned());
            progress.update(|p| {
                for (id, r) in &outcomes {
                    if r.gone() {
                        tracking::pass_revoked(p, id);
                    }
                }
            });
            known.results.set(
                outcomes
                    .iter()
                    .map(|(id, r)| passkey::revoked_words(&known.name(id), r))
                    .collect(),
            );
            known.news.set(passkey::revoked_summary(&outcomes));
            browser::focus_soon("#tracking-news");
        }
    });
    // Removing a phone left after a passkey: already gone counts as removed.
    let remove_phone = Action::new_local(move |(user_id, phone): &(String, Phone)| {
        let (user_id, phone) = (user_id.clone(), phone.clone());
        async move {
            let result = passkey::removed(
                ctx.graph()
                    .send(api::delete_phone_method(&user_id, &phone.id))
                    .await,
            );
            if result.is_ok() {
                progress.update(|p| passkey::phone_removed(p, &user_id, &phone.id));
            }
            known.news.set(passkey::phone_removed_words(
                &known.name(&user_id),
                &phone,
                &result,
            ));
            browser::focus_soon("#tracking-news");
            result
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
            if let Some((changed, retry_after)) = round(ctx, known, failure).await {
                let wait = tracking::next_interval(
                    interval_s.get_untracked(),
                    first_s,
                    changed,
                    retry_after,
                );
                interval_s.set(wait);
                next_at.set(browser::now_ms() + f64::from(wait) * 1000.0);
                rounds.update(|r| *r += 1);
                // Like a round's failure, a revocation's is shown until the next round.
                if !revoke.pending().get_untracked() {
                    revoke.clear();
                }
                if !remove_phone.pending().get_untracked() {
                    remove_phone.clear();
                }
            }
            checking.try_set(false);
        }
    });

    let clear_finished = move |_| {
        let done = progress.with_untracked(tracking::finished_ids);
        ctx.tracked.update(|l| l.retain(|t| !done.contains(&t.id)));
    };
    let summary = move || {
        tracking::status_words(Looking {
            followed: ctx.tracked.with(Vec::len),
            hidden: hidden.get(),
            checking: checking.get(),
            next_in_ms: next_at.get() - now.get(),
            interval_s: interval_s.get(),
        })
    };
    let may_revoke = ctx.may(WRITE_PERMISSION);
    let finished = move || {
        ctx.tracked.with(|l| {
            progress.with(|p| {
                known.reach.with(|r| {
                    passkey::finished_with_pass(l.iter().map(|t| t.id.as_str()), p, |id| {
                        !matches!(r.get(id), Some(Some(_)))
                    })
                })
            })
        })
    };
    let confirming_all = RwSignal::new(false);
    let close_all = move || {
        confirming_all.set(false);
        browser::focus_soon("#tracking-revoke-all");
    };
    // A round's failure first, else a revocation's.
    let shown_failure = move || {
        failure
            .get()
            .or_else(|| revoke.value().get().and_then(Result::err))
    };

    view! {
        <section class="card" aria-labelledby="tracking-title">
            <h2 id="tracking-title">"Tracking"</h2>
            <p>"Follows each user who got a pass here until they have registered a passkey or Windows Hello: then the pass can be revoked, and a phone left behind removed."</p>
            <div class="tracking__actions command-bar">
                <button type="button" id="tracking-check" class="button button--primary" disabled=move || checking.get() on:click=move |_| {
                    check_now.set(true);
                    // The button is disabled while the round runs: focus goes to what it does.
                    browser::focus_soon("#tracking-status");
                }>"Check now"</button>
                <button type="button" id="tracking-clear" class="button button--quiet" on:click=clear_finished>"Stop following finished users"</button>
                <Show when=move || may_revoke>
                    <button type="button" id="tracking-revoke-all" class="button button--danger"
                        disabled=move || finished().is_empty() || revoke_all.pending().get()
                        on:click=move |_| {
                            confirming_all.set(true);
                            browser::focus_soon("#tracking-revoke-all-cancel");
                        }>"Revoke passes of everyone who finished"</button>
                </Show>
            </div>
            {move || confirming_all.get().then(|| {
                let list = finished();
                view! {
                    <p class="confirm" role="group" aria-label="Revoke the passes of everyone who finished?"
                        on:keydown=move |ev| if ev.key() == "Escape" { close_all() }>
                        <span id="tracking-revoke-all-question">{passkey::revoke_all_question(list.len())}</span>
                        " "
                        <button type="button" id="tracking-revoke-all-cancel" class="button" on:click=move |_| close_all()>"Cancel"</button>
                        <button type="button" id="tracking-revoke-all-confirm" class="button button--danger" on:click=move |_| {
                            confirming_all.set(false);
                            known.news.set(format!("Revoking {}…", crate::messages::count(list.len(), "pass", "passes")));
                            browser::focus_soon("#tracking-news");
                            revoke_all.dispatch_local(list.clone());
                        }>"Revoke"</button>
                    </p>
                }
            })}
            // Not a live region: the countdown in it changes every half second.
            <p id="tracking-status" class="status" tabindex="-1">{summary}</p>
            <p id="tracking-rounds" class="field__hint">{move || tracking::rounds_words(rounds.get())}</p>
            <p id="tracking-news" class="status" role="status" tabindex="-1">{move || known.news.get()}</p>
            {move || shown_failure().map(|e| view! { <GraphErrorView error=e action=Operation::ReadPasses /> })}
            {move || remove_phone.value().get().and_then(Result::err).map(|e| view! { <GraphErrorView error=e action=Operation::DeletePhone /> })}
            <Show when=move || !known.results.with(Vec::is_empty)>
                <ul id="tracking-revoke-results" class="status">
                    {move || known.results.get().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                </ul>
            </Show>
            <Show when=move || !ctx.tracked.with(Vec::is_empty) fallback=|| view! { <p id="tracking-empty" class="empty">{tracking::EMPTY}</p> }>
                <TrackingTable ctx=ctx known=known revoke=revoke remove_phone=remove_phone />
            </Show>
        </section>
    }
}

/// The followed users, one row each, keyed by object id.
#[component]
fn TrackingTable(
    ctx: Ctx,
    known: Known,
    revoke: Action<(String, String), Result<(), GraphError>>,
    remove_phone: Action<(String, Phone), Result<(), GraphError>>,
) -> impl IntoView {
    let may_revoke = ctx.may(WRITE_PERMISSION);
    // The row whose "Delete pass" waits for its confirmation, like every other delete.
    let confirming: RwSignal<Option<String>> = RwSignal::new(None);
    // The phone (user id, method id) whose removal waits for its confirmation.
    let phone_confirming: RwSignal<Option<(String, String)>> = RwSignal::new(None);
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Tracked users">
        <table id="tracking" class="table">
            <thead><tr><th scope="col">"User"</th><th scope="col">"Stage"</th><th scope="col">"Passkey"</th><th scope="col">"Flags"</th><th scope="col">"Actions"</th></tr></thead>
            <tbody>
                <For each=move || ctx.tracked.get() key=|t: &Tracked| t.id.clone() let:t>
                    <TrackingRow ctx=ctx id=t.id known=known may_revoke=may_revoke confirming=confirming revoke=revoke phone_confirming=phone_confirming remove_phone=remove_phone />
                </For>
            </tbody>
        </table>
        </div>
    }
}

/// One followed user: name, stage, new methods, "Delete pass" (confirmed) and "Stop following";
/// every button names the user.
#[component]
fn TrackingRow(
    ctx: Ctx,
    id: String,
    known: Known,
    may_revoke: bool,
    confirming: RwSignal<Option<String>>,
    revoke: Action<(String, String), Result<(), GraphError>>,
    phone_confirming: RwSignal<Option<(String, String)>>,
    remove_phone: Action<(String, Phone), Result<(), GraphError>>,
) -> impl IntoView {
    let id = StoredValue::new(id);
    let out_of_reach = move || known.out_of_reach(&id.get_value());
    let progress = move || {
        known
            .progress
            .with(|p| id.with_value(|id| p.get(id).cloned()))
    };
    let user = move || known.names.with(|n| id.with_value(|id| n.get(id).cloned()));
    let name = move || user().map_or_else(|| id.get_value(), |u| u.name().to_owned());
    let stop = move |_| {
        let id = id.get_value();
        ctx.tracked.update(|l| l.retain(|t| t.id != id));
        known.progress.update(|p| {
            p.remove(&id);
        });
        // The row and its buttons are gone: focus goes to the status line.
        browser::focus_soon("#tracking-status");
    };
    // Cancel and Escape close the question and give focus back to "Delete pass".
    let close = move || {
        confirming.set(None);
        browser::focus_soon(in_row(&id.get_value(), "tracking-revoke"));
    };
    let actions = move || {
        let p = progress()?;
        (p.may_revoke() && may_revoke && out_of_reach().is_none()).then(|| {
            let pass = p.pass_id.clone().unwrap_or_default();
            if confirming.get().as_deref() == Some(id.get_value().as_str()) {
                let who = name();
                view! {
                    <span class="confirm" role="group" aria-label=format!("Delete the pass of {who}?")
                        on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                        <span class="tracking-revoke-question">{format!("Delete {who}'s pass? It stops working at once.")}</span>
                        " "
                        <button type="button" class="button tracking-revoke-cancel" aria-label=format!("Cancel, keep the pass of {who}") on:click=move |_| close()>"Cancel"</button>
                        <button type="button" class="button button--danger tracking-revoke-confirm" aria-label=format!("Delete the pass of {who}") on:click=move |_| {
                            confirming.set(None);
                            known.news.set(format!("Deleting {}'s pass…", name()));
                            browser::focus_soon("#tracking-news");
                            revoke.dispatch_local((id.get_value(), pass.clone()));
                        }>"Delete"</button>
                    </span>
                }.into_any()
            } else {
                view! { <button type="button" class="button button--danger tracking-revoke" aria-label=move || format!("Delete pass of {}", name())
                    on:click=move |_| {
                        confirming.set(Some(id.get_value()));
                        // The question's first button: Cancel, so a second Enter keeps the pass.
                        browser::focus_soon(in_row(&id.get_value(), "tracking-revoke-cancel"));
                    }>"Delete pass"</button> }.into_any()
            }
        })
    };
    // One "Remove … phone" per phone left after a passkey (confirmed; the write permission is
    // asked for on first use), never for a user out of reach.
    let phone_actions = move || {
        let p = progress()?;
        if p.passkeys.is_empty()
            || out_of_reach().is_some()
            || !passkey::may_remove_phones(ctx.capability())
        {
            return None;
        }
        let user_id = id.get_value();
        Some(p.phones.into_iter().map(|phone| {
            let key = (user_id.clone(), phone.id.clone());
            let what = phone.words();
            let selector = format!("#tracking tr[data-user=\"{user_id}\"] .tracking-phone-remove[data-phone=\"{}\"]", phone.id);
            if phone_confirming.get().as_ref() == Some(&key) {
                let who = name();
                let back = selector.clone();
                let close = move || {
                    phone_confirming.set(None);
                    browser::focus_soon(back.clone());
                };
                let close2 = close.clone();
                let target = (user_id.clone(), phone.clone());
                view! {
                    <span class="confirm" role="group" aria-label=format!("Remove the {what} of {who}?")
                        on:keydown=move |ev| if ev.key() == "Escape" { close() }>
                        <span class="tracking-phone-question">{format!("Remove {who}'s {what}? SMS and voice calls to it stop working for sign-in.")}</span>
                        " "
                        <button type="button" class="button tracking-phone-cancel" aria-label=format!("Cancel, keep the {what} of {who}") on:click=move |_| close2()>"Cancel"</button>
                        <button type="button" class="button button--danger tracking-phone-confirm" aria-label=format!("Remove the {what} of {who}") on:click=move |_| {
                            phone_confirming.set(None);
                            if !ctx.may(METHODS_WRITE.name) {
                                ctx.grant(&[METHODS_WRITE.name]);
                                return;
                            }
                            known.news.set(format!("Removing {}'s {}…", name(), target.1.words()));
                            browser::focus_soon("#tracking-news");
                            remove_phone.dispatch_local(target.clone());
                        }>"Remove"</button>
                    </span>
                }.into_any()
            } else {
                let cancel = format!("#tracking tr[data-user=\"{user_id}\"] .tracking-phone-cancel");
                let label = format!("Remove the {what} of {}", name());
                view! { <button type="button" class="button button--danger tracking-phone-remove" data-phone=phone.id.clone() aria-label=label
                    on:click=move |_| {
                        phone_confirming.set(Some(key.clone()));
                        browser::focus_soon(cancel.clone());
                    }>{format!("Remove {what}")}</button> }.into_any()
            }
        }).collect_view())
    };
    let flags = move || progress().map(|p| passkey::flags(&p)).unwrap_or_default();
    let stage_cell = move || match out_of_reach() {
        Some(reason) => format!("Out of reach: {reason}"),
        None => tracking::stage_words(progress().as_ref()).to_owned(),
    };
    let reach_code = move || {
        if out_of_reach().is_some() {
            "out"
        } else {
            "in"
        }
    };
    let flag_codes = move || {
        flags()
            .iter()
            .map(passkey::Flag::code)
            .collect::<Vec<_>>()
            .join(" ")
    };
    let passkey_codes = move || {
        progress()
            .map(|p| {
                p.passkeys
                    .iter()
                    .map(passkey::Passkey::code)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    view! {
        <tr class="tracking__row" data-user=id.get_value()
            data-stage=move || format!("{:?}", progress().map_or(Stage::Unknown, |p| p.stage))
            data-reach=reach_code data-flags=flag_codes data-passkeys=passkey_codes>
            <td>{name}<br/>
                <small>{move || user().and_then(|u| u.user_principal_name).unwrap_or_default()}</small></td>
            <td class="tracking__stage">{stage_cell}</td>
            <td class="tracking__passkeys">{move || progress().map(|p| p.new_methods.join(", ")).unwrap_or_default()}</td>
            <td class="tracking__flags">
                <ul class="tracking__flag-list">
                    {move || flags().into_iter().map(|f| view! { <li class=format!("tracking-flag tracking-flag--{}", f.code())>{f.words()}</li> }).collect_view()}
                </ul>
            </td>
            <td>
                {actions}
                {phone_actions}
                <button type="button" class="button button--quiet tracking-stop" aria-label=move || format!("Stop following {}", name()) on:click=stop>"Stop following"</button>
            </td>
        </tr>
    }
}
