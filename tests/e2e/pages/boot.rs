//! The signed-out page, the sign-in round trip through the emulator's authority pages, and the
//! signed-in account bar.

use anyhow::{Context, Result};

use crate::harness::Harness;

/// The Sign in button of the signed-out page.
pub const SIGN_IN: &str = "#signin";
/// The sentence under Sign in (a refused silent sign-in, an ignored click).
pub const NOTE: &str = "#signin-note";
/// The page's error panel (a refused callback, a consent that needs an administrator).
pub const ERROR: &str = "#error";
/// The emulator's account picker on the authority's sign-in page.
pub const ACCOUNTS: &str = "#accounts";
/// The signed-in account bar.
pub const ACCOUNT: &str = "#account";
/// The admin's roles in the account bar.
pub const ROLES: &str = "#roles";
/// The tenant's pass policy summary under the account bar.
pub const POLICY_SUMMARY: &str = "#policy";
/// The Sign out button.
pub const SIGN_OUT: &str = "#signout";
/// The notice asking the admin to sign in again (a session past renewal).
pub const REAUTH: &str = "#reauth";
/// The Sign in again button of that notice.
pub const SIGN_IN_AGAIN: &str = "#signin-again";
/// What the signed-in admin may do, in words.
pub const CAPABILITY: &str = ".account__capability";
/// The signed-in admin's UPN in the account bar.
pub const UPN: &str = ".account__upn";

/// The account `local@contoso…` on the authority's account picker.
pub fn account(local: &str) -> String {
    format!("[id='account-{local}']")
}

/// Opens the page; done once the Sign in button shows.
pub async fn open(h: &Harness) -> Result<()> {
    h.goto_page().await?;
    h.wait_for_css(SIGN_IN).await?;
    Ok(())
}

/// Opens the page, clicks Sign in and waits for the authority's account picker.
pub async fn start(h: &Harness) -> Result<()> {
    h.goto_page().await?;
    h.click(SIGN_IN).await?;
    h.wait_for_css(ACCOUNTS).await?;
    Ok(())
}

/// Opens the page, clicks Sign in and picks the account `local@contoso…` on the emulator's
/// sign-in page; done once the account bar shows.
pub async fn sign_in(h: &Harness, local: &str) -> Result<()> {
    start(h).await?;
    h.click(&account(local)).await?;
    h.wait_for_css(ACCOUNT)
        .await
        .context("the signed-in account bar never appeared")?;
    Ok(())
}

/// Clicks Sign out and waits for the Sign in button.
pub async fn sign_out(h: &Harness) -> Result<()> {
    h.click(SIGN_OUT).await?;
    h.wait_for_css(SIGN_IN).await?;
    Ok(())
}
