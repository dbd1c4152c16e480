//! Tracking: the users followed after a pass, round by round.

use anyhow::{Context, Result};

use super::tabs;
use crate::harness::Harness;

/// The followed users.
pub const LIST: &str = "#tracking";
/// The tracker's status line.
pub const STATUS: &str = "#tracking-status";
/// The live region: each user whose stage changed, each deletion.
pub const NEWS: &str = "#tracking-news";
/// The empty state (nobody followed), naming the next step.
pub const EMPTY: &str = "#tracking-empty";
/// Check now.
pub const CHECK: &str = "#tracking-check";
/// Stop following, on a followed user's row.
pub const STOP: &str = ".tracking-stop";
/// The "Checked N times." counter.
pub const ROUNDS: &str = "#tracking-rounds";
/// A followed user's stage.
pub const STAGE: &str = ".tracking__stage";
/// "Delete pass" on a followed user's row.
pub const REVOKE: &str = ".tracking-revoke";
/// The deletion's question.
pub const REVOKE_QUESTION: &str = ".tracking-revoke-question";
/// Cancel the deletion (the question's first button).
pub const REVOKE_CANCEL: &str = ".tracking-revoke-cancel";
/// Confirm the deletion.
pub const REVOKE_CONFIRM: &str = ".tracking-revoke-confirm";

/// Opens the Tracking screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::TRACKING).await
}

/// The page's "Checked N times." counter (read even while the Tracking screen is not shown).
pub async fn rounds(h: &Harness) -> Result<u32> {
    let text = h.text_content(ROUNDS).await?;
    text.split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("rounds: {text}"))
}

/// The screen's heading (present once its module runs).
pub const TITLE: &str = "#tracking-title";
