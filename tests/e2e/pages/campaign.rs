//! The Campaign screen: who depends on a phone, counts per class, the chart, the list, a wave.

use anyhow::{Context, Result};

use super::{consent, tabs};
use crate::harness::Harness;

/// Grant the report's permission, on this screen.
pub const GRANT: &str = "#campaign-grant";
/// Instead of Grant permission, for a role that cannot use it: the roles that can.
pub const GRANT_ROLE: &str = "#campaign-grant-role";
/// The notice naming the permission, the roles and the licence.
pub const CONSENT: &str = "#campaign-consent";
/// The failure (a refusal in words) and its Try again.
pub const FAILED: &str = "#campaign-failed";
/// The live region: reading, then how many users were read.
pub const NEWS: &str = "#campaign-news";
/// Days left until SMS and voice stop.
pub const DAYS: &str = "#campaign-days";
/// The counts per class (a table; rows carry `data-class`).
pub const COUNTS: &str = "#campaign-counts";
/// The chart (inline SVG with its words as label).
pub const CHART: &str = "#campaign-chart";
/// The class filter.
pub const CLASS: &str = "#campaign-class";
/// The department filter.
pub const DEPARTMENT: &str = "#campaign-department";
/// The search field.
pub const SEARCH: &str = "#campaign-search";
/// Export CSV.
pub const EXPORT: &str = "#campaign-export";
/// How many users match the filters.
pub const SHOWN: &str = "#campaign-shown";
/// The list.
pub const LIST: &str = "#campaign-list";
/// One member of the list.
pub const ROW: &str = "#campaign-list .campaign__row";
/// The wave size.
pub const WAVE_SIZE: &str = "#campaign-wave-size";
/// Why Hand this wave did nothing.
pub const WAVE_EMPTY: &str = "#campaign-wave-empty";
/// Hand the wave to Many users.
pub const WAVE: &str = "#campaign-wave";

/// The count cell of `class_key` (e.g. `phone-voice`).
pub fn count(class_key: &str) -> String {
    format!("{COUNTS} tr[data-class={class_key}] .campaign__count")
}

/// Opens the Campaign screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::CAMPAIGN).await
}

/// Grants the report's permission from this screen; done once the counts show.
pub async fn grant(h: &Harness) -> Result<()> {
    consent::grant(h, GRANT).await?;
    h.wait_for_css(COUNTS)
        .await
        .context("the counts never appeared after the grant")?;
    Ok(())
}

/// Chooses `value` in the `<select>` at `css` (change event included).
pub async fn choose(h: &Harness, css: &str, value: &str) -> Result<()> {
    super::handover::choose(h, css, value).await
}

/// The administrative-unit filter (a tenant-wide admin holding `AdministrativeUnit.Read.All`).
pub const UNIT: &str = "#campaign-unit";
/// Its Grant, before the permission is held.
pub const UNIT_GRANT: &str = "#campaign-unit-grant";
/// The group search, Find, and a found group.
pub const GROUP: &str = "#campaign-group";
pub const GROUP_GRANT: &str = "#campaign-group-grant";
pub const GROUP_FIND: &str = "#campaign-group-find";
pub const GROUP_PICK: &str = ".campaign__group-pick";
/// "Members of … only (N users)."
pub const WITHIN: &str = "#campaign-within";
/// Show everyone again.
pub const WITHIN_CLEAR: &str = "#campaign-within-clear";

// The campaign file (waves, stages, export and import).

/// The campaign's own section: stages, waves, Export and Import.
pub const FILE: &str = "#campaign-file";
/// Said while the campaign holds no wave.
pub const NO_WAVE: &str = "#campaign-no-wave";
/// The waves table's rows.
pub const WAVE_ROW: &str = "#campaign-waves .campaign__wave-row";
/// Export campaign file.
pub const FILE_EXPORT: &str = "#campaign-file-export";
/// Import a campaign file (a file input).
pub const FILE_IMPORT: &str = "#campaign-file-import";
/// A refused import, in words.
pub const FILE_REFUSED: &str = "#campaign-file-refused";
/// What an import or export did.
pub const FILE_NEWS: &str = "#campaign-file-news";

/// The count cell of a stage (`Planned`, `PassIssued`, `Passwordless`).
pub fn stage(name: &str) -> String {
    format!("#campaign-stages tr[data-stage={name}] .campaign__count")
}

/// Chooses `text` (written to a temporary `name`) as the campaign file to import.
pub async fn import(h: &Harness, name: &str, text: &str) -> Result<()> {
    let dir = std::env::temp_dir().join(format!("tapdesk-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    let input = h.wait_for_css(FILE_IMPORT).await?;
    input.send_keys(path.to_str().context("temp path")?).await?;
    Ok(())
}
