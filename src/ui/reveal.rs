//! The new pass, shown once: masked with a reveal toggle, a copy button and a countdown; "Done"
//! (or leaving the page, or a timeout) removes it from the page and from memory.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use leptos::prelude::*;

use super::handover::HandoverMessage;
use super::{browser, Ctx};
use crate::graph::models::{TemporaryAccessPass, User};
use crate::tap;

/// Copies made by the page so far; a clipboard clear belongs to the latest one only.
static COPIES: AtomicU32 = AtomicU32::new(0);

/// Copies `text` (a secret: the pass, or a message holding it) on the admin's click, says so in
/// `status`, and clears the clipboard after `clear_after` unless the page copied again since.
pub fn copy_secret(text: String, clear_after: Duration, status: RwSignal<Option<&'static str>>) {
    // Each copy restarts the clock; only the newest copy's timer may clear.
    let mine = COPIES.fetch_add(1, Ordering::Relaxed) + 1;
    leptos::task::spawn_local(async move {
        if !browser::copy_text(&text).await {
            status.try_set(Some("Copy failed: reveal the pass and copy it by hand."));
            return;
        }
        status.try_set(Some("Copied. The clipboard will be cleared shortly."));
        gloo_timers::future::sleep(clear_after).await;
        // Best effort (security item 25): the page never reads the clipboard, so it cannot
        // tell whether something else was copied meanwhile; it clears only if this was the
        // page's latest copy, even after "Done".
        if COPIES.load(Ordering::Relaxed) == mine {
            browser::copy_text("").await;
        }
    });
}

/// The shown-once pass, and its hand-over message for `user`. `on_done` must drop the
/// caller's copy.
#[component]
pub fn RevealedPass(
    pass: TemporaryAccessPass,
    user: User,
    ctx: Ctx,
    on_done: Callback<()>,
    clear_clipboard_after: Duration,
    show_at_most: Duration,
) -> impl IntoView {
    let status = tap::status(&pass, browser::now_ms());
    let value = StoredValue::new_local(pass.temporary_access_pass.clone().unwrap_or_default());
    let length = value.with_value(|v| v.chars().count());
    let revealed = RwSignal::new(false);
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) =
        set_interval_with_handle(move || now.set(browser::now_ms()), Duration::from_secs(1))
    {
        on_cleanup(move || handle.clear());
    }
    if let Ok(handle) = set_timeout_with_handle(move || on_done.run(()), show_at_most) {
        on_cleanup(move || handle.clear());
    }
    let listener = window_event_listener(leptos::ev::pagehide, move |_| on_done.run(()));
    on_cleanup(move || listener.remove());

    let (starts, ends) = (status.starts_ms, status.ends_ms);
    let timing = move || {
        let t = now.get();
        match (starts, ends) {
            (Some(s), Some(e)) if t < s => format!(
                "Valid from {} until {}. Starts in {}.",
                browser::local_datetime(s),
                browser::local_datetime(e),
                tap::countdown(s - t)
            ),
            (_, Some(e)) if t < e => format!(
                "Valid until {}: {} left.",
                browser::local_datetime(e),
                tap::countdown(e - t)
            ),
            (_, Some(_)) => "This pass has expired.".to_owned(),
            _ => String::new(),
        }
    };
    let copy = move |_| copy_secret(value.get_value(), clear_clipboard_after, copied);
    let facts_value = value;
    let kind = if status.one_time {
        "One-time pass"
    } else {
        "Multi-use pass"
    };

    view! {
        <section id="new-pass" class="card reveal" aria-labelledby="reveal-title">
            <h3 id="reveal-title">"New Temporary Access Pass"</h3>
            <p class="reveal__warning">"Shown only now: hand it to the user safely. It cannot be shown again."</p>
            <p class="reveal__value">
                <code id="pass-value" class="tap-card__value" class:tap-card__value--masked=move || !revealed.get() aria-live="polite">
                    {move || if revealed.get() { value.get_value() } else { "•".repeat(length) }}
                </code>
            </p>
            <div class="reveal__actions">
                <button type="button" id="reveal" class="button" aria-pressed=move || revealed.get().to_string()
                    on:click=move |_| revealed.update(|r| *r = !*r)>
                    {move || if revealed.get() { "Hide" } else { "Reveal" }}
                </button>
                <button type="button" id="copy" class="button" on:click=copy>"Copy"</button>
                <button type="button" id="done" class="button button--primary" on:click=move |_| on_done.run(())>"Done"</button>
            </div>
            <p class="status" role="status">{move || copied.get()}</p>
            <p id="pass-timing">{kind}". "{timing}</p>
            <HandoverMessage value=facts_value starts_ms=starts ends_ms=ends one_time=status.one_time
                user=user ctx=ctx clear_clipboard_after=clear_clipboard_after />
        </section>
    }
}
