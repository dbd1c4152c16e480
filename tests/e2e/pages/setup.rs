//! The setup screen (no or a broken config.json) and Settings.

use anyhow::Result;
use fantoccini::Locator;

use crate::harness::Harness;

/// The setup screen.
pub const SETUP: &str = "#setup";
/// The list of config problems.
pub const PROBLEMS: &str = "#setup-problems";
/// The redirect URI to register.
pub const REDIRECT: &str = "#setup-redirect";
/// The note that the page needs a host name of its own.
pub const ORIGIN_NOTE: &str = "#setup-origin-note";
/// The note on tenant-wide consent.
pub const CONSENT_NOTE: &str = "#setup-consent-note";
/// The az CLI registration command.
pub const CMD_AZ: &str = "#cmd-az";
/// The PowerShell registration command.
pub const CMD_PWSH: &str = "#cmd-pwsh";
/// The cloud `<select>`.
pub const CLOUD: &str = "#cfg-cloud";
/// The Graph base URL field.
pub const GRAPH: &str = "#cfg-graph";
/// Save in Settings.
pub const SAVE: &str = "#cfg-save";
/// The button that opens Settings ("Advanced: connection settings", at the foot of every page
/// but the setup screen).
pub const SETTINGS: &str = "#settings";
/// The Settings panel.
pub const PANEL: &str = "#settings-panel";
/// The panel's Close button.
pub const CLOSE: &str = "#settings-panel > button";
/// The problems Save found in the Settings form.
pub const FORM_PROBLEMS: &str = "#settings-panel .notice--error";
/// The banner saying Settings override config.json.
pub const OVERRIDES_BANNER: &str = "#overrides-banner";
/// The banner's reset to config.json alone.
pub const OVERRIDES_RESET: &str = "#overrides-reset";

/// Picks the cloud whose `<option>` has `value` in the cloud `<select>`.
pub async fn choose_cloud(h: &Harness, value: &str) -> Result<()> {
    h.driver
        .find(Locator::Css(CLOUD))
        .await?
        .select_by_value(value)
        .await?;
    Ok(())
}
