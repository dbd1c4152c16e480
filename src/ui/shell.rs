//! The app shell's keyboard and focus plumbing (issue 17 point 4): moving focus to an element
//! by selector, the skip link's target, and the document title. No screen's markup is known
//! here beyond "a tab panel holds a heading"; screens keep their own ids.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// How many animation frames [`focus_when_shown`] waits for its element before giving up
/// (a screen built on its first visit renders a frame or two after the tab shows).
const FRAMES: u32 = 30;

/// Moves focus to `element`, making it focusable from script first (`tabindex=-1`, which keeps
/// it out of the Tab order) when it is not focusable already. Returns true if and only if the
/// element now holds focus.
pub fn focus_element(element: &web_sys::Element) -> bool {
    let Some(html) = element.dyn_ref::<web_sys::HtmlElement>() else {
        return false;
    };
    if !element.has_attribute("tabindex") && !natively_focusable(element) {
        let _ = element.set_attribute("tabindex", "-1");
    }
    let _ = html.focus();
    document()
        .active_element()
        .is_some_and(|active| &active == element)
}

/// Focuses the first element matching `css` (one selector list, first in document order);
/// returns false when none matches or it cannot take focus (hidden).
pub fn focus_first(css: &str) -> bool {
    document()
        .query_selector(css)
        .ok()
        .flatten()
        .is_some_and(|e| focus_element(&e))
}

/// Focuses the first element matching `css` as soon as it shows, trying once an animation
/// frame for at most [`FRAMES`] frames (a screen built on its first visit is not in the page
/// yet when its tab is restored).
pub fn focus_when_shown(css: String) {
    fn attempt(css: String, left: u32) {
        if focus_first(&css) || left == 0 {
            return;
        }
        request_animation_frame(move || attempt(css, left - 1));
    }
    request_animation_frame(move || attempt(css, FRAMES));
}

/// The skip link's action: focus goes to the tab panel on show when signed in, else to the
/// page's `<main>` (the setup and sign-in screens).
pub fn skip_to_content() {
    let _ = focus_first("[role=tabpanel]:not([hidden])") || focus_first("main");
}

/// Sets the document title to `screen · tapdesk` (`tapdesk · Temporary Access Passes` when
/// `screen` is empty). Callers pass a screen's fixed name only: never a user, a pass or a token.
pub fn set_title(screen: &str) {
    document().set_title(&title(screen));
}

/// The document title naming `screen`.
pub fn title(screen: &str) -> String {
    if screen.is_empty() {
        "tapdesk · Temporary Access Passes".to_owned()
    } else {
        format!("{screen} · tapdesk")
    }
}

fn natively_focusable(element: &web_sys::Element) -> bool {
    matches!(
        element.tag_name().to_ascii_lowercase().as_str(),
        "a" | "button" | "input" | "select" | "textarea" | "summary"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_screen_then_the_app() {
        assert_eq!(title("One user"), "One user · tapdesk");
        assert_eq!(title(""), "tapdesk · Temporary Access Passes");
    }
}
