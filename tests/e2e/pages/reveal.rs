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
