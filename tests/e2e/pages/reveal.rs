//! The new pass: masked, revealed, copied, and gone on Done.

use anyhow::Result;

use crate::harness::Harness;

/// The new pass panel.
pub const NEW_PASS: &str = "#new-pass";
/// The pass value (masked until Reveal).
pub const VALUE: &str = "#pass-value";
/// When the pass starts and ends.
pub const TIMING: &str = "#pass-timing";
/// Reveal.
pub const REVEAL: &str = "#reveal";
/// Copy the pass.
pub const COPY: &str = "#copy";
/// Done: the pass leaves the page.
pub const DONE: &str = "#done";
/// What Done asks when the pass was neither revealed, copied nor sent.
pub const DONE_CONFIRM: &str = "#done-confirm";
/// Close the unseen pass anyway.
pub const DONE_ANYWAY: &str = "#done-anyway";
/// Keep the unseen pass on screen.
pub const DONE_KEEP: &str = "#done-keep";
/// The notice that a clipboard clear was refused.
pub const CLIPBOARD_NOTICE: &str = "#clipboard-notice";

/// Clicks Reveal and waits for `value` in the pass field.
pub async fn show(h: &Harness, value: &str) -> Result<()> {
    h.click(REVEAL).await?;
    h.wait_for_text(VALUE, value).await?;
    Ok(())
}

/// Clicks Copy and waits for the panel to say Copied.
pub async fn copy(h: &Harness) -> Result<()> {
    h.click(COPY).await?;
    h.wait_for_text(NEW_PASS, "Copied").await?;
    Ok(())
}

/// Clicks Done and, when the page asks because the pass was never revealed, copied or sent,
/// closes it anyway; done once the pass is gone.
pub async fn done(h: &Harness) -> Result<()> {
    h.click(DONE).await?;
    h.wait_until("the pass closed or Done asking", || async {
        Ok(!super::exists(h, NEW_PASS).await || super::exists(h, DONE_ANYWAY).await)
    })
    .await?;
    if super::exists(h, DONE_ANYWAY).await {
        h.click(DONE_ANYWAY).await?;
    }
    h.wait_until("the pass gone", || async {
        Ok(!super::exists(h, NEW_PASS).await)
    })
    .await
}
