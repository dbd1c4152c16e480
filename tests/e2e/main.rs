//! Browser end-to-end tests: the built page in headless Chromium against the local emulator.
#![cfg(not(target_arch = "wasm32"))]

mod harness;

use harness::Options;

#[tokio::test]
async fn harness_starts_and_cleans_up() -> anyhow::Result<()> {
    harness::run(Options::default(), |h| async move {
        h.goto_page().await?;
        h.wait_for_css("body").await?;
        let title = h.driver.title().await?;
        assert!(!title.trim().is_empty(), "the page has no <title>");
        Ok(())
    })
    .await
}
