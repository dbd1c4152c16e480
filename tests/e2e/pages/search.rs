//! The user search.

use anyhow::Result;
use fantoccini::key::Key;
use fantoccini::Locator;

use crate::harness::Harness;

/// The user search box.
pub const INPUT: &str = "#search";
/// One search result.
pub const OPTION: &str = "#search-results [role=option]";

/// The question before opening another user while a new pass is on screen.
pub const LEAVE_CONFIRM: &str = "#leave-confirm";
/// Close the pass and open the other user.
pub const CONFIRM_LEAVE: &str = "#confirm-leave";
/// Keep the pass on screen.
pub const CANCEL_LEAVE: &str = "#cancel-leave";

/// Types `text` and waits for a result naming `name`.
pub async fn find(h: &Harness, text: &str, name: &str) -> Result<()> {
    h.type_into(INPUT, text).await?;
    h.wait_for_text(OPTION, name).await?;
    Ok(())
}

/// Opens the first result with the keyboard (Enter).
pub async fn enter(h: &Harness) -> Result<()> {
    h.driver
        .find(Locator::Css(INPUT))
        .await?
        .send_keys(&char::from(Key::Enter).to_string())
        .await?;
    Ok(())
}
