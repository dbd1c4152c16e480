//! Screens loaded on their first visit (issue 14 point 2): the release build fetches each
//! screen's module when its tab is first opened, shows progress meanwhile, and a module that
//! fails to download says so in words with a Retry that fetches it again.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{ensure, Result};
use tapdesk_emulator::faults::{FaultKind, FaultRule, Match};

use crate::harness::{self, Harness, Options};
use crate::pages::{boot, exists, policy, tabs};

/// The screen's own alert when its module did not arrive.
pub const FAILED: &str = ".screen-failed";
/// The progress shown while a module downloads.
pub const LOADING: &str = ".screen-loading";
/// Its Retry button.
pub const RETRY: &str = ".screen-retry";

#[tokio::test]
async fn a_screen_whose_module_fails_to_download_says_so_and_retry_loads_it() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "alex.wilber").await?;
        // The module of the Policy screen (with Tracking, Pass holders and Audit trail) is answered
        // slowly, then with a 503, once.
        h.emu.inject(
            FaultRule::new(
                Match::site().path_contains("split_tools"),
                FaultKind::Latency(Duration::from_secs(8)),
            )
            .times(1),
        )?;
        h.emu.inject(
            FaultRule::new(
                Match::site().path_contains("split_tools"),
                FaultKind::ServerError(503),
            )
            .times(1),
        )?;
        h.click(tabs::POLICY).await?;
        h.wait_for_text(LOADING, "Loading the Policy screen")
            .await?;
        crate::tour::shoot(&h, "screen-loading", LOADING).await?;
        let alert = h
            .wait_for_text(FAILED, "screen could not be downloaded")
            .await?;
        ensure!(
            alert.text().await?.contains("Policy"),
            "the message does not name the screen"
        );
        ensure!(
            !exists(&h, policy::CONSENT).await,
            "the screen showed up although its module failed"
        );
        crate::tour::shoot(&h, "screen-failed", RETRY).await?;
        // The other screens and the signed-in page keep working.
        h.wait_for_css(boot::ACCOUNT).await?;
        h.click(RETRY).await?;
        h.wait_for_css(policy::CONSENT).await?;
        ensure!(
            !exists(&h, FAILED).await,
            "the failure stays after a successful retry"
        );
        Ok(())
    })
    .await
}
