//! Secrets on screen and in the clipboard, and the Settings overrides (issue 12, points 1 and 5):
//! a clear the browser refuses is said on screen and done on the next focus; Sign out and a
//! reload clear too; Settings override only the sign-in fields, on known hosts, under a banner.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use serde_json::json;

use super::{allow_clipboard, assert_accessible};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, create, exists, reveal, setup};

/// Signs in as Adele with both clipboard permissions, creates Pradeep's pass, clicks Copy and
/// returns the pass once the clipboard holds it.
async fn copy_pradeeps_pass(h: &Harness) -> Result<String> {
    h.goto_page().await?;
    allow_clipboard(h).await?;
    boot::sign_in(h, "adele.vance").await?;
    let value = create::for_pradeep(h).await?;
    reveal::copy(h).await?;
    ensure!(
        h.clipboard_text().await? == value,
        "Copy did not put the pass on the clipboard"
    );
    Ok(value)
}

#[tokio::test]
async fn a_clear_refused_in_a_background_tab_is_said_and_done_on_the_next_focus() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.extend_page_config(json!({"clipboardClearSeconds": 1}));
        let value = copy_pradeeps_pass(&h).await?;
        let page = h.driver.window().await?;
        // The admin goes to another window (as to Teams or Outlook): this tab loses focus and
        // Chromium refuses its clipboard writes. The other window shows a same-origin document
        // (config.json), so it can look at this tab through `opener` without focusing it.
        h.driver
            .execute(
                "window.open(new URL('config.json', location.href).href, 'elsewhere');",
                vec![],
            )
            .await?;
        h.wait_until("the second window to open", || async {
            Ok(h.driver.windows().await?.len() == 2)
        })
        .await?;
        let other = h
            .driver
            .windows()
            .await?
            .into_iter()
            .find(|w| *w != page)
            .context("no second window")?;
        h.driver.switch_to_window(other).await?;
        h.wait_until("the timed clear to be refused and said", || async {
            let said = h
                .driver
                .execute(
                    "const n = window.opener && window.opener.document.querySelector(arguments[0]);
                     return n ? n.textContent : '';",
                    vec![json!(reveal::CLIPBOARD_NOTICE)],
                )
                .await?;
            Ok(said
                .as_str()
                .is_some_and(|t| t.contains("the pass may still be on your clipboard")))
        })
        .await?;
        ensure!(
            h.clipboard_text().await? == value,
            "the background tab cleared the clipboard after all: the test did not reproduce a refusal"
        );
        // Back to the page: the next focus clears, and the notice goes.
        h.driver.close_window().await?;
        h.driver.switch_to_window(page).await?;
        h.driver.execute("window.focus();", vec![]).await?;
        h.wait_until("the clipboard to be cleared on focus", || async {
            Ok(h.clipboard_text().await?.is_empty())
        })
        .await?;
        h.wait_until("the notice to go", || async {
            Ok(!exists(&h, reveal::CLIPBOARD_NOTICE).await)
        })
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn sign_out_clears_a_copied_pass_at_once() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // The timer alone would wait ten minutes.
        h.emu
            .extend_page_config(json!({"clipboardClearSeconds": 600}));
        copy_pradeeps_pass(&h).await?;
        // Sign out must clear before it leaves: the authority need not send the browser back,
        // so the page after it (which clears by the sessionStorage flag) cannot be relied on.
        h.driver
            .execute("sessionStorage.removeItem('tapdesk.clipboard');", vec![])
            .await?;
        boot::sign_out(&h).await?;
        let left = h.clipboard_text().await?;
        ensure!(
            left.is_empty(),
            "the clipboard still holds {left:?} after Sign out"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_reload_clears_a_copied_pass_in_the_page_that_follows() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu
            .extend_page_config(json!({"clipboardClearSeconds": 600}));
        copy_pradeeps_pass(&h).await?;
        // Chromium drops a clipboard write started on `pagehide`; the flag left in
        // sessionStorage (never the pass) makes the reloaded page clear.
        h.driver.refresh().await?;
        h.wait_for_css(boot::ACCOUNT).await?;
        h.wait_until("the clipboard to be cleared by the reload", || async {
            Ok(h.clipboard_text().await?.is_empty())
        })
        .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn settings_override_only_sign_in_fields_on_known_hosts_under_a_banner() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        ensure!(
            !exists(&h, setup::OVERRIDES_BANNER).await,
            "a banner without overrides"
        );

        // What a script or a shared workstation might leave: a phishing handout address, no
        // clipboard clearing, and the client id (a field the form edits) as config.json has it.
        h.driver
            .execute(
                "localStorage.setItem('tapdesk.settings', JSON.stringify({clientId: arguments[0], handoutUrl: 'https://phish.example/', clipboardClearSeconds: 600}));",
                vec![json!(h.emu.client_id())],
            )
            .await?;
        h.driver.refresh().await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        let banner = h.wait_for_css(setup::OVERRIDES_BANNER).await?.text().await?;
        ensure!(
            banner.contains("override config.json: Application (client) ID.")
                && banner.contains("Ignored (only config.json may set them): clipboardClearSeconds, handoutUrl."),
            "banner: {banner}"
        );
        assert_accessible(&h, "the overrides banner").await?;

        // A Graph host of someone else's, saved through the form, is refused on reload.
        h.click(setup::SETTINGS).await?;
        h.type_into(setup::GRAPH, "https://graph.evil.example").await?;
        h.click(setup::SAVE).await?;
        h.wait_for_text(setup::PROBLEMS, "\"graphBaseUrl\" may only name")
            .await?;
        h.wait_for_text(setup::PROBLEMS, "not https://graph.evil.example")
            .await?;
        h.wait_for_css(setup::OVERRIDES_BANNER).await?;

        // One click goes back to config.json alone.
        h.click(setup::OVERRIDES_RESET).await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        ensure!(
            !exists(&h, setup::OVERRIDES_BANNER).await,
            "the banner stayed after the reset"
        );
        let kept = h
            .driver
            .execute("return localStorage.getItem('tapdesk.settings');", vec![])
            .await?;
        ensure!(kept.is_null(), "the overrides stayed: {kept}");
        Ok(())
    })
    .await
}
