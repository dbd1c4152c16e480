//! A tour of every screen at desktop (1280 px) and phone (360 px) width, light and dark: each
//! screen must render its content, and a full-page PNG of each lands in
//! `target/e2e-shots/tour/` for a person to look at (the README says how to open them).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use base64::Engine as _;
use serde_json::json;
use tapdesk_emulator::seed::new_hire_upn;

use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk, create, reveal, setup, tabs};

fn shots_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-shots/tour")
}

/// Saves `name` at both widths in both schemes; the screen must show `css` each time.
pub async fn shoot(h: &Harness, name: &str, css: &str) -> Result<()> {
    std::fs::create_dir_all(shots_dir())?;
    for (width, mobile) in [(1280u32, false), (360, true)] {
        for scheme in ["light", "dark"] {
            h.emulate_screen(width, mobile, scheme).await?;
            h.wait_for_css(css)
                .await
                .with_context(|| format!("{name} at {width} px ({scheme}) shows no {css}"))?;
            let height = h
                .driver
                .execute(
                    "return Math.min(6000, document.documentElement.scrollHeight)",
                    vec![],
                )
                .await?
                .as_u64()
                .unwrap_or(800);
            let png = h
                .cdp(
                    "Page.captureScreenshot",
                    json!({ "format": "png", "captureBeyondViewport": true,
                        "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 } }),
                )
                .await?;
            let data = png["data"]
                .as_str()
                .context("captureScreenshot gave no data")?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(data)?;
            ensure!(bytes.len() > 1000, "{name}: empty screenshot");
            std::fs::write(
                shots_dir().join(format!("{name}-{width}-{scheme}.png")),
                bytes,
            )?;
        }
    }
    h.cdp("Emulation.clearDeviceMetricsOverride", json!({}))
        .await?;
    Ok(())
}

#[tokio::test]
async fn every_screen_renders_at_desktop_and_phone_widths_in_both_schemes() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        shoot(&h, "signed-out", boot::SIGN_IN).await?;
        boot::sign_in(&h, "megan.bowen").await?;
        create::for_pradeep(&h).await?;
        shoot(&h, "one-user-new-pass", reveal::NEW_PASS).await?;
        // Done on a pass never revealed, copied or sent asks first (issue 17).
        h.click(reveal::DONE).await?;
        shoot(&h, "one-user-done-asks", reveal::DONE_CONFIRM).await?;
        h.click(reveal::DONE_KEEP).await?;

        bulk::open(&h).await?;
        let users: Vec<String> = (1..=3).map(new_hire_upn).collect();
        bulk::paste_and_check(&h, &users.join("\n"), "3 ready").await?;
        shoot(&h, "many-users-preview", bulk::COUNTS).await?;
        bulk::run(&h, bulk::OPEN_HANDOUTS).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        shoot(&h, "many-users-results-handouts", bulk::HANDOUT).await?;

        for (name, tab) in [
            ("tracking", tabs::TRACKING),
            ("holders", tabs::HOLDERS),
            ("policy", tabs::POLICY),
            ("audit", tabs::AUDIT),
        ] {
            h.click(tab).await?;
            shoot(&h, name, &tabs::selected(tab)).await?;
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_setup_screen_renders_at_desktop_and_phone_widths_in_both_schemes() -> Result<()> {
    let opts = Options {
        config_json: Some(String::new()),
        ..Options::default()
    };
    harness::run(opts, |h: Arc<Harness>| async move {
        h.goto_page().await?;
        shoot(&h, "setup", setup::ORIGIN_NOTE).await
    })
    .await
}
