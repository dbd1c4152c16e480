//! The admin's scope (issue 16): the account band's scope line, PIM hint and offer to read the
//! roles, and the search's marks for users outside the admin's units.

use anyhow::Result;

use crate::harness::Harness;

/// "Authentication Administrator for: Berlin office, Munich office".
pub const LINE: &str = "#scope-line";
/// "Eligible, not active: …".
pub const PIM_HINT: &str = "#pim-hint";
/// The offer to read the admin's roles (the sign-in proves no tenant-wide issuing role).
pub const OFFER: &str = "#scope-offer";
/// Read my roles (asks for the permissions, then reads).
pub const GRANT: &str = "#scope-grant";
/// Why the scope could not be read.
pub const ERROR: &str = "#scope-error";
/// A search result's mark: outside the admin's units.
pub const OUTSIDE: &str = "#search-results .badge--warning";
/// The search's status line ("No user matches…", "Searching…").
pub const SEARCH_STATUS: &str = ".search .status";

/// Clicks Read my roles; done once `shown` (the scope line, the PIM hint) appears (the
/// permissions were granted for the organisation beforehand, so the authority sends the admin
/// straight back).
pub async fn read_on_click(h: &Harness, shown: &str) -> Result<()> {
    h.click(GRANT).await?;
    h.wait_for_css(shown).await?;
    Ok(())
}
