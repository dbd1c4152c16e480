//! The app shell's keyboard plumbing (issue 17 point 4): the skip link's target and the
//! document title (focus itself moves through `browser::focus` and `browser::focus_soon`). No screen's markup is known
//! here beyond "a tab panel holds a heading"; screens keep their own ids.

use leptos::prelude::*;

use super::browser;

/// The skip link's action: focus goes to the tab panel on show when signed in, else to the
/// page's `<main>` (the setup and sign-in screens).
pub fn skip_to_content() {
    let _ = browser::focus("[role=tabpanel]:not([hidden])") || browser::focus("main");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_names_the_screen_then_the_app() {
        assert_eq!(title("One user"), "One user · tapdesk");
        assert_eq!(title(""), "tapdesk · Temporary Access Passes");
    }
}
