//! The Campaign screen: who depends on a phone, counts per class, the chart, the list, a wave.

use anyhow::{Context, Result};

use super::{consent, tabs};
use crate::harness::Harness;

/// Grant the report's permission, on this screen.
pub const GRANT: &str = "#campaign-grant";
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
