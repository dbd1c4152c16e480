//! Phone widths and colours (issue 17 points 5 and 7): every screen, with data on it, fits a
//! 360 px viewport (`scrollWidth <= innerWidth`), and in both colour schemes axe's WCAG 2.1 AA
//! rules find nothing, every field and button has a 3:1 boundary and every placeholder 4.5:1.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Context, Result};
use base64::Engine as _;
use serde_json::json;
use tapdesk_emulator::seed::new_hire_upn;

use super::pages::{
    audit, boot, bulk, consent, create, holders, policy, reveal, search, setup, tabs, tracking,
    user,
};
use super::PRADEEP;
use crate::harness::{self, Harness, Options};

/// The phone width the issue names.
const PHONE: u32 = 360;

/// The page's own width against the viewport's (on a phone `innerWidth` follows a wider page as
/// the browser zooms out, so the check also wants it at `PHONE`), and the outermost elements
/// that stick out past `PHONE` (those not inside a scrolling box), for the failure message.
const OVERFLOW: &str = "
    const w = arguments[0];
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    const scrolls = (e) => { for (let a = e.parentElement; a; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true; } return false; };
    const wide = [...document.body.querySelectorAll('*')]
        .filter((e) => e.getBoundingClientRect().right > w + 0.5 && !scrolls(e))
        .filter((e) => !(e.parentElement && e.parentElement.getBoundingClientRect().right > w + 0.5))
        .slice(0, 5)
        .map((e) => `${name(e)} (right edge ${Math.round(e.getBoundingClientRect().right)} px)`);
    return { inner: w, scroll: document.documentElement.scrollWidth, wide };";

/// WCAG 1.4.11 and 1.4.3 for what axe leaves out: each shown, enabled field and button needs a
/// boundary (its border, or its fill) of 3:1 against what surrounds it, and each shown
/// placeholder 4.5:1 against the field. Native checkboxes and radios are the browser's own.
const CONTRAST: &str = "
    const parse = (c) => {
        const m = c.match(/rgba?\\(([^)]+)\\)/);
        if (!m) return [0, 0, 0, 0];
        const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
        return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    };
    const over = (top, bottom) => [0, 1, 2].map((i) => top[3] * top[i] + (1 - top[3]) * bottom[i]).concat(1);
    const behind = (e) => {
        const chain = [];
        for (let a = e; a; a = a.parentElement) chain.unshift(parse(getComputedStyle(a).backgroundColor));
        return chain.reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
    };
    const lum = (c) => {
        const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    const shown = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
    const controls = [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !e.disabled && shown(e) && !['checkbox', 'radio', 'hidden'].includes(e.type));
    const out = { boundaries: [], placeholders: [] };
    for (const e of controls) {
        const s = getComputedStyle(e);
        const outside = behind(e.parentElement);
        const fill = over(parse(s.backgroundColor), outside);
        const bordered = s.borderTopStyle !== 'none' && parseFloat(s.borderTopWidth) > 0;
        const border = bordered ? ratio(over(parse(s.borderTopColor), outside), outside) : 1;
        out.boundaries.push({ el: name(e), ratio: Math.max(border, ratio(fill, outside)) });
        if (e.placeholder && !e.value) {
            const p = over(parse(getComputedStyle(e, '::placeholder').color), fill);
            out.placeholders.push({ el: name(e), ratio: ratio(p, fill) });
        }
    }
    return out;";

/// axe-core with the WCAG 2.1 A and AA rules only, every impact; `id: help — targets` each.
const AXE_AA: &str = "
    const done = arguments[arguments.length - 1];
    window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
    })
        .then((r) => done({ violations: r.violations.map((v) =>
            `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`) }))
        .catch((e) => done({ error: String(e) }));";

/// Makes the viewport `PHONE` px wide and the colour scheme `scheme`.
async fn emulate(h: &Harness, scheme: &str) -> Result<()> {
    h.emulate_screen(PHONE, true, scheme).await?;
    // The emulation applies with the next frame: wait until the page's media queries see both.
    // (Not `innerWidth`: a phone zooms out to a page wider than itself, so that grows with it.)
    h.wait_until(&format!("a {PHONE} px {scheme} viewport"), || async {
        let seen = h
            .driver
            .execute(
                "return [matchMedia(`(width: ${arguments[0]}px)`).matches,
                    matchMedia('(prefers-color-scheme: dark)').matches]",
                vec![json!(PHONE)],
            )
            .await?;
        Ok(seen == json!([true, scheme == "dark"]))
    })
    .await
}

/// axe's WCAG 2.1 AA violations on the page as it is now (loads axe-core once per page).
async fn axe_aa(h: &Harness) -> Result<Vec<String>> {
    h.axe(AXE_AA).await
}

/// Saves a full-page PNG of `screen` to `target/e2e-shots/layout/`, for a person to look at.
async fn save_shot(h: &Harness, screen: &str, scheme: &str) -> Result<()> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e-shots/layout");
    std::fs::create_dir_all(&dir)?;
    let size = h
        .driver
        .execute(
            "return [document.documentElement.scrollWidth, Math.min(6000, document.documentElement.scrollHeight)]",
            vec![],
        )
        .await?;
    let (width, height) = (
        size[0].as_u64().unwrap_or(u64::from(PHONE)),
        size[1].as_u64().unwrap_or(800),
    );
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
    let file = format!(
        "{}-{PHONE}-{scheme}.png",
        screen.replace(", ", "-").replace(' ', "-").to_lowercase()
    );
    std::fs::write(
        dir.join(file),
        base64::engine::general_purpose::STANDARD.decode(data)?,
    )?;
    Ok(())
}

/// Every problem `screen` has at 360 px in both schemes: overflow, axe's WCAG 2.1 AA findings,
/// weak boundaries and placeholders. Prints the measured figures (`--nocapture` shows them).
async fn problems(h: &Harness, screen: &str) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for scheme in ["light", "dark"] {
        emulate(h, scheme).await?;
        save_shot(h, screen, scheme).await?;
        let fit = h.driver.execute(OVERFLOW, vec![json!(PHONE)]).await?;
        let (inner, scroll) = (fit["inner"].as_u64(), fit["scroll"].as_u64());
        eprintln!("[layout] {screen} ({scheme}): scrollWidth {scroll:?}, innerWidth {inner:?}");
        if inner != Some(u64::from(PHONE)) || scroll > inner {
            found.push(format!(
                "{scheme}: {scroll:?} px wide in a {inner:?} px viewport; sticking out: {}",
                fit["wide"]
            ));
        }
        for v in axe_aa(h).await? {
            found.push(format!("{scheme}: axe {v}"));
        }
        let c = h.driver.execute(CONTRAST, vec![]).await?;
        for (kind, least) in [("boundaries", 3.0), ("placeholders", 4.5)] {
            let all = c[kind].as_array().cloned().unwrap_or_default();
            let weakest = all
                .iter()
                .filter_map(|m| m["ratio"].as_f64())
                .fold(f64::INFINITY, f64::min);
            eprintln!(
                "[layout] {screen} ({scheme}): weakest of {} {kind}: {weakest:.2}:1",
                all.len()
            );
            for m in all
                .iter()
                .filter(|m| m["ratio"].as_f64().is_some_and(|r| r < least))
            {
                found.push(format!(
                    "{scheme}: {kind} {} at {:.2}:1 (needs {least}:1)",
                    m["el"],
                    m["ratio"].as_f64().unwrap_or_default()
                ));
            }
        }
    }
    Ok(found
        .into_iter()
        .map(|p| format!("{screen}: {p}"))
        .collect())
}

/// Checks `screen` and adds what it finds to `all`.
async fn check(h: &Harness, screen: &str, all: &mut Vec<String>) -> Result<()> {
    all.extend(problems(h, screen).await?);
    Ok(())
}

fn verdict(all: &[String]) -> Result<()> {
    ensure!(
        all.is_empty(),
        "{} problems at {PHONE} px:\n{}",
        all.len(),
        all.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn every_signed_in_screen_fits_a_phone_and_meets_aa_contrast_in_both_schemes() -> Result<()> {
    let opts = Options {
        scenario_timeout: std::time::Duration::from_secs(300),
        ..Options::default()
    };
    harness::run(opts, |h: Arc<Harness>| async move {
        let mut all = Vec::new();
        // Holders to find: one usable, one expired.
        let now = h.emu.now();
        let hour = time::Duration::hours(1);
        for (upn, start) in [
            (new_hire_upn(7), now - hour),
            (new_hire_upn(8), now - hour * 72),
        ] {
            h.emu
                .seed_pass(&upn, start, 60, true)
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        h.goto_page().await?;
        emulate(&h, "light").await?;
        h.wait_for_css(boot::SIGN_IN).await?;
        check(&h, "signed out", &mut all).await?;

        boot::sign_in(&h, "alex.wilber").await?;
        h.type_into(search::INPUT, "contoso").await?;
        h.wait_for_css(search::OPTION).await?;
        check(&h, "One user, search results", &mut all).await?;
        create::for_pradeep(&h).await?;
        h.click(reveal::REVEAL).await?;
        check(&h, "One user, new pass revealed", &mut all).await?;
        h.click(reveal::DONE).await?;
        h.wait_for_css(user::PASS_STATUS).await?;
        h.wait_for_css(user::METHODS).await?;
        check(&h, "One user, current pass", &mut all).await?;

        h.click(tabs::BULK).await?;
        let users: Vec<String> = (1..=3).map(new_hire_upn).collect();
        h.type_into(bulk::PASTE, &users.join("\n")).await?;
        h.click(bulk::CHECK).await?;
        h.wait_for_text(bulk::COUNTS, "3 ready").await?;
        check(&h, "Many users, preview", &mut all).await?;
        h.click(bulk::RUN).await?;
        h.wait_for_css(bulk::RESULTS).await?;
        check(&h, "Many users, results", &mut all).await?;
        h.click(bulk::OPEN_HANDOUTS).await?;
        h.wait_for_css(bulk::HANDOUT).await?;
        check(&h, "Many users, handouts", &mut all).await?;

        h.click(tabs::TRACKING).await?;
        h.wait_for_text(tracking::LIST, "Pradeep Gupta").await?;
        check(&h, "Tracking", &mut all).await?;

        h.click(tabs::HOLDERS).await?;
        h.click(holders::SCAN).await?;
        h.wait_for_text(holders::STATUS, "a pass · ").await?;
        h.wait_for_css(holders::ROW).await?;
        check(&h, "Pass holders", &mut all).await?;

        h.click(tabs::POLICY).await?;
        h.click(policy::GRANT).await?;
        h.click(consent::ACCEPT).await?;
        h.wait_for_css(policy::REVIEW).await?;
        check(&h, "Policy", &mut all).await?;

        h.click(tabs::AUDIT).await?;
        h.click(audit::GRANT).await?;
        h.click(consent::ACCEPT).await?;
        h.wait_for_css(audit::TABLE_ROW).await?;
        check(&h, "Audit trail", &mut all).await?;
        verdict(&all)
    })
    .await
}

#[tokio::test]
async fn the_setup_and_consent_error_screens_fit_a_phone_and_meet_aa_contrast() -> Result<()> {
    let setup = Options {
        config_json: Some(String::new()),
        ..Options::default()
    };
    let mut all = Vec::new();
    harness::run(setup, |h: Arc<Harness>| {
        let all = &mut all;
        async move {
            h.goto_page().await?;
            emulate(&h, "light").await?;
            h.wait_for_css(setup::ORIGIN_NOTE).await?;
            check(&h, "Setup", all).await
        }
    })
    .await?;
    harness::run(Options::default(), |h: Arc<Harness>| {
        let all = &mut all;
        async move {
            // Adele may not consent for the tenant: the page explains, with the admin's link.
            h.emu
                .withdraw_consent(
                    "adele.vance@contoso.onmicrosoft.com",
                    tapdesk::config::WRITE_PERMISSION,
                )
                .map_err(|e| anyhow!("{e:?}"))?;
            boot::sign_in(&h, "adele.vance").await?;
            user::open(&h, "pradeep", "Pradeep Gupta").await?;
            h.click(consent::GRANT_WRITE).await?;
            h.click(consent::RETURN).await?;
            h.wait_for_css(consent::ADMIN_CONSENT).await?;
            check(&h, "Consent error", all).await?;
            ensure!(h.emu.passes(PRADEEP).is_empty(), "a pass was created");
            Ok(())
        }
    })
    .await?;
    verdict(&all)
}
