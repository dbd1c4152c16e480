//! Printing the bulk handouts: under print media only the handouts show, one per page, each
//! naming the organisation and giving its validity with a time zone; the PDF Chromium prints
//! has exactly one page per handout (issue 17: the handouts once printed blank).

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use base64::Engine as _;
use serde_json::json;
use tapdesk_emulator::seed::new_hire_upn;

use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk};

/// Visible elements under the current media: the handouts (`arguments`: the handouts and one
/// handout), and anything else with a box.
pub(crate) const VISIBLE: &str = "
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const [all, one] = arguments;
    const handouts = [...document.querySelectorAll(one)];
    const others = [...document.body.querySelectorAll('*')]
        .filter((e) => !e.closest(all) && !e.querySelector(all))
        .filter(shown)
        .map((e) => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''));
    return {
        handouts: handouts.filter(shown).length,
        texts: handouts.map((e) => e.innerText),
        controls: [...document.querySelectorAll('.print-root__controls')].filter(shown).length,
        others: others.slice(0, 10),
    };";

/// Page objects in a PDF (`/Type /Page`, not `/Pages`): Chromium writes them uncompressed.
pub(crate) fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}

#[tokio::test]
async fn printed_handouts_show_one_page_per_pass_and_nothing_else() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        const N: usize = 5;
        let users: Vec<String> = (1..=N).map(new_hire_upn).collect();
        boot::sign_in(&h, "megan.bowen").await?;
        bulk::open(&h).await?;
        bulk::paste_and_check(&h, &users.join("\n"), &format!("{N} ready")).await?;
        bulk::run(&h, bulk::OPEN_HANDOUTS).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.wait_for_css(bulk::HANDOUT).await?;

        h.cdp("Emulation.setEmulatedMedia", json!({ "media": "print" }))
            .await?;
        let seen = h
            .driver
            .execute(VISIBLE, vec![json!(bulk::HANDOUTS), json!(bulk::HANDOUT)])
            .await?;
        // Failure messages name counts and elements, never a handout's text (it holds a pass).
        ensure!(
            seen["handouts"].as_u64() == Some(N as u64),
            "visible handouts under print media: {}",
            seen["handouts"]
        );
        ensure!(
            seen["controls"].as_u64() == Some(0),
            "the Print/Close buttons print"
        );
        ensure!(
            seen["others"].as_array().is_some_and(Vec::is_empty),
            "elements outside the handouts print: {}",
            seen["others"]
        );
        let zone = h
            .driver
            .execute(
                "return Intl.DateTimeFormat().resolvedOptions().timeZone",
                vec![],
            )
            .await?;
        let zone = zone.as_str().unwrap_or_default().to_owned();
        // Dates are written "27 Nov 2026, 09:00 Europe/Berlin" (UTC for Etc/UTC).
        let zone = if matches!(
            zone.as_str(),
            "Etc/UTC"
                | "UTC"
                | "Etc/GMT"
                | "GMT"
                | "Etc/Universal"
                | "Etc/Zulu"
                | "Universal"
                | "Zulu"
        ) {
            "UTC".to_owned()
        } else {
            zone
        };
        for text in seen["texts"].as_array().into_iter().flatten() {
            let text = text.as_str().unwrap_or_default();
            ensure!(
                text.to_ascii_lowercase()
                    .contains("contoso.onmicrosoft.com"),
                "a handout does not name the organisation"
            );
            ensure!(
                text.contains("Valid from") && text.matches(&format!(" {zone}")).count() == 2,
                "a handout's validity has no time zone ({zone})"
            );
        }

        let pdf = print_pdf(&h, "handouts.pdf").await?;
        ensure!(
            pdf_pages(&pdf) == N,
            "the PDF has {} pages for {N} handouts",
            pdf_pages(&pdf)
        );
        h.cdp("Emulation.setEmulatedMedia", json!({ "media": "" }))
            .await?;
        Ok(())
    })
    .await
}

/// The PDF Chromium prints of the page as it is now, also saved as `target/e2e-shots/{name}`.
pub(crate) async fn print_pdf(h: &Harness, name: &str) -> Result<Vec<u8>> {
    let printed = h
        .cdp(
            "Page.printToPDF",
            json!({ "printBackground": true, "preferCSSPageSize": true }),
        )
        .await?;
    let data = printed["data"]
        .as_str()
        .ok_or_else(|| anyhow!("printToPDF returned {printed}"))?;
    let pdf = base64::engine::general_purpose::STANDARD.decode(data)?;
    let shots = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-shots");
    std::fs::create_dir_all(&shots)?;
    std::fs::write(shots.join(name), &pdf)?;
    Ok(pdf)
}
