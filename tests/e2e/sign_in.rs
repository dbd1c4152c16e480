//! End-to-end tests of the sign-in path against providers and answers beyond the happy path:
//! a generic OpenID provider (issue 11 point 5), refused silent sign-ins (point 13), a cancelled
//! consent and `logout_hint` (point 14), and the protections of issue 12 points 4, 11, 13 and
//! the page's own back/forward-cache listener (point 17).

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use tapdesk_emulator::{Event, SilentRefusal};

use super::{authorize_requests, count};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, consent, exists, setup};

const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";

fn discovery_served(h: &Harness) -> usize {
    count(&h.emu.events(), |e| matches!(e, Event::DiscoveryServed))
}

async fn session_item(h: &Harness, key: &str) -> Result<Option<String>> {
    let v = h
        .driver
        .execute(
            "return sessionStorage.getItem(arguments[0]);",
            vec![serde_json::json!(key)],
        )
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

/// Issue 11 point 5: with config.json alone, against a provider that refuses
/// `prompt=select_account` and issues no `wids`, `tid` or `upn`, the page signs in (asking once
/// more without the prompt), shows who signed in, and never sends the prompt there again.
#[tokio::test]
async fn a_generic_provider_signs_in_with_config_json_alone() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.update_settings(|s| s.generic_oidc_provider = true);
        boot::start(&h).await?;
        let asked = authorize_requests(&h);
        ensure!(
            asked == vec![(Some("select_account".into()), None), (None, None)],
            "authorize requests: {asked:?}"
        );
        // Back on the page in the same tab: the refusal is remembered, and the next click
        // sends no prompt at all.
        boot::open(&h).await?;
        ensure!(
            session_item(&h, "tapdesk.noprompt").await? == Some(h.emu.authority()),
            "the refusal is not remembered"
        );
        h.click(boot::SIGN_IN).await?;
        h.wait_for_css(boot::ACCOUNTS).await?;
        let asked = authorize_requests(&h);
        ensure!(
            asked.len() == 3 && asked[2] == (None, None),
            "authorize requests: {asked:?}"
        );
        h.click(&boot::account("adele.vance")).await?;
        h.wait_for_text(boot::ACCOUNT, "Adele Vance").await?;
        h.wait_for_text(boot::UPN, ADELE).await?;
        let url = h.driver.current_url().await?.to_string();
        ensure!(
            !url.contains("error") && !url.contains("code="),
            "the address bar kept {url}"
        );
        Ok(())
    })
    .await
}

/// A provider listing `prompt_values_supported` without `select_account` is never sent it.
#[tokio::test]
async fn listed_prompt_values_are_honoured() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.update_settings(|s| {
            s.prompt_values_supported = Some(vec!["none".into(), "login".into(), "consent".into()])
        });
        boot::start(&h).await?;
        let asked = authorize_requests(&h);
        ensure!(asked == vec![(None, None)], "authorize requests: {asked:?}");
        Ok(())
    })
    .await
}

/// Issue 11 point 13: a silent sign-in refused with `login_required`, `interaction_required`
/// (MFA, MFA registration, Conditional Access) or `consent_required` lands on the Sign in button with a sentence (no error, no loop), and
/// the next click signs the same account in interactively: same `login_hint`, no `prompt=none`.
#[tokio::test]
async fn a_refused_silent_sign_in_lands_on_the_button_and_the_click_keeps_the_hint() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        for (refusal, sentence) in [
            (
                SilentRefusal::LoginRequired,
                "session with the sign-in service has ended",
            ),
            (SilentRefusal::MfaRequired, "multi-factor authentication"),
            (
                SilentRefusal::MfaRegistrationRequired,
                "multi-factor authentication",
            ),
            (SilentRefusal::ConditionalAccess, "Conditional Access"),
            (SilentRefusal::ConsentRequired, "waiting for your consent"),
        ] {
            h.emu
                .update_settings(|s| s.silent_sign_in_refusal = Some(refusal));
            let before = authorize_requests(&h).len();
            h.driver.refresh().await?;
            h.wait_for_text(boot::NOTE, sentence).await?;
            ensure!(
                !exists(&h, boot::ERROR).await,
                "{refusal:?} was shown as an error"
            );
            let asked = authorize_requests(&h);
            ensure!(
                asked[before..] == [(Some("none".into()), Some(ADELE.into()))],
                "{refusal:?}: {:?}",
                &asked[before..]
            );
            let url = h.driver.current_url().await?.to_string();
            ensure!(
                !url.contains("error="),
                "the refusal stayed in the address bar: {url}"
            );
            // The authority's session still exists, so the interactive request comes straight back.
            h.click(boot::SIGN_IN).await?;
            h.wait_for_text(boot::ACCOUNT, "Adele Vance").await?;
            let asked = authorize_requests(&h);
            ensure!(
                asked[before + 1..] == [(None, Some(ADELE.into()))],
                "{refusal:?}: the click asked {:?}",
                &asked[before + 1..]
            );
        }
        Ok(())
    })
    .await
}

/// Issue 12 point 4: the callback leaves the address bar before config.json is fetched, so a
/// failing config.json cannot leave the code there.
#[tokio::test]
async fn the_callback_leaves_the_address_bar_even_when_config_json_fails() -> Result<()> {
    let opts = Options {
        config_json: Some(String::new()),
        ..Options::default()
    };
    harness::run(opts, |h: Arc<Harness>| async move {
        h.driver
            .goto(&format!(
                "{}?code=1.secret-code&state=some-state&session_state=s",
                h.page_url()
            ))
            .await?;
        h.wait_for_text(setup::PROBLEMS, "config.json was not found")
            .await?;
        let url = h.driver.current_url().await?.to_string();
        ensure!(
            !url.contains("code=") && !url.contains("secret-code") && !url.contains("state="),
            "the callback stayed in the address bar: {url}"
        );
        Ok(())
    })
    .await
}

/// Issue 12 point 11: Back from the authority's page reloads the page, and Sign in works at
/// once (no ten-minute silence); a click ignored because a sign-in is under way says why.
#[tokio::test]
async fn sign_in_works_after_back_from_the_authority_and_an_ignored_click_says_why() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::start(&h).await?;
        h.driver.back().await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        h.click(boot::SIGN_IN).await?;
        h.wait_for_css(boot::ACCOUNTS)
            .await
            .context("Sign in did nothing after Back from the authority")?;
        ensure!(
            authorize_requests(&h).len() == 2,
            "{:?}",
            authorize_requests(&h)
        );

        h.driver.back().await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        // A sign-in under way in this tab (as a second click right after the first would find).
        h.driver
            .execute(
                "sessionStorage.setItem('tapdesk.interaction', String(Date.now() - 5000));",
                vec![],
            )
            .await?;
        h.click(boot::SIGN_IN).await?;
        h.wait_for_text(boot::NOTE, "still opening the sign-in page")
            .await?;
        ensure!(
            authorize_requests(&h).len() == 2,
            "the ignored click navigated"
        );
        Ok(())
    })
    .await
}

/// Issue 12 point 13: a kept discovery document whose authorize endpoint leaves the
/// authority's origin is refused; the page fetches the real one and goes there.
#[tokio::test]
async fn a_tampered_kept_discovery_document_is_refused() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        let authority = h.emu.authority();
        let document = serde_json::json!({
            "issuer": authority,
            "authorization_endpoint": "http://127.0.0.1:9/phish/authorize",
            "token_endpoint": format!("{authority}/../oauth2/v2.0/token"),
        })
        .to_string();
        let kept = serde_json::json!({ "authority": authority, "document": document }).to_string();
        h.driver
            .execute(
                "sessionStorage.setItem('tapdesk.discovery', arguments[0]);",
                vec![serde_json::json!(kept)],
            )
            .await?;
        h.click(boot::SIGN_IN).await?;
        h.wait_for_css(boot::ACCOUNTS)
            .await
            .context("the page did not reach the real authority")?;
        let url = h.driver.current_url().await?.to_string();
        ensure!(url.starts_with(&h.emu.login_url()), "navigated to {url}");
        ensure!(
            discovery_served(&h) == 1,
            "the real document was not fetched"
        );
        Ok(())
    })
    .await
}

/// Issue 12 point 17: a page restored from the back/forward cache forgets a half-done sign-in
/// through the page's own `pageshow` listener (not a direct call of the storage helper).
#[tokio::test]
async fn the_pages_own_pageshow_listener_forgets_a_half_done_sign_in() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        let left = h
            .driver
            .execute(
                "sessionStorage.setItem('tapdesk.attempt', '{}');
                 sessionStorage.setItem('tapdesk.interaction', String(Date.now()));
                 window.__before_reload = true;
                 window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
                 return [sessionStorage.getItem('tapdesk.attempt'), sessionStorage.getItem('tapdesk.interaction')];",
                vec![],
            )
            .await?;
        ensure!(
            left == serde_json::json!([null, null]),
            "the listener left {left}"
        );
        // And the page reloads, so nothing restored from memory shows again.
        h.wait_until("the page to reload", || async {
            let v = h
                .driver
                .execute("return window.__before_reload === true;", vec![])
                .await;
            Ok(v.is_ok_and(|v| v == serde_json::json!(false)))
        })
        .await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        Ok(())
    })
    .await
}

/// Issue 11 point 14: `logout_hint` carries the ID token's `login_hint` claim, never the UPN,
/// and is left out without the claim.
#[tokio::test]
async fn logout_hint_is_the_login_hint_claim_never_the_upn() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        boot::sign_out(&h).await?;
        h.emu.update_settings(|s| s.login_hint_claim = true);
        h.click(boot::SIGN_IN).await?;
        h.click(&boot::account("adele.vance")).await?;
        h.wait_for_css(boot::ACCOUNT).await?;
        boot::sign_out(&h).await?;
        let hints: Vec<Option<String>> = h
            .emu
            .events()
            .into_iter()
            .filter_map(|e| match e {
                Event::SignedOut { logout_hint, .. } => Some(logout_hint),
                _ => None,
            })
            .collect();
        ensure!(
            hints.len() == 2 && hints[0].is_none(),
            "logout hints: {hints:?}"
        );
        let second = hints[1].clone().context("no logout_hint with the claim")?;
        ensure!(
            second.starts_with("O.") && !second.contains('@'),
            "logout_hint {second:?}"
        );
        Ok(())
    })
    .await
}

/// Issue 11 point 14: a cancelled consent comes back as Entra sends it, is explained as such,
/// and its extras (`error_subcode`, `error_uri`, `admin_consent`) leave the address bar.
#[tokio::test]
async fn a_cancelled_consent_is_explained_and_leaves_the_address_bar() -> Result<()> {
    let opts = Options {
        admin_consent_granted: false,
        ..Options::default()
    };
    harness::run(opts, |h: Arc<Harness>| async move {
        h.goto_page().await?;
        h.click(boot::SIGN_IN).await?;
        h.click(&boot::account("alex.wilber")).await?;
        h.click(consent::CANCEL).await?;
        h.wait_for_text(
            boot::ERROR,
            "You cancelled the consent, so nothing was granted",
        )
        .await?;
        let url = h.driver.current_url().await?.to_string();
        for part in ["error", "admin_consent", "state="] {
            ensure!(
                !url.contains(part),
                "{part} stayed in the address bar: {url}"
            );
        }
        Ok(())
    })
    .await
}
