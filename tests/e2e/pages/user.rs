//! The user page: who, the current pass, the sign-in methods.

use anyhow::Result;

use super::search;
use crate::harness::Harness;

/// The opened user's display name.
pub const NAME: &str = "#user-name";
/// The user page.
pub const PANEL: &str = "#user-panel";
/// The user's badge (Guest).
pub const BADGE: &str = "#user-panel .badge";
/// The user's current pass, in words.
pub const PASS_STATUS: &str = "#pass-status";
/// The current pass status once it says usable.
pub const PASS_USABLE: &str = "#pass-status.pass--usable";
/// The user's sign-in methods table.
pub const METHODS: &str = "#methods";
/// The folding methods overview (`<details>`).
pub const METHODS_OVERVIEW: &str = "#methods-overview";
/// The note that the user may not need a pass.
pub const STRONG_METHOD: &str = "#strong-method";
/// Delete the current pass.
pub const DELETE_PASS: &str = "#delete-pass";
/// The live region saying what happened (never the pass).
pub const ANNOUNCE: &str = "#announce";
/// Cancel the delete.
pub const CANCEL_DELETE: &str = "#cancel-delete";
/// Confirm the delete.
pub const CONFIRM_DELETE: &str = "#confirm-delete";

/// Searches `text` and opens the first result with the keyboard; done once the page names `name`.
pub async fn open(h: &Harness, text: &str, name: &str) -> Result<()> {
    search::find(h, text, name).await?;
    search::enter(h).await?;
    h.wait_for_text(NAME, name).await?;
    Ok(())
}

/// Deletes the current pass with the confirmation; done once the status says so.
pub async fn delete_pass(h: &Harness) -> Result<()> {
    h.click(DELETE_PASS).await?;
    h.click(CONFIRM_DELETE).await?;
    h.wait_for_text(PASS_STATUS, "Pass deleted").await?;
    Ok(())
}
