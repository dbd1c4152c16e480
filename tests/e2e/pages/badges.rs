//! The Badges screen: the pasted list, the dry run, the run's results, the two printable
//! sheets, and one user's badge.

use anyhow::Result;

use super::tabs;
use crate::harness::Harness;

/// Grant the badge permission, on this screen.
pub const GRANT: &str = "#badges-grant";
/// The policy line.
pub const POLICY: &str = "#badges-policy";
/// The list of users.
pub const PASTE: &str = "#badges-paste";
/// The lifetime in days.
pub const DAYS: &str = "#badges-days";
/// Check (the dry run).
pub const CHECK: &str = "#badges-check";
/// The dry run's counts.
pub const COUNTS: &str = "#badges-counts";
/// The dry run's table.
pub const PREVIEW: &str = "#badges-preview";
/// Create N badges.
pub const CREATE: &str = "#badges-create";
/// The results' heading (shown once every badge is settled).
pub const RESULTS_TITLE: &str = "#badges-results-title";
/// The results' summary line.
pub const SUMMARY: &str = "#badges-summary";
/// The results table.
pub const RESULTS: &str = "#badges-results";
/// Reveal one PIN.
pub const REVEAL: &str = "#badges-results .badges__reveal";
/// Replace the lost badges.
pub const REPLACE: &str = "#badges-replace";
/// Open the sheet of badges.
pub const OPEN_BADGES: &str = "#badges-print-badges";
/// Open the sheet of PIN slips.
pub const OPEN_PINS: &str = "#badges-print-pins";
/// The sheet of badges.
pub const BADGE_SHEET: &str = "#badge-sheet";
/// One badge on it.
pub const BADGE_CARD: &str = "#badge-sheet .badge-card";
/// The sheet of PIN slips.
pub const PIN_SHEET: &str = "#pin-slips";
/// One PIN slip.
pub const PIN_SLIP: &str = "#pin-slips .pin-slip";
/// Done.
pub const DONE: &str = "#badges-done";
/// Forget them (Done before printing both sheets).
pub const DONE_ANYWAY: &str = "#badges-done-anyway";
/// One user's badge: the user field, Look up, what was found.
pub const ONE_USER: &str = "#badges-one-user";
pub const ONE_LOOKUP: &str = "#badges-one-lookup";
pub const ONE_STATE: &str = "#badges-one-state";
pub const ONE_REFUSAL: &str = "#badges-one-refusal";
pub const ONE_HOURS: &str = "#badges-one-hours";
pub const ONE_TEMPORARY: &str = "#badges-one-temporary";
pub const ONE_TEMPORARY_REFUSED: &str = "#badges-one-temporary-refused";
pub const TEMPORARY_SHEET: &str = "#temporary-sheet";
pub const ONE_DONE: &str = "#badges-one-done";
pub const ONE_DELETE: &str = "#badges-one-delete";
pub const ONE_DELETE_YES: &str = "#badges-one-delete-yes";
pub const ONE_NEWS: &str = "#badges-one-news";

/// Opens the Badges screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::BADGES).await
}

/// Puts `lines` in the list at once (as a paste does), then runs the dry run until `counts`.
pub async fn paste_and_check(h: &Harness, lines: &str, counts: &str) -> Result<()> {
    h.wait_for_css(PASTE).await?;
    h.driver
        .execute(
            "const t = document.querySelector(arguments[0]); t.value = arguments[1]; \
             t.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![serde_json::json!(PASTE), serde_json::json!(lines)],
        )
        .await?;
    h.click(CHECK).await?;
    h.wait_for_text(COUNTS, counts).await?;
    Ok(())
}

/// Waits for the results of a run of many badges: each bounded wait is the harness's, `rounds`
/// of them at most (a run with throttled items waits out their `Retry-After`).
pub async fn wait_results(h: &Harness, rounds: usize) -> Result<()> {
    let mut last = None;
    for _ in 0..rounds {
        match h.wait_for_css(RESULTS_TITLE).await {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| anyhow::anyhow!("no results")))
}
