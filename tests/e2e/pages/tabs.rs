//! The tabs of the signed-in page and their panels.

/// The One user tab.
pub const SINGLE: &str = "#tab-single";
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
/// The Campaign tab.
pub const CAMPAIGN: &str = "#tab-campaign";
/// The Badges tab.
pub const BADGES: &str = "#tab-badges";
/// Every tab in the order shown, with its panel and the name the document title gives it.
pub const ALL: [(&str, &str, &str); 8] = [
    (SINGLE, "#single", "One user"),
    (BULK, "#panel-bulk", "Many users"),
    (TRACKING, "#panel-tracking", "Tracking"),
    (HOLDERS, "#panel-holders", "Pass holders"),
    (POLICY, "#panel-policy", "Policy"),
    (AUDIT, "#panel-audit", "Audit trail"),
    (CAMPAIGN, "#panel-campaign", "Campaign"),
    (BADGES, "#panel-badges", "Badges"),
];
/// Any tab.
pub const ANY: &str = "[role=tab]";

/// `tab` once it is the selected one.
pub fn selected(tab: &str) -> String {
    format!("{tab}[aria-selected=true]")
}

/// The heading of the screen in `panel`.
pub fn heading(panel: &str) -> String {
    format!("{panel} h2")
}
