//! Small hooks shaped like leptos-use's: each sets up one browser listener or timer for the
//! component that calls it and removes it when that component goes (`on_cleanup`).
//!
//! - [`use_document_visibility`]: whether the browser tab is hidden (Page Visibility API).
//! - [`use_now`]: a clock signal that ticks every `period` (for countdowns and time-outs).
//! - [`use_leave_guard`]: the browser's "leave site?" question while `unsaved()` holds.
//! - [`use_page_hide`]: runs a callback when the page is hidden for good or frozen
//!   (`pagehide`), the moment a pass on screen must be forgotten.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::browser;

/// `true` while the document is hidden (another tab, a minimised window); follows
/// `visibilitychange`.
pub fn use_document_visibility() -> ReadSignal<bool> {
    let (hidden, set_hidden) = signal(document().hidden());
    let on_change = Closure::<dyn Fn()>::new(move || {
        set_hidden.try_set(document().hidden());
    });
    let _ = document()
        .add_event_listener_with_callback("visibilitychange", on_change.as_ref().unchecked_ref());
    let listener = StoredValue::new_local(on_change);
    on_cleanup(move || {
        listener.with_value(|c| {
            let _ = document().remove_event_listener_with_callback(
                "visibilitychange",
                c.as_ref().unchecked_ref(),
            );
        });
    });
    hidden
}

/// The current time (ms since the epoch), set again every `period` while the caller lives.
pub fn use_now(period: Duration) -> ReadSignal<f64> {
    let (now, set_now) = signal(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(move || set_now.set(browser::now_ms()), period) {
        on_cleanup(move || handle.clear());
    }
    now
}

/// Asks the browser's "leave site?" question, with `reason`, whenever the page is about to be
/// left while `unsaved()` is true.
pub fn use_leave_guard(unsaved: impl Fn() -> bool + 'static, reason: &'static str) {
    let guard = window_event_listener(leptos::ev::beforeunload, move |ev| {
        if unsaved() {
            ev.prevent_default();
            ev.set_return_value(reason);
        }
    });
    on_cleanup(move || guard.remove());
}

/// Runs `on_hide` on `pagehide` (tab closed, navigated away, or put in the back/forward cache).
pub fn use_page_hide(on_hide: impl Fn() + 'static) {
    let listener = window_event_listener(leptos::ev::pagehide, move |_| on_hide());
    on_cleanup(move || listener.remove());
}
