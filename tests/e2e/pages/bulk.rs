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
/// A campaign wave's passkey-registration check (issue 15 point 5).
pub const READINESS: &str = "#bulk-readiness";
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
/// Finish: asks whether the passes were handed out, then they leave the page.
pub const FINISH: &str = "#bulk-finish";
/// Finish's question before forgetting the passes.
pub const FINISH_QUESTION: &str = "#bulk-finish-question";
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
/// Batches in flight (benchmarks), under Advanced.
pub const CONCURRENCY: &str = "#bulk-concurrency";
/// The Advanced disclosure (`<details>`) holding the batches in flight.
pub const ADVANCED: &str = "#bulk-advanced";
/// The summary line before the run: passes, start, lifetime, one-time, rows skipped.
pub const SUMMARY: &str = "#bulk-summary";
/// The live region: "N users found", "N passes created, M failed".
pub const ANNOUNCE: &str = "#bulk-announce";
/// The results heading (focus lands here after the run).
pub const RESULTS_TITLE: &str = "#bulk-results-title";
/// A warning row's tick (named with the user) in the preview.
pub const TICK: &str = "#bulk-preview input.bulk__tick";
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

/// Clicks Run and waits for `until` (an element of the finished run: `EXPORT`, `FINISH`, …).
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

/// The id of the focused element ("" when none has an id).
pub async fn focused_id(h: &Harness) -> Result<String> {
    let id = h
        .driver
        .execute(
            "return document.activeElement ? document.activeElement.id : '';",
            vec![],
        )
        .await?;
    Ok(id.as_str().unwrap_or_default().to_owned())
}

/// Waits (bounded) until the element with `id` has focus.
pub async fn wait_for_focus(h: &Harness, id: &str) -> Result<()> {
    h.wait_until(&format!("focus on #{id}"), || async {
        Ok(focused_id(h).await? == id)
    })
    .await
}

/// Presses Escape on the focused element.
pub async fn press_escape(h: &Harness) -> Result<()> {
    h.driver
        .active_element()
        .await?
        .send_keys(&char::from(fantoccini::key::Key::Escape).to_string())
        .await?;
    Ok(())
}

/// "Start at" (the later start), and its local date and time.
pub const START_LATER: &str = "#bulk-start-later";
/// The later start's `datetime-local` field.
pub const START_AT: &str = "#bulk-start-at";
/// On the handouts of a campaign wave: the language of the passkey steps.
pub const HANDOUT_LANGUAGE: &str = "#bulk-handout-language";
/// A handout's passkey heading (campaign waves only).
pub const HANDOUT_PASSKEY: &str = "#handouts .handout__passkey";

/// Captures what the page offers as a download: it hands a Blob to `URL.createObjectURL`.
pub const CAPTURE_EXPORT: &str = "const orig = URL.createObjectURL; window.__exports = [];
    URL.createObjectURL = (b) => { window.__exports.push(b); return orig.call(URL, b); };";
/// Reads the text of the last captured download.
pub const READ_EXPORT: &str = "const done = arguments[arguments.length - 1];
    window.__exports[window.__exports.length - 1].text().then(done, (e) => done('ERR ' + e));";

/// What the paste box holds now; empty while the Many users screen is still loading (its
/// module downloads on the first visit), so a poll waits instead of failing.
pub async fn pasted(h: &Harness) -> Result<String> {
    let Ok(paste) = h.driver.find(fantoccini::Locator::Css(PASTE)).await else {
        return Ok(String::new());
    };
    Ok(paste.prop("value").await?.unwrap_or_default())
}
