//! Thin wrappers over the browser APIs the views use: clock, address bar, Intl dates, clipboard.
//!
//! Platform differences stay here so the views read as plain Rust.

use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Adds a User Timing mark (`performance.mark`), so benchmarks read start-up phases from the
/// browser's own timeline. Names only; never data.
pub fn mark(name: &str) {
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
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

/// Formats an instant in the browser's time zone, with the zone written, e.g.
/// "27 Nov 2026, 09:00 Europe/Berlin": the page's one date format ([`datetime_words`]).
pub fn local_datetime(ms: f64) -> String {
    datetime_in_zone(ms, None)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The page's one date format, from the wall-clock parts (year, month, day, hour, minute) of
/// an instant in `zone`: "27 Nov 2026, 09:00 Europe/Berlin", "1 Dec 2026, 00:05 UTC". The
/// same in every browser locale, and the zone is always written.
pub fn datetime_words(parts: [i64; 5], zone: &str) -> String {
    let [year, month, day, hour, minute] = parts;
    let month = usize::try_from(month - 1)
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("?");
    let zone = match zone {
        "Etc/UTC" | "Etc/GMT" | "GMT" | "Etc/Universal" | "Etc/Zulu" | "Universal" | "Zulu" => {
            "UTC"
        }
        z => z,
    };
    format!("{day} {month} {year}, {hour:02}:{minute:02} {zone}")
}

/// Every IANA time zone the browser knows (`Intl.supportedValuesOf("timeZone")`), or none.
pub fn time_zones() -> Vec<String> {
    let list = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl"))
        .and_then(|intl| js_sys::Reflect::get(&intl, &JsValue::from_str("supportedValuesOf")))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call1(&JsValue::NULL, &JsValue::from_str("timeZone")).ok());
    list.map(|l| {
        js_sys::Array::from(&l)
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    })
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

/// Moves keyboard focus to the first element matching `css` (made focusable from script with
/// `tabindex=-1` when it is not natively); false when there is none or it cannot take focus.
pub fn focus(css: &str) -> bool {
    leptos::prelude::document()
        .query_selector(css)
        .ok()
        .flatten()
        .is_some_and(|e| focus_element(&e))
}

fn natively_focusable(element: &web_sys::Element) -> bool {
    matches!(
        element.tag_name().to_ascii_lowercase().as_str(),
        "a" | "button" | "input" | "select" | "textarea" | "summary"
    )
}

/// Moves focus to `element`, making it focusable from script first (`tabindex=-1`, which keeps
/// it out of the Tab order) when it is not focusable already. Returns true if and only if the
/// element now holds focus.
fn focus_element(element: &web_sys::Element) -> bool {
    let Some(html) = element.dyn_ref::<web_sys::HtmlElement>() else {
        return false;
    };
    if !element.has_attribute("tabindex") && !natively_focusable(element) {
        let _ = element.set_attribute("tabindex", "-1");
    }
    let _ = html.focus();
    leptos::prelude::document()
        .active_element()
        .is_some_and(|active| &active == element)
}

/// Moves keyboard focus to `css` once the view has drawn it: tried after the reactive updates
/// of this turn, then every 25 ms for at most a second (an element that a later answer draws).
pub fn focus_soon(css: impl Into<String>) {
    let css = css.into();
    wasm_bindgen_futures::spawn_local(async move {
        for _ in 0..40 {
            gloo_timers::future::sleep(std::time::Duration::from_millis(25)).await;
            if focus(&css) {
                return;
            }
        }
    });
}

/// Writes `text` to the clipboard (only ever called from a click). Returns false if the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Returns true if and only if the browser's Intl knows the IANA time zone `tz`.
pub fn is_time_zone(tz: &str) -> bool {
    let options = intl_options(&[("timeZone", tz)]);
    // `new Intl.DateTimeFormat(…, {timeZone})` throws a RangeError for unknown zones.
    let construct = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Intl"))
        .and_then(|intl| js_sys::Reflect::get(&intl, &JsValue::from_str("DateTimeFormat")))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(construct) = construct else {
        return false;
    };
    js_sys::Reflect::construct(
        &construct,
        &js_sys::Array::of2(&js_sys::Array::new(), &options),
    )
    .is_ok()
}

/// The wall-clock parts of instant `ms` in `tz` (the browser's own when `None`): (year, month,
/// day, hour, minute).
fn parts_in_zone(ms: f64, tz: Option<&str>) -> Option<[i64; 5]> {
    let mut pairs = vec![
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
    ];
    if let Some(tz) = tz {
        pairs.push(("timeZone", tz));
    }
    let options = intl_options(&pairs);
    let format = js_sys::Intl::DateTimeFormat::new(
        &js_sys::Array::of1(&JsValue::from_str("en-CA")),
        &options,
    );
    let parts = format.format_to_parts(&js_sys::Date::new(&JsValue::from_f64(ms)));
    let mut out = [0i64; 5];
    for part in parts.iter() {
        let kind = js_sys::Reflect::get(&part, &JsValue::from_str("type"))
            .ok()?
            .as_string()?;
        let value: i64 = js_sys::Reflect::get(&part, &JsValue::from_str("value"))
            .ok()?
            .as_string()?
            .parse()
            .unwrap_or(0);
        let slot = match kind.as_str() {
            "year" => 0,
            "month" => 1,
            "day" => 2,
            "hour" => 3,
            "minute" => 4,
            _ => continue,
        };
        out[slot] = value;
    }
    Some(out)
}

/// Returns the instant at which the wall clock in `tz` shows `date` ("YYYY-MM-DD") `time`
/// ("HH:MM"), or `None` when either is invalid. Uses the browser's time-zone data (Intl), so
/// no zone database ships with the page.
pub fn zoned_to_utc(date: &str, time: &str, tz: &str) -> Option<f64> {
    let wall = crate::graph::time::parse_ms(&format!("{date}T{time}:00Z"))?;
    if !is_time_zone(tz) {
        return None;
    }
    // Guess the instant as if the zone were UTC, then correct by the zone's offset twice
    // (the second pass settles daylight-saving transitions).
    let mut guess = wall;
    for _ in 0..2 {
        let p = parts_in_zone(guess, Some(tz))?;
        let shown = crate::graph::time::parse_ms(&format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:00Z",
            p[0], p[1], p[2], p[3], p[4]
        ))?;
        guess += wall - shown;
    }
    Some(guess)
}

/// Formats instant `ms` in time zone `tz` (the browser's own when `None`) in the page's one
/// format, with the zone written: "1 Dec 2026, 09:00 Europe/Berlin" ([`datetime_words`]).
pub fn datetime_in_zone(ms: f64, tz: Option<&str>) -> String {
    // An unknown zone would make Intl throw: the browser's own is written instead.
    let tz = tz.filter(|z| is_time_zone(z));
    let zone = tz.map_or_else(time_zone, str::to_owned);
    parts_in_zone(ms, tz)
        .map(|p| datetime_words(p, &zone))
        .unwrap_or_default()
}

/// Formats instant `ms` in time zone `tz` for language `locale` (e.g. `de`); the browser's own
/// zone and locale where `None`. Only for text handed to the user in their language (the
/// handover); the admin's screens use [`datetime_in_zone`].
pub fn datetime_for(ms: f64, tz: Option<&str>, locale: Option<&str>) -> String {
    let mut pairs = vec![("dateStyle", "medium"), ("timeStyle", "short")];
    if let Some(tz) = tz {
        pairs.push(("timeZone", tz));
    }
    let locales = js_sys::Array::new();
    if let Some(l) = locale {
        locales.push(&JsValue::from_str(l));
    }
    let format = js_sys::Intl::DateTimeFormat::new(&locales, &intl_options(&pairs)).format();
    format
        .call1(&JsValue::NULL, &js_sys::Date::new(&JsValue::from_f64(ms)))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The offset from UTC, in minutes, of time zone `tz` (the browser's own when `None`) at
/// instant `ms` (e.g. 60 for Europe/Berlin in winter); 0 when the zone is unknown.
pub fn offset_minutes(ms: f64, tz: Option<&str>) -> i32 {
    let tz = tz.filter(|z| is_time_zone(z));
    let minute = (ms / 60_000.0).floor() * 60_000.0;
    parts_in_zone(minute, tz)
        .and_then(|p| {
            crate::graph::time::parse_ms(&format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:00Z",
                p[0], p[1], p[2], p[3], p[4]
            ))
        })
        .map_or(0, |wall| ((wall - minute) / 60_000.0).round() as i32)
}

/// Offers `text` as a file download of type `mime` (a Blob URL, revoked right after); false
/// when the browser refused.
pub fn download(name: &str, mime: &str, text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return false;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return false;
    };
    let Some(a) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return false;
    };
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_date_format_with_its_zone_written() {
        assert_eq!(
            datetime_words([2026, 11, 27, 9, 0], "Europe/Berlin"),
            "27 Nov 2026, 09:00 Europe/Berlin"
        );
        assert_eq!(
            datetime_words([2026, 12, 1, 0, 5], "Etc/UTC"),
            "1 Dec 2026, 00:05 UTC"
        );
        assert_eq!(
            datetime_words([2027, 1, 31, 23, 59], "UTC"),
            "31 Jan 2027, 23:59 UTC"
        );
    }
}
