//! Consent: the emulator's consent page, and the notices the page shows around a grant.

use anyhow::Result;

use crate::harness::Harness;

/// Accept on the authority's consent page.
pub const ACCEPT: &str = "#consent-accept";
/// Cancel on the authority's consent page.
pub const CANCEL: &str = "#consent-cancel";
/// Back to the app on the authority's page when an administrator must consent.
pub const RETURN: &str = "#consent-return";
/// The notice of a form restored after a round trip to the authority.
pub const RESTORED: &str = "#restored";
/// The admin-consent link shown when only an administrator can grant.
pub const ADMIN_CONSENT: &str = "#admin-consent";
/// The user page's notice of the missing write permission.
pub const NEEDED: &str = "#consent-needed";
/// The local notice after a refused consent (the page is still signed in).
pub const REFUSED: &str = "#consent-refused";
/// Grant permission for the write permission, on the user page.
pub const GRANT_WRITE: &str = "#grant-consent";

/// Clicks a screen's Grant permission `button`, then Accept on the authority's consent page.
pub async fn grant(h: &Harness, button: &str) -> Result<()> {
    h.click(button).await?;
    h.click(ACCEPT).await?;
    Ok(())
}

/// Grants with `button` on the user page; done once the page is back and says the permission
/// was granted.
pub async fn grant_on_user_page(h: &Harness, button: &str) -> Result<()> {
    grant(h, button).await?;
    h.wait_for_text(RESTORED, "Permission granted").await?;
    Ok(())
}
