//! The tabs of the signed-in page.

/// The Many users tab.
pub const BULK: &str = "#tab-bulk";
/// The Tracking tab.
pub const TRACKING: &str = "#tab-tracking";
/// The Pass holders tab.
pub const HOLDERS: &str = "#tab-holders";
/// The Policy tab.
pub const POLICY: &str = "#tab-policy";
/// The Audit trail tab.
pub const AUDIT: &str = "#tab-audit";

/// `tab` once it is the selected one.
pub fn selected(tab: &str) -> String {
    format!("{tab}[aria-selected=true]")
}
