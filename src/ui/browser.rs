//! Thin wrappers over the browser APIs the views use: clock, address bar, Intl dates, clipboard.
//!
//! Platform differences stay here so the views read as plain Rust.

use wasm_bindgen::JsValue;

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The page's full address.
pub fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// This page's address without query and fragment: the default redirect URI.
pub fn page_address() -> String {
    let href = href();
    match url::Url::parse(&href) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            u.to_string()
        }
        Err(_) => href,
    }
}

/// Replaces the address bar's URL without a navigation or a history entry.
pub fn replace_address(url: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
    }
}

/// Navigates the tab to `url` (a top-level redirect).
pub fn navigate(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(url);
    }
}

/// Reloads the page.
pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

fn intl_options(pairs: &[(&str, &str)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

/// Formats an instant in the browser's time zone and locale, e.g. "27 Nov 2026, 09:00".
pub fn local_datetime(ms: f64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(ms));
    let options = intl_options(&[("dateStyle", "medium"), ("timeStyle", "short")]);
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options.into()).format();
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The browser's IANA time zone name, e.g. "Europe/Berlin".
pub fn time_zone() -> String {
    let options = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
        .resolved_options();
    js_sys::Reflect::get(&options, &JsValue::from_str("timeZone"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "local time".into())
}

/// Reads a `datetime-local` value ("2026-11-27T09:00") as local time; `None` if empty or invalid.
pub fn parse_local_input(value: &str) -> Option<f64> {
    if value.trim().is_empty() {
        return None;
    }
    let t = js_sys::Date::new(&JsValue::from_str(value)).get_time();
    (!t.is_nan()).then_some(t)
}

/// Returns the `datetime-local` value of tomorrow at `hour`:00 local time.
pub fn tomorrow_at(hour: u32) -> String {
    let d = js_sys::Date::new_0();
    d.set_date(d.get_date() + 1);
    d.set_hours(hour);
    d.set_minutes(0);
    d.set_seconds(0);
    d.set_milliseconds(0);
    format!(
        "{:04}-{:02}-{:02}T{:02}:00",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        hour
    )
}

/// Writes `text` to the clipboard (only ever called from a click). Returns false if the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}
