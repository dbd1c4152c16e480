//! In-browser tests (wasm-bindgen-test in headless Chromium) of the code that needs real browser APIs:
//! Web Storage, Intl dates, the local date-time input, and the start-up phases of the app.
#![cfg(target_arch = "wasm32")]

use tapdesk::storage::{self, Area, Key};
use tapdesk::ui::browser;
use wasm_bindgen_test::*;

/// Another page's item on the same origin, which a sign-out must leave alone.
const SOMEONE_ELSE: Key = Key {
    name: "someone.else",
    area: Area::Session,
};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn take_reads_once() {
    assert!(storage::set(storage::ATTEMPT, "one attempt"));
    assert_eq!(
        storage::take(storage::ATTEMPT).as_deref(),
        Some("one attempt")
    );
    assert_eq!(storage::take(storage::ATTEMPT), None);
}

#[wasm_bindgen_test]
fn clear_session_removes_every_key_of_ours_only() {
    for &key in storage::SESSION_KEYS {
        storage::set(key, "x");
    }
    storage::set(SOMEONE_ELSE, "kept");
    storage::clear_session();
    for &key in storage::SESSION_KEYS {
        assert_eq!(storage::get(key), None, "{key:?}");
    }
    assert_eq!(storage::get(SOMEONE_ELSE).as_deref(), Some("kept"));
    storage::remove(SOMEONE_ELSE);
}

#[wasm_bindgen_test]
fn local_input_is_read_as_local_time() {
    let tomorrow = browser::tomorrow_at(9);
    assert!(tomorrow.ends_with("T09:00"), "{tomorrow}");
    let ms = browser::parse_local_input(&tomorrow).expect("valid");
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    assert_eq!((d.get_hours(), d.get_minutes()), (9, 0));
    assert!(ms > browser::now_ms());
    assert_eq!(browser::parse_local_input(""), None);
    assert_eq!(browser::parse_local_input("not a date"), None);
}

#[wasm_bindgen_test]
fn dates_are_formatted_with_intl() {
    let text = browser::local_datetime(1_800_000_000_000.0);
    assert!(text.contains("2027"), "{text}");
    assert!(!browser::time_zone().is_empty());
}

#[wasm_bindgen_test]
fn page_address_drops_query_and_fragment() {
    let address = browser::page_address();
    assert!(
        !address.contains('?') && !address.contains('#'),
        "{address}"
    );
    assert!(address.starts_with("http"), "{address}");
}

#[wasm_bindgen_test]
fn a_restored_page_forgets_a_half_done_sign_in() {
    storage::set(storage::ATTEMPT, "{}");
    storage::set(storage::INTERACTION, "1");
    storage::set(storage::HINT, "adele@contoso.com");
    storage::forget_pending_sign_in();
    assert_eq!(storage::get(storage::ATTEMPT), None);
    assert_eq!(storage::get(storage::INTERACTION), None);
    assert_eq!(
        storage::get(storage::HINT).as_deref(),
        Some("adele@contoso.com"),
        "the signed-in hint stays"
    );
    storage::clear_session();
}

#[wasm_bindgen_test]
fn wall_clock_in_a_time_zone_becomes_the_right_instant() {
    let berlin = browser::zoned_to_utc("2026-12-01", "09:00", "Europe/Berlin").expect("valid");
    assert_eq!(
        tapdesk::graph::time::format_utc(berlin),
        "2026-12-01T08:00:00Z"
    );
    let new_york = browser::zoned_to_utc("2026-07-01", "09:00", "America/New_York").expect("valid");
    assert_eq!(
        tapdesk::graph::time::format_utc(new_york),
        "2026-07-01T13:00:00Z"
    );
    let kolkata = browser::zoned_to_utc("2026-07-01", "09:00", "Asia/Kolkata").expect("valid");
    assert_eq!(
        tapdesk::graph::time::format_utc(kolkata),
        "2026-07-01T03:30:00Z"
    );
    assert_eq!(
        browser::zoned_to_utc("2026-07-01", "09:00", "Mars/Olympus"),
        None
    );
    assert_eq!(browser::zoned_to_utc("2026-13-01", "09:00", "UTC"), None);
    assert!(browser::is_time_zone("Europe/Berlin") && !browser::is_time_zone("Berlin"));
    let shown = browser::datetime_in_zone(berlin, Some("Europe/Berlin"));
    assert!(shown.contains("9:00") || shown.contains("09:00"), "{shown}");
}
