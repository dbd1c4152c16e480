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

/// "Revoke passes of everyone who finished".
pub const REVOKE_ALL: &str = "#tracking-revoke-all";
/// Its question.
pub const REVOKE_ALL_QUESTION: &str = "#tracking-revoke-all-question";
/// Cancel it (the question's first button).
pub const REVOKE_ALL_CANCEL: &str = "#tracking-revoke-all-cancel";
/// Confirm it.
pub const REVOKE_ALL_CONFIRM: &str = "#tracking-revoke-all-confirm";
/// The bulk revocation's result, one line per user.
pub const REVOKE_RESULTS: &str = "#tracking-revoke-results";
/// "Remove … phone" on a row (one per phone left after a passkey).
pub const PHONE_REMOVE: &str = ".tracking-phone-remove";
/// Its question.
pub const PHONE_QUESTION: &str = ".tracking-phone-question";
/// Cancel it.
pub const PHONE_CANCEL: &str = ".tracking-phone-cancel";
/// Confirm it.
pub const PHONE_CONFIRM: &str = ".tracking-phone-confirm";
/// A row's flags.
pub const FLAGS: &str = ".tracking__flags";

/// The row of the followed user `id`.
pub fn row(id: &str) -> String {
    format!("#tracking tr[data-user=\"{id}\"]")
}

/// The attribute `name` of the row of `id` (empty when there is no such row).
pub async fn row_attr(h: &Harness, id: &str, name: &str) -> Result<String> {
    let v = h
        .driver
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? (e.getAttribute(arguments[1]) || '') : '';",
            vec![serde_json::json!(row(id)), serde_json::json!(name)],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

/// Waits until the row of `id` has `name` containing `needle` (space-separated codes).
pub async fn wait_attr(h: &Harness, id: &str, name: &str, needle: &str) -> Result<()> {
    h.wait_until(&format!("row {id}: {name} holds {needle:?}"), || async {
        Ok(row_attr(h, id, name).await?.split(' ').any(|c| c == needle))
    })
    .await
}

/// Follows `ids` from the next page load on, as if their passes had been issued here a minute
/// ago (the tracked list holds ids and times only).
pub async fn follow(h: &Harness, ids: &[String]) -> Result<()> {
    h.driver
        .execute(
            "const since = Date.now() - 60000;
             sessionStorage.setItem('tapdesk.tracked', JSON.stringify(arguments[0].map(id => ({ id, since }))));",
            vec![serde_json::json!(ids)],
        )
        .await?;
    Ok(())
}

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
