//! The app shell around every screen: the skip link, the document title, the footer's
//! Advanced settings, and the keyboard verbs (a key to whatever has focus, what has focus).

use anyhow::Result;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;

use crate::harness::Harness;

/// The skip link, the page's first stop for the keyboard.
pub const SKIP_LINK: &str = "#skip-link";
/// The page's `<main>`, the skip link's target when no tab panel shows.
pub const MAIN: &str = "#main";
/// The tenant named in the signed-in account band.
pub const TENANT: &str = "#tenant";

/// Presses and releases `key` on whatever has focus (WebDriver actions, as a person would).
pub async fn press(h: &Harness, key: Key) -> Result<()> {
    let k = char::from(key);
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: k })
        .then(KeyAction::Up { value: k });
    h.driver.perform_actions(actions).await?;
    Ok(())
}

/// Waits until the element matching `css` has focus.
pub async fn wait_focus_on(h: &Harness, css: &str) -> Result<()> {
    h.wait_until(&format!("focus on `{css}`"), || async {
        let v = h
            .driver
            .execute(
                "const e = document.querySelector(arguments[0]); return !!e && e === document.activeElement;",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(v.as_bool() == Some(true))
    })
    .await
}

/// Waits until the document title is `title`.
pub async fn wait_title(h: &Harness, title: &str) -> Result<()> {
    h.wait_until(&format!("the title {title:?}"), || async {
        Ok(h.driver.title().await? == title)
    })
    .await
}
