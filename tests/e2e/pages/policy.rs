//! The Policy screen: read-only until the write permission is granted there, then edited,
//! reviewed and saved.

use anyhow::Result;

use super::{consent, tabs};
use crate::harness::Harness;

/// The Policy panel.
pub const PANEL: &str = "#panel-policy";
/// The notice that editing needs the write permission.
pub const CONSENT: &str = "#policy-consent";
/// Grant the policy write permission, on this screen.
pub const GRANT: &str = "#policy-grant";
/// Instead of Grant permission, for a role that cannot use it: the roles that can.
pub const GRANT_ROLE: &str = "#policy-grant-role";
/// The maximum lifetime field.
pub const MAX: &str = "#policy-max";
/// The one-time checkbox.
pub const ONE_TIME: &str = "#policy-one-time";
/// The excluded groups.
pub const EXCLUDE: &str = "#policy-exclude";
/// Advice on the policy.
pub const ADVICE: &str = "#policy-advice";
/// Problems found before sending.
pub const PROBLEMS: &str = "#policy-problems";
/// The group search field.
pub const GROUP_SEARCH: &str = "#policy-group-search";
/// Find groups.
pub const GROUP_FIND: &str = "#policy-group-find";
/// A found group to exclude.
pub const GROUP_RESULT: &str = "#policy-group-results .exclude-group";
/// Review the changes.
pub const REVIEW: &str = "#policy-review";
/// The changes in words.
pub const DIFF: &str = "#policy-diff";
/// Save.
pub const SAVE: &str = "#policy-save";
/// The saved notice.
pub const SAVED: &str = "#policy-saved";

/// Opens the Policy screen.
pub async fn open(h: &Harness) -> Result<()> {
    h.click(tabs::POLICY).await
}

/// Grants the write permission from this screen; done once the form is back and editable.
pub async fn grant(h: &Harness) -> Result<()> {
    consent::grant(h, GRANT).await?;
    h.wait_for_css(REVIEW).await?;
    Ok(())
}
