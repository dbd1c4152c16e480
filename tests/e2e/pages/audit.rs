//! The audit trail of pass creations and deletions.

use anyhow::Result;

use super::{consent, tabs};
use crate::harness::Harness;

/// The audit trail table.
pub const TABLE: &str = "#audit";
/// The note that no entry matches.
pub const EMPTY: &str = "#audit-empty";
/// The table or, with no entry, its note.
pub const TABLE_OR_EMPTY: &str = "#audit, #audit-empty";
/// The live region: reading, then how many entries are shown.
pub const NEWS: &str = "#audit-news";
/// Refresh: reads the log again.
pub const REFRESH: &str = "#audit-refresh";
/// The filter field.
pub const FILTER: &str = "#audit-filter";
/// Grant the audit permissions, on this screen.
pub const GRANT: &str = "#audit-grant";
/// Instead of Grant permission, for a role that cannot use it: the roles that can.
pub const GRANT_ROLE: &str = "#audit-grant-role";
/// The notice naming the permissions and reading roles.
pub const CONSENT: &str = "#audit-consent";
/// One entry of the trail.
pub const ROW: &str = ".audit__row";
/// One entry of the trail, in its table.
pub const TABLE_ROW: &str = "#audit .audit__row";

/// Opens the Audit trail screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::AUDIT).await
}

/// Grants the audit permissions from this screen; done once the trail (or its empty note) shows.
pub async fn grant(h: &Harness) -> Result<()> {
    consent::grant(h, GRANT).await?;
    h.wait_for_css(TABLE_OR_EMPTY).await?;
    Ok(())
}
