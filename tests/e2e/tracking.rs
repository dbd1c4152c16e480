//! The onboarding tracker (issue 7): a user who got a pass is followed from "usable" to "used"
//! to a passwordless method, then the pass is revoked from there; nothing is read while the
//! browser tab is hidden; a bulk run's users are followed too.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use serde_json::json;

use super::{assert_accessible, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, create, reveal, tracking};

/// Makes the page believe its browser tab is hidden (or visible again), as the Page Visibility
/// API reports it, and tells it so.
async fn set_hidden(h: &Harness, hidden: bool) -> Result<()> {
    h.driver
        .execute(
            "Object.defineProperty(document, 'hidden', { configurable: true, get: () => arguments[0] });
             Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => arguments[0] ? 'hidden' : 'visible' });
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![json!(hidden)],
        )
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_new_user_is_followed_to_a_passkey_and_the_pass_revoked() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        // One second between checks, so the test needs no long waits.
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        boot::sign_in(&h, "adele.vance").await?;
        create::for_pradeep(&h).await?;
        reveal::done(&h).await?;

        tracking::open(&h).await?;
        h.wait_for_text(tracking::LIST, "Pradeep Gupta").await?;
        h.wait_for_text(tracking::STAGE, "Pass usable: waiting for the user")
            .await?;
        assert_accessible(&h, "the tracker").await?;
        ensure!(
            h.driver
                .execute("return sessionStorage.getItem('tapdesk.tracked')", vec![])
                .await?
                .as_str()
                .is_some_and(|s| !s.contains(&h.emu.passes(PRADEEP)[0].temporary_access_pass)),
            "the tracked list holds more than ids"
        );

        h.emu.mark_pass_used(PRADEEP);
        h.wait_for_text(tracking::STAGE, "Pass used: no passwordless method yet")
            .await?;

        // Hidden: no round runs, whatever the clock says.
        set_hidden(&h, true).await?;
        h.wait_for_text(tracking::STATUS, "Paused while this browser tab is hidden")
            .await?;
        let before = tracking::rounds(&h).await?;
        h.emu.reset_graph_counters();
        let t0 = h
            .driver
            .execute("return performance.now()", vec![])
            .await?
            .as_f64()
            .unwrap_or(0.0);
        h.wait_until("four check intervals to pass", || async {
            Ok(h.driver
                .execute("return performance.now()", vec![])
                .await?
                .as_f64()
                .unwrap_or(0.0)
                > t0 + 4000.0)
        })
        .await?;
        ensure!(
            tracking::rounds(&h).await? == before,
            "a round ran while hidden"
        );
        let counts = h.emu.graph_requests();
        ensure!(
            counts.http_requests == 0,
            "Graph was called while hidden: {counts:?}"
        );
        set_hidden(&h, false).await?;
        h.wait_until("a round after the tab shows again", || async {
            Ok(tracking::rounds(&h).await? > before)
        })
        .await?;

        h.emu
            .register_method(
                PRADEEP,
                "#microsoft.graph.fido2AuthenticationMethod",
                Some("YubiKey 5"),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        h.wait_for_text(tracking::STAGE, "Passwordless method registered")
            .await?;
        h.wait_for_text(tracking::LIST, "Passkey (FIDO2)").await?;
        // Revoking asks first, like every other delete.
        h.click(tracking::REVOKE).await?;
        h.wait_for_text(tracking::REVOKE_QUESTION, "Delete Pradeep Gupta's pass?")
            .await?;
        ensure!(
            h.emu.passes(PRADEEP).len() == 1,
            "the pass went before the confirmation"
        );
        h.click(tracking::REVOKE_CANCEL).await?;
        h.wait_for_css(tracking::REVOKE).await?;
        ensure!(h.emu.passes(PRADEEP).len() == 1, "Cancel revoked the pass");
        h.click(tracking::REVOKE).await?;
        h.click(tracking::REVOKE_CONFIRM).await?;
        h.wait_for_text(tracking::STAGE, "Done").await?;
        ensure!(h.emu.passes(PRADEEP).is_empty(), "the pass is still there");
        Ok(())
    })
    .await
}
