//! Pass holders: the tenant, a search or a group scanned, filtered, and a selection revoked.

use anyhow::Result;
use fantoccini::Locator;

use super::tabs;
use crate::harness::Harness;

/// One holder's row.
pub const ROW: &str = "#holders .holders__row";
/// The scan's progress and totals.
pub const STATUS: &str = "#holders-status";
/// Scan.
pub const SCAN: &str = "#holders-scan";
/// Stop the scan.
pub const CANCEL: &str = "#holders-cancel";
/// "Delete N selected passes".
pub const REVOKE: &str = "#holders-revoke";
/// The delete confirmation's question.
pub const CONFIRM_TEXT: &str = "#holders-confirm-text";
/// Cancel the deletion: the confirmation's first button.
pub const KEEP: &str = "#holders-keep";
/// The empty state: nothing checked yet, or nobody holds a pass.
pub const EMPTY: &str = "#holders-empty";
/// Confirm the deletion.
pub const CONFIRM: &str = "#holders-confirm";
/// The deletion's summary (a live region).
pub const SUMMARY: &str = "#holders-summary";
/// The users whose pass could not be deleted.
pub const FAILED: &str = "#holders-summary .holders__failed";
/// The note on selected rows hidden by the filters.
pub const HIDDEN_SELECTED: &str = "#holders-hidden-selected";
/// Filter: usable now.
pub const FILTER_USABLE: &str = "#holders-f-usable";
/// Filter: multi-use.
pub const FILTER_MULTI: &str = "#holders-f-multi";
/// Filter: long lifetime.
pub const FILTER_LONG: &str = "#holders-f-long";
/// Source: a search.
pub const SOURCE_SEARCH: &str = "#holders-search";
/// The search source's text.
pub const TEXT: &str = "#holders-text";
/// Source: a group.
pub const SOURCE_GROUP: &str = "#holders-group";
/// Grant the group permission, on this screen.
pub const GRANT_GROUPS: &str = "#holders-grant-groups";
/// The group search field.
pub const GROUP_QUERY: &str = "#holders-group-query";
/// Find groups.
pub const GROUP_FIND: &str = "#holders-group-find";
/// The picked group.
pub const GROUP_PICKED: &str = "#holders-group-picked";
/// The found groups.
pub const GROUP_RESULTS: &str = "#panel-holders .results";

/// Opens the Pass holders screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::HOLDERS).await
}

/// The selection checkbox of the row of `name`.
pub fn select(name: &str) -> String {
    format!("input[aria-label='Select {name}']")
}

/// Scans the users a search for `text` finds.
pub async fn scan_search(h: &Harness, text: &str) -> Result<()> {
    h.click(SOURCE_SEARCH).await?;
    h.type_into(TEXT, text).await?;
    h.click(SCAN).await
}

/// The text of every row shown.
pub async fn rows(h: &Harness) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for row in h.driver.find_all(Locator::Css(ROW)).await? {
        out.push(row.text().await?);
    }
    Ok(out)
}

/// The rows, once there are `n` of them.
pub async fn wait_rows(h: &Harness, n: usize) -> Result<Vec<String>> {
    h.wait_until(&format!("{n} rows"), || async {
        Ok(rows(h).await?.len() == n)
    })
    .await?;
    rows(h).await
}

/// Clicks Revoke selected and returns the confirmation's question once it says `question`.
pub async fn ask_revoke(h: &Harness, question: &str) -> Result<String> {
    h.click(REVOKE).await?;
    Ok(h.wait_for_text(CONFIRM_TEXT, question)
        .await?
        .text()
        .await?)
}

/// Confirms the revoke; done once the summary says `summary`.
pub async fn confirm_revoke(h: &Harness, summary: &str) -> Result<()> {
    h.click(CONFIRM).await?;
    h.wait_for_text(SUMMARY, summary).await?;
    Ok(())
}

/// Revokes the selection, expecting the confirmation to ask `question` and the summary to say
/// `summary`.
pub async fn revoke(h: &Harness, question: &str, summary: &str) -> Result<()> {
    ask_revoke(h, question).await?;
    confirm_revoke(h, summary).await
}
