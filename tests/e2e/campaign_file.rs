//! The campaign file (issue 15 point 3): a wave handed to Many users (start proposed for
//! tomorrow 08:00, handouts with the passkey steps in English or German) is kept in this browser
//! with object ids and times only; once its passes are issued the campaign says so; exported,
//! then imported into a browser that kept nothing, it continues where it was (stages, the
//! tracker following the users); a broken file and one carrying a pass are refused in words
//! and change nothing.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use base64::Engine as _;
use fantoccini::Locator;
use serde_json::json;
use tapdesk_emulator::Event;

use super::assert_accessible;
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk, campaign, tabs, tracking};

/// Campaign users seeded on top of the base tenant.
const SEEDED: usize = 1500;

/// Opens Campaign, granting the report's permission if this sign-in does not carry it yet.
async fn open_campaign(h: &Harness) -> Result<()> {
    campaign::open(h).await?;
    h.wait_until("the counts or the consent notice", || async {
        Ok(!h
            .driver
            .find_all(Locator::Css(campaign::COUNTS))
            .await?
            .is_empty()
            || !h
                .driver
                .find_all(Locator::Css(campaign::CONSENT))
                .await?
                .is_empty())
    })
    .await?;
    if h.driver
        .find_all(Locator::Css(campaign::COUNTS))
        .await?
        .is_empty()
    {
        campaign::grant(h).await?;
    }
    h.wait_for_css(campaign::FILE).await?;
    Ok(())
}

async fn number(h: &Harness, css: &str) -> Result<usize> {
    let text = h.text_content(css).await?;
    text.trim()
        .parse()
        .with_context(|| format!("{css} is not a number: {text:?}"))
}

async fn wait_number(h: &Harness, css: &str, want: usize) -> Result<()> {
    h.wait_until(&format!("{css} to read {want}"), || async {
        Ok(h.text_content(css).await.ok().map(|t| t.trim().to_owned()) == Some(want.to_string()))
    })
    .await
}

async fn exported(h: &Harness, button: &str) -> Result<String> {
    h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
    h.click(button).await?;
    let text = h.driver.execute_async(bulk::READ_EXPORT, vec![]).await?;
    Ok(text.as_str().context("export text")?.to_owned())
}

#[tokio::test]
async fn a_campaign_exported_and_imported_in_a_fresh_browser_continues_where_it_was() -> Result<()>
{
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(SEEDED, 15);
        boot::sign_in(&h, "alex.wilber").await?;
        open_campaign(&h).await?;
        h.wait_for_css(campaign::NO_WAVE).await?;
        // Tracking's module loaded after Campaign's still runs (a wasm_split layout once broke
        // it with "function signature mismatch" while the campaign module held its own copy of
        // the tracked signal's closures: `Ctx::tracked_since`).
        h.click(tabs::TRACKING).await?;
        h.wait_for_css(tracking::TITLE).await?;
        h.click(tabs::CAMPAIGN).await?;

        // A wave of 50 phone-only users of Finance, through the dry run to passes.
        campaign::choose(&h, campaign::CLASS, "phone-only").await?;
        campaign::choose(&h, campaign::DEPARTMENT, "Finance").await?;
        h.wait_for_text(campaign::SHOWN, "users match").await?;
        h.click(campaign::WAVE).await?;
        h.wait_for_css(&tabs::selected(tabs::BULK)).await?;
        h.wait_until("the wave in the pasted input", || async {
            let v = bulk::pasted(&h).await?;
            Ok(v.lines().count() == 50)
        })
        .await?;
        // The wave's passes are proposed to start tomorrow at 08:00 (set with the input, polled:
        // the start fields render after the pasted input under load).
        h.wait_until("the wave's start proposed for tomorrow 08:00", || async {
            let later = match h.driver.find(Locator::Css(bulk::START_LATER)).await {
                Ok(e) => e.prop("checked").await?,
                Err(_) => return Ok(false),
            };
            let at = match h.driver.find(Locator::Css(bulk::START_AT)).await {
                Ok(e) => e.prop("value").await?.unwrap_or_default(),
                Err(_) => return Ok(false),
            };
            Ok(later.as_deref() == Some("true") && at.ends_with("T08:00"))
        })
        .await?;
        h.click(bulk::CHECK).await?;
        h.wait_for_css(bulk::PREVIEW).await?;
        h.wait_for_text(bulk::COUNTS, "ready").await?;
        let before = h.emu.events().len();
        bulk::run(&h, bulk::EXPORT).await?;
        let created: Vec<(String, String)> = h
            .emu
            .events()
            .into_iter()
            .skip(before)
            .filter_map(|e| match e {
                Event::PassCreated {
                    user_id, method_id, ..
                } => Some((user_id, method_id)),
                _ => None,
            })
            .collect();
        ensure!(!created.is_empty(), "no pass was created for the wave");
        let issued = created.len();
        // The handouts explain the passkey steps, in English or German.
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.wait_for_text(bulk::HANDOUT_PASSKEY, "Register your passkey")
            .await?;
        campaign::choose(&h, bulk::HANDOUT_LANGUAGE, "de").await?;
        h.wait_for_text(bulk::HANDOUT_PASSKEY, "Richten Sie Ihren Passkey ein")
            .await?;
        let pages = h.driver.find_all(Locator::Css(bulk::HANDOUT)).await?;
        ensure!(
            pages.len() == issued,
            "{} handouts for {issued} passes",
            pages.len()
        );
        // Printed, the longer steps still keep one handout per page.
        h.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }))
            .await?;
        let shot = h
            .cdp("Page.captureScreenshot", json!({ "format": "png" }))
            .await?;
        let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-shots");
        std::fs::create_dir_all(&shots)?;
        let png = base64::engine::general_purpose::STANDARD.decode(
            shot["data"]
                .as_str()
                .context("captureScreenshot gave no data")?,
        )?;
        std::fs::write(shots.join("campaign-handout-print.png"), png)?;
        let printed = h
            .cdp(
                "Page.printToPDF",
                json!({ "printBackground": true, "preferCSSPageSize": true }),
            )
            .await?;
        let pdf = base64::engine::general_purpose::STANDARD.decode(
            printed["data"]
                .as_str()
                .context("printToPDF gave no data")?,
        )?;
        let text = String::from_utf8_lossy(&pdf);
        let pdf_pages = text
            .match_indices("/Type /Page")
            .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
            .count();
        ensure!(
            pdf_pages == issued,
            "the PDF has {pdf_pages} pages for {issued} handouts"
        );
        h.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }))
            .await?;
        // The results exported: leaving the page later asks nothing.
        let _ = exported(&h, bulk::EXPORT).await?;

        // The campaign holds the wave and knows who got a pass.
        h.click(tabs::CAMPAIGN).await?;
        wait_number(&h, &campaign::stage("PassIssued"), issued).await?;
        let planned = number(&h, &campaign::stage("Planned")).await?;
        ensure!(
            planned + issued == 50,
            "{planned} planned + {issued} issued is not the wave of 50"
        );
        ensure!(
            h.driver
                .find_all(Locator::Css(campaign::WAVE_ROW))
                .await?
                .len()
                == 1,
            "one wave"
        );
        assert_accessible(&h, "the Campaign screen with a wave").await?;
        crate::tour::shoot(&h, "campaign-file", campaign::FILE).await?;

        // The file and the browser's storage hold ids and times, never a pass nor its id.
        let file = exported(&h, campaign::FILE_EXPORT).await?;
        let stored = h.storage_dump().await?;
        for (user, method) in &created {
            ensure!(file.contains(user.as_str()), "the file misses {user}");
            let secrets = h.emu.passes(user);
            let value = secrets
                .first()
                .map(|p| p.temporary_access_pass.clone())
                .context("the pass")?;
            for (what, text) in [("the file", &file), ("the storage", &stored)] {
                ensure!(!text.contains(&value), "{what} holds the pass of {user}");
                ensure!(
                    !text.contains(method.as_str()),
                    "{what} holds the pass id {method}"
                );
            }
        }

        // A browser that kept nothing: no storage, signed in again.
        h.driver
            .execute("localStorage.clear(); sessionStorage.clear();", vec![])
            .await?;
        boot::sign_in(&h, "alex.wilber").await?;
        open_campaign(&h).await?;
        h.wait_for_css(campaign::NO_WAVE).await?;

        // Broken and foreign files are refused in words; nothing changes.
        campaign::import(&h, "broken.json", "{ not json").await?;
        h.wait_for_text(campaign::FILE_REFUSED, "not JSON").await?;
        let with_pass = file.replacen(
            "\"userIds\"",
            "\"passId\": \"00000000-0000-0000-0000-000000000000\", \"userIds\"",
            1,
        );
        ensure!(with_pass != file, "the file has no wave to tamper with");
        campaign::import(&h, "with-pass.json", &with_pass).await?;
        h.wait_for_text(campaign::FILE_REFUSED, "never a pass")
            .await?;
        h.wait_for_css(campaign::NO_WAVE).await?;

        // The exported file continues the campaign here.
        campaign::import(&h, "campaign.json", &file).await?;
        h.wait_for_text(campaign::FILE_NEWS, "Imported 1 wave")
            .await?;
        wait_number(&h, &campaign::stage("PassIssued"), issued).await?;
        wait_number(&h, &campaign::stage("Planned"), planned).await?;
        ensure!(
            h.driver
                .find_all(Locator::Css(campaign::FILE_REFUSED))
                .await?
                .is_empty(),
            "the refusal stays after a good import"
        );
        // The tracker follows on whoever got a pass.
        h.click(tabs::TRACKING).await?;
        let (first, _) = &created[0];
        h.wait_for_css(&format!(
            "{} .tracking__row[data-user='{first}']",
            tracking::LIST
        ))
        .await?;
        // Kept across a reload of this browser.
        h.goto_page().await?;
        h.wait_for_css(crate::pages::boot::ACCOUNT).await?;
        open_campaign(&h).await?;
        wait_number(&h, &campaign::stage("PassIssued"), issued).await?;
        Ok(())
    })
    .await
}
