//! The new pass, shown once: masked with a reveal toggle, a copy button and a countdown; "Done"
//! (or leaving the page, or a timeout) removes it from the page and from memory.

use crate::ui::hooks::*;
use std::cell::Cell;
use std::time::Duration;

use leptos::prelude::*;

use super::handover::HandoverMessage;
use super::{browser, Ctx};
use crate::graph::models::{TemporaryAccessPass, User};
use crate::secret::Secret;
use crate::storage;
use crate::tap;
use crate::tap::guard::{self, Handled};

/// What the page knows about the clipboard: it never reads it (security item 25), so only what
/// it wrote and whether its last clear went through.
#[derive(Clone, Copy, Default)]
struct Clipboard {
    /// Copies made by the page so far; a timed clear belongs to the latest one only.
    copies: u32,
    /// A secret was copied and no clear has gone through since.
    pending: bool,
    /// The browser refused the last clear (Chromium: tab not focused; Firefox and Safari: no
    /// fresh click), so the next focus or click tries again.
    refused: bool,
    /// The focus, click and `pagehide` listeners are in place.
    listening: bool,
}

thread_local! {
    static CLIPBOARD: Cell<Clipboard> = Cell::new(Clipboard::default());
    /// The page-wide notice while a pass may still be on the clipboard (shown by
    /// [`ClipboardNotice`], even after the pass itself left the screen).
    static NOTICE: RwSignal<Option<&'static str>> = RwSignal::new(None);
}

/// Said on screen while the page could not clear the clipboard.
pub const NOT_CLEARED: &str = "The page could not clear the clipboard: the pass may still be on your clipboard. It is cleared when you come back to this tab or click on it; or copy something else over it.";

fn clipboard() -> Clipboard {
    CLIPBOARD.with(Cell::get)
}

fn update(f: impl FnOnce(&mut Clipboard)) {
    CLIPBOARD.with(|c| {
        let mut v = c.get();
        f(&mut v);
        c.set(v);
    });
}

fn notice() -> RwSignal<Option<&'static str>> {
    NOTICE.with(|n| *n)
}

/// Copies `text` (a secret: the pass, or a message holding it) on the admin's click, says so in
/// `status`, and clears the clipboard after `clear_after` unless the page copied again since.
/// A clear the browser refuses is tried again on the next focus or click, said on screen
/// meanwhile; Sign out and leaving the page clear too.
pub fn copy_secret(text: Secret, clear_after: Duration, status: RwSignal<Option<&'static str>>) {
    listen();
    let mut mine = 0;
    update(|c| {
        c.copies += 1;
        mine = c.copies;
    });
    leptos::task::spawn_local(async move {
        if !browser::copy_text(text.expose()).await {
            status.try_set(Some("Copy failed: reveal the pass and copy it by hand."));
            return;
        }
        drop(text);
        update(|c| {
            c.pending = true;
            c.refused = false;
        });
        storage::set(storage::CLIPBOARD, "1");
        notice().try_set(None);
        status.try_set(Some("Copied. The clipboard will be cleared shortly."));
        gloo_timers::future::sleep(clear_after).await;
        // The page never reads the clipboard, so it cannot tell whether something else was
        // copied meanwhile; it clears only if this was the page's latest copy, even after "Done".
        if clipboard().copies == mine {
            clear_clipboard().await;
        }
    });
}

/// Clears the clipboard if a secret the page copied may still be on it; says on screen when the
/// browser refuses. Returns once the browser answered.
pub async fn clear_clipboard() {
    if !clipboard().pending {
        return;
    }
    let copies = clipboard().copies;
    let cleared = browser::copy_text("").await;
    update(|c| {
        // A copy made while this clear was under way is not cleared by it.
        if c.copies == copies {
            c.pending = !cleared;
            c.refused = !cleared;
        }
    });
    if !clipboard().pending {
        storage::remove(storage::CLIPBOARD);
    }
    notice().try_set(clipboard().refused.then_some(NOT_CLEARED));
}

/// On page load: when the page before a reload or navigation in this tab left a copied pass on
/// the clipboard (the clear on `pagehide` cannot be waited for), clears it now, or on the next
/// focus or click if the browser refuses.
pub fn resume_clipboard_clear() {
    if storage::get(storage::CLIPBOARD).is_none() {
        return;
    }
    listen();
    update(|c| {
        c.pending = true;
        c.refused = true;
    });
    leptos::task::spawn_local(clear_clipboard());
}

/// Puts the page-wide listeners in place once: a refused clear is tried again on the next focus
/// or click (a click is the fresh user action Firefox and Safari ask for), and leaving the page
/// (reload, navigation, closing the tab) clears without waiting for the timer.
fn listen() {
    if clipboard().listening {
        return;
    }
    update(|c| c.listening = true);
    let again = || {
        if clipboard().refused {
            leptos::task::spawn_local(clear_clipboard());
        }
    };
    // The handles are dropped on purpose: these listeners live as long as the page.
    let _ = window_event_listener(leptos::ev::focus, move |_| again());
    let _ = window_event_listener(leptos::ev::pointerdown, move |_| again());
    let _ = window_event_listener(leptos::ev::keydown, move |_| again());
    let _ = window_event_listener(leptos::ev::pagehide, move |_| {
        if clipboard().pending {
            // Tried, but the page may be gone before the browser acts on it (Chromium drops
            // it): the sessionStorage flag makes the next page in this tab clear.
            leptos::task::spawn_local(clear_clipboard());
        }
    });
}

/// The page-wide notice shown while a pass may still be on the clipboard.
#[component]
pub fn ClipboardNotice() -> impl IntoView {
    let notice = notice();
    move || {
        notice.get().map(|text| {
            view! { <p id="clipboard-notice" class="notice notice--warning" role="alert">{text}</p> }
        })
    }
}

/// The shown-once pass, and its hand-over message for `user`. `on_done` must drop the
/// caller's copy.
#[component]
pub fn RevealedPass(
    pass: TemporaryAccessPass,
    user: User,
    /// The target's admin roles (names); `None` when they could not be read.
    target_roles: Option<Vec<String>>,
    ctx: Ctx,
    on_done: Callback<()>,
    clear_clipboard_after: Duration,
    show_at_most: Duration,
) -> impl IntoView {
    // What the admin did with the pass: Done asks first while it is nothing (`tap::guard`).
    let handled = RwSignal::new(Handled::default());
    let asking = RwSignal::new(false);
    let handover_handed = RwSignal::new(false);
    Effect::new(move |_| {
        if handover_handed.get() {
            handled.update(|h| h.copied = true);
        }
    });
    let done = move || {
        if handled.get_untracked().done_asks() {
            asking.set(true);
            browser::focus_soon("#done-anyway");
        } else {
            on_done.run(());
        }
    };
    let keep = move || {
        asking.set(false);
        browser::focus_soon("#done");
    };
    let status = tap::status(&pass, browser::now_ms());
    // The page's only copy of the pass: zeroed when the view goes (best effort, see `Secret`).
    let value = StoredValue::new_local(pass.temporary_access_pass.clone().unwrap_or_default());
    drop(pass);
    let length = value.with_value(Secret::chars);
    let revealed = RwSignal::new(false);
    let copied: RwSignal<Option<&'static str>> = RwSignal::new(None);
    let now = use_now(Duration::from_secs(1));
    if let Ok(handle) = set_timeout_with_handle(move || on_done.run(()), show_at_most) {
        on_cleanup(move || handle.clear());
    }
    use_page_hide(move || on_done.run(()));

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
    let copy = move |_| {
        handled.update(|h| h.copied = true);
        copy_secret(value.get_value(), clear_clipboard_after, copied)
    };
    let facts_value = value;
    let kind = if status.one_time {
        "One-time pass"
    } else {
        "Multi-use pass"
    };

    view! {
        <section id="new-pass" class="card reveal" aria-labelledby="reveal-title">
            <h3 id="reveal-title" tabindex="-1">"New Temporary Access Pass"</h3>
            <p class="reveal__warning">"Shown only now: hand it to the user safely. It cannot be shown again."</p>
            <p class="reveal__value">
                <code id="pass-value" class="tap-card__value" class:tap-card__value--masked=move || !revealed.get() aria-live="polite">
                    {move || if revealed.get() { value.with_value(|v| v.expose().to_owned()) } else { "•".repeat(length) }}
                </code>
            </p>
            <div class="reveal__actions">
                <button type="button" id="reveal" class="button" aria-pressed=move || revealed.get().to_string()
                    on:click=move |_| {
                        revealed.update(|r| *r = !*r);
                        handled.update(|h| h.revealed = true);
                    }>
                    {move || if revealed.get() { "Hide" } else { "Reveal" }}
                </button>
                <button type="button" id="copy" class="button" on:click=copy>"Copy"</button>
                <button type="button" id="done" class="button button--primary" on:click=move |_| done()>"Done"</button>
            </div>
            <Show when=move || asking.get()>
                <div id="done-confirm" class="confirm" role="alertdialog" aria-labelledby="done-confirm-text"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { ev.prevent_default(); keep(); }>
                    <p id="done-confirm-text">{guard::DONE_UNSEEN}</p>
                    <button type="button" id="done-anyway" class="button button--danger" on:click=move |_| on_done.run(())>"Close it anyway"</button>
                    <button type="button" id="done-keep" class="button" on:click=move |_| keep()>"Keep the pass"</button>
                </div>
            </Show>
            <p class="status" role="status">{move || copied.get()}</p>
            <p id="pass-timing">{kind}". "{timing}</p>
            <HandoverMessage value=facts_value starts_ms=starts ends_ms=ends one_time=status.one_time
                user=user target_roles=target_roles ctx=ctx clear_clipboard_after=clear_clipboard_after copy_secret=copy_secret handed=handover_handed />
        </section>
    }
}
