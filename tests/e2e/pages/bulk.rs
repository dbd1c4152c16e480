//! Many users (bulk): the input (pasted, a CSV, a group), the dry run's preview, the run, its
//! results and the handouts.

use anyhow::{Context, Result};

use super::tabs;
use crate::harness::Harness;

/// The pasted users.
pub const PASTE: &str = "#bulk-paste";
/// The CSV file input.
pub const FILE: &str = "#bulk-file";
/// The chosen file's name.
pub const FILE_NAME: &str = "#bulk-file-name";
/// Check (the dry run).
pub const CHECK: &str = "#bulk-check";
/// The dry run's counts.
pub const COUNTS: &str = "#bulk-counts";
/// The input problems list.
pub const PROBLEMS: &str = "#bulk-problems";
/// One input problem.
pub const PROBLEM: &str = "#bulk-problems li";
/// The dry run's preview table.
pub const PREVIEW: &str = "#bulk-preview";
/// Run (create the passes).
pub const RUN: &str = "#bulk-run";
/// The run's progress and totals.
pub const STATUS: &str = "#bulk-status";
/// The results table.
pub const RESULTS: &str = "#bulk-results";
/// Export CSV.
pub const EXPORT: &str = "#bulk-export";
/// Open the handouts.
pub const OPEN_HANDOUTS: &str = "#bulk-handouts";
/// The handouts.
pub const HANDOUTS: &str = "#handouts";
/// One handout (a printed page).
pub const HANDOUT: &str = "#handouts .handout";
/// A handout's QR code.
pub const HANDOUT_QR: &str = "#handouts .handout__qr";
/// Done: the passes leave the page.
pub const DONE: &str = "#bulk-done";
/// Done's question before forgetting unsaved passes.
pub const DONE_QUESTION: &str = "#bulk-done-question";
/// Keep them.
pub const KEEP: &str = "#bulk-keep";
/// Forget them.
pub const FORGET: &str = "#bulk-forget";
/// When and why the passes left the page.
pub const FORGET_AT: &str = "#bulk-forget-at";
/// Reveal all.
pub const REVEAL_ALL: &str = "#bulk-reveal-all";
/// The tick that includes admin accounts.
pub const INCLUDE_ADMINS: &str = "#bulk-include-admins";
/// The group search field.
pub const GROUP: &str = "#bulk-group";
/// Find groups.
pub const GROUP_FIND: &str = "#bulk-group-find";
/// The picked group and its member count.
pub const GROUP_PICKED: &str = "#bulk-group-picked";
/// Batches in flight (benchmarks).
pub const CONCURRENCY: &str = "#bulk-concurrency";
/// Grant the group permission, on this screen.
pub const GRANT_GROUPS: &str = "#grant-group-consent";

/// Opens the Many users screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::BULK).await
}

/// Pastes `lines`, clicks Check and waits for the counts to say `counts`.
pub async fn paste_and_check(h: &Harness, lines: &str, counts: &str) -> Result<()> {
    h.type_into(PASTE, lines).await?;
    h.click(CHECK).await?;
    h.wait_for_text(COUNTS, counts).await?;
    Ok(())
}

/// Clicks Run and waits for `until` (an element of the finished run: `EXPORT`, `DONE`, …).
pub async fn run(h: &Harness, until: &str) -> Result<()> {
    h.click(RUN).await?;
    h.wait_for_css(until).await?;
    Ok(())
}

/// Chooses `csv` (written to a temporary `messy-….csv`) as the CSV file.
pub async fn upload(h: &Harness, csv: &str) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("tapdesk-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("messy-{}.csv", csv.len()));
    std::fs::write(&path, csv)?;
    let input = h.wait_for_css(FILE).await?;
    input.send_keys(path.to_str().context("temp path")?).await?;
    h.wait_for_text(FILE_NAME, "messy").await?;
    Ok(())
}
