//! The create form of the user page.

use anyhow::Result;
use fantoccini::Locator;

use super::{reveal, user, ALERT};
use crate::harness::Harness;
use crate::PRADEEP;

/// The Create button.
pub const CREATE: &str = "#create";
/// The Create button once enabled.
pub const ENABLED: &str = "#create:not([disabled])";
/// The lifetime field (minutes).
pub const LIFETIME: &str = "#lifetime";
/// The lifetime's hint.
pub const LIFETIME_HINT: &str = "#lifetime-hint";
/// The one-time checkbox.
pub const ONE_TIME: &str = "#one-time";
/// Start later.
pub const START_LATER: &str = "#start-later";
/// The start date and time field.
pub const START_AT: &str = "#start-at";
/// Warnings about the target (admin roles, policy coverage).
pub const WARNINGS: &str = "#create-warnings";
/// Why Create is disabled (guest, own account).
pub const BLOCKED: &str = "#create-blocked";
/// What happened to a create that got no clear answer.
pub const OUTCOME: &str = "#create-outcome";
/// Create again (replacing an unseen pass).
pub const AGAIN: &str = "#create-again";
/// Why this admin is not offered Create (their role, or the target's).
pub const REFUSED: &str = "#create-refused";
/// The collapsed form while a new pass is on screen.
pub const ANOTHER: &str = "#create-another";
/// The question before replacing the pass on screen.
pub const REPLACE_CONFIRM: &str = "#replace-confirm";
/// Replace the pass on screen.
pub const CONFIRM_REPLACE: &str = "#confirm-replace";
/// Keep the pass on screen.
pub const CANCEL_REPLACE: &str = "#cancel-replace";
/// Grant Mail.Send before creating.
pub const GRANT_MAIL: &str = "#grant-mail";

/// Clicks Create and waits for the new pass.
pub async fn submit(h: &Harness) -> Result<()> {
    h.click(CREATE).await?;
    h.wait_for_css(reveal::NEW_PASS).await?;
    Ok(())
}

/// Clicks Create and waits for the alert saying `sentence`.
pub async fn refused(h: &Harness, sentence: &str) -> Result<()> {
    h.click(CREATE).await?;
    h.wait_for_text(ALERT, sentence).await?;
    Ok(())
}

/// Opens Pradeep Gupta, creates a pass with the form's defaults and returns its value, read
/// from the emulator's record (the signed-in admin must be allowed to).
pub async fn for_pradeep(h: &Harness) -> Result<String> {
    user::open(h, "pradeep", "Pradeep Gupta").await?;
    submit(h).await?;
    Ok(h.emu.passes(PRADEEP)[0].temporary_access_pass.clone())
}

/// Whether Create is enabled now (not waited for).
pub async fn enabled(h: &Harness) -> Result<bool> {
    Ok(h.driver
        .find(Locator::Css(CREATE))
        .await?
        .is_enabled()
        .await?)
}

/// The lifetime field's value, once the field shows.
pub async fn lifetime(h: &Harness) -> Result<String> {
    Ok(h.wait_for_css(LIFETIME)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}
