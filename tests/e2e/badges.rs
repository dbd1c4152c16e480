//! End-to-end tests of QR code + PIN badges (issue 16 point 3): the Milan store's site manager
//! (an Authentication Administrator scoped to that unit) creates 100 badges in `$batch`es while
//! 10 % of the creates are throttled and one batch's answer is lost: nobody gets two badges at
//! once, the lost ones are replaced only after a confirmed delete, the sheet of badges holds 100
//! badges and no PIN, the PIN slips are a separate sheet, and every PIN and QR content is gone
//! after Done. One user's badge gets a temporary code (refused while one is active) and is
//! deleted.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use tapdesk_emulator::seed::{frontline_upn, SITE_MANAGER_UPN};
use tapdesk_emulator::{Event, Match};

use super::{assert_accessible, count, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{badges, boot, scope};

/// What a site manager's page needs granted for the organisation (a scoped admin cannot
/// consent): reading the scope, and writing badges.
const PERMISSIONS: [&str; 3] = [
    "RoleManagement.Read.Directory",
    "AdministrativeUnit.Read.All",
    "UserAuthMethod-QR.ReadWrite.All",
];

/// Signs the site manager in, reads their scope, opens Badges and grants its permission.
async fn site_manager_on_badges(h: &Harness) -> Result<()> {
    h.emu.seed_frontline_site();
    for p in PERMISSIONS {
        h.emu.grant_tenant_consent(p);
    }
    let local = SITE_MANAGER_UPN.split('@').next().unwrap_or_default();
    boot::sign_in(h, local).await?;
    // The organisation consented to reading roles: the scope is read at once.
    h.wait_for_text(scope::LINE, "Authentication Administrator for: Milan store")
        .await?;
    badges::open(h).await?;
    // Consented for the organisation, the permission is in the token: no Grant to press.
    h.wait_for_css(badges::PASTE).await?;
    ensure!(
        !crate::pages::exists(h, badges::GRANT).await,
        "Grant offered while held"
    );
    h.wait_for_text(badges::POLICY, "days").await?;
    Ok(())
}

/// Each user's QR events in order ("created", "deleted", …), by user id.
fn qr_history(h: &Harness) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for e in h.emu.events() {
        if let Event::QrCodePinChanged { user_id, what } = e {
            out.entry(user_id).or_default().push(what);
        }
    }
    out
}

/// Every PIN and QR content the emulator holds for `users`.
fn secrets(h: &Harness, users: &[String]) -> Result<(Vec<String>, Vec<String>)> {
    let mut pins = Vec::new();
    let mut contents = Vec::new();
    for u in users {
        let m = h
            .emu
            .qr_method(u)
            .with_context(|| format!("{u} has no badge"))?;
        pins.push(m.pin.code.clone());
        contents.extend(m.standard_qr_code.map(|c| c.raw_content));
    }
    Ok((pins, contents))
}

/// Under print media: how many `card`s of `sheet` show, failing if anything else of the page
/// (its buttons included) would print; the PDF is saved as `pdf`.
async fn printed_sheet(h: &Harness, sheet: &str, card: &str, pdf: &str) -> Result<u64> {
    h.cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "media": "print" }),
    )
    .await?;
    let seen = h
        .driver
        .execute(
            crate::print::VISIBLE,
            vec![serde_json::json!(sheet), serde_json::json!(card)],
        )
        .await?;
    let pdf = crate::print::print_pdf(h, pdf).await?;
    h.cdp(
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "media": "" }),
    )
    .await?;
    ensure!(
        seen["controls"].as_u64() == Some(0),
        "the sheet's buttons print"
    );
    ensure!(
        seen["others"].as_array().is_some_and(Vec::is_empty),
        "elements outside the sheet print: {}",
        seen["others"]
    );
    ensure!(crate::print::pdf_pages(&pdf) >= 1, "an empty PDF");
    Ok(seen["handouts"].as_u64().unwrap_or_default())
}

async fn text_of_all(h: &Harness) -> Result<String> {
    let v = h
        .driver
        .execute(
            "return document.body.textContent + document.body.innerHTML;",
            vec![],
        )
        .await?;
    Ok(v.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_hundred_badges_survive_throttling_and_a_lost_answer_and_print_apart_from_their_pins(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        site_manager_on_badges(&h).await?;
        let users: Vec<String> = (1..=100).map(frontline_upn).collect();
        let mut list = users.clone();
        list.push(PRADEEP.to_owned());
        list.push("nobody.here@contoso.onmicrosoft.com".to_owned());
        h.type_into(badges::DAYS, "30").await?;
        badges::paste_and_check(&h, &list.join("\n"), "100 of 102 ready").await?;
        // The user outside the manager's unit is refused before any write, with the reason.
        let preview = h.text_content(badges::PREVIEW).await?;
        ensure!(
            preview.contains("Pradeep Gupta is not in any administrative unit you manage"),
            "no reason for the user outside the unit: {preview}"
        );
        ensure!(preview.contains("No user with this UPN"), "{preview}");
        assert_accessible(&h, "the badges dry run").await?;
        crate::tour::shoot(&h, "badges-dry-run", badges::PREVIEW).await?;
        ensure!(
            count(&h.emu.events(), |e| matches!(
                e,
                Event::QrCodePinChanged { .. }
            )) == 0,
            "the dry run wrote"
        );

        let creates = Match::graph()
            .method("PUT")
            .path_contains("/qrCodePinMethod");
        super::throttle_a_tenth_and_drop_one_batch(&h, creates)?;
        h.click(badges::CREATE).await?;
        badges::wait_results(&h, 6).await?;
        let events = h.emu.events();
        ensure!(
            count(&events, |e| matches!(e, Event::FaultInjected { .. })) >= 2,
            "the faults did not fire"
        );
        // The lost batch's 20 badges were created once and are known to exist; none was sent
        // again blind: 100 creates for 100 users.
        let history = qr_history(&h);
        let created: usize = history
            .values()
            .map(|v| v.iter().filter(|w| *w == "created").count())
            .sum();
        ensure!(created == 100, "{created} creates for 100 users");
        h.wait_for_text(
            badges::SUMMARY,
            "80 badges created; 20 created but their PIN and QR were lost",
        )
        .await?;
        assert_accessible(&h, "the badges results").await?;
        crate::tour::shoot(&h, "badges-results", badges::REPLACE).await?;

        // Replace: each lost badge deleted, then created again; never two at once.
        h.click(badges::REPLACE).await?;
        for _ in 0..6 {
            if h.wait_for_text(badges::SUMMARY, "100 badges created.")
                .await
                .is_ok()
            {
                break;
            }
        }
        h.wait_for_text(badges::SUMMARY, "100 badges created.")
            .await?;
        let history = qr_history(&h);
        ensure!(history.len() == 100, "{} users touched", history.len());
        for (user, seq) in &history {
            let alternates = seq
                .iter()
                .enumerate()
                .all(|(i, w)| w == if i % 2 == 0 { "created" } else { "deleted" });
            ensure!(
                alternates && seq.len() % 2 == 1 && seq.len() <= 3,
                "{user}: {seq:?}"
            );
        }
        let (pins, contents) = secrets(&h, &users)?;
        // Each badge lasts the 30 days asked for.
        let first = h.emu.qr_method(&users[0]).context("badge")?;
        let code = first.standard_qr_code.context("standard code")?;
        let days = (code.expire_date_time - code.start_date_time).whole_days();
        ensure!(days == 30, "a badge of {days} days");
        // The table: one line a badge, the PIN masked until revealed.
        let rows = h
            .driver
            .find_all(Locator::Css(&format!("{} tbody tr", badges::RESULTS)))
            .await?;
        ensure!(rows.len() == 100, "{} result lines", rows.len());
        let masked = h.text_content(badges::RESULTS).await?;
        ensure!(
            !pins.iter().any(|p| masked.contains(p.as_str())),
            "a PIN shown unmasked"
        );
        h.click(badges::REVEAL).await?;
        h.wait_for_text(badges::RESULTS, &pins[0]).await?;

        // The sheet of badges: 100 cards, each a QR code drawn here, and no PIN.
        h.click(badges::OPEN_BADGES).await?;
        let cards = h.driver.find_all(Locator::Css(badges::BADGE_CARD)).await?;
        ensure!(cards.len() == 100, "{} badges on the sheet", cards.len());
        let drawn = h
            .driver
            .find_all(Locator::Css(&format!("{} svg", badges::BADGE_CARD)))
            .await?;
        ensure!(drawn.len() == 100, "{} QR codes drawn", drawn.len());
        let sheet = h.text_content(badges::BADGE_SHEET).await?;
        ensure!(
            sheet.matches("PIN handed separately").count() == 100,
            "no PIN note"
        );
        ensure!(
            !pins.iter().any(|p| sheet.contains(p.as_str())),
            "a PIN is on the badge sheet"
        );
        ensure!(
            !crate::pages::exists(&h, badges::PIN_SHEET).await,
            "both sheets open"
        );
        assert_accessible(&h, "the sheet of badges").await?;
        crate::tour::shoot(&h, "badges-sheet", badges::BADGE_CARD).await?;
        // Printed, only the badges show (no buttons, nothing else of the page), and no PIN.
        let printed =
            printed_sheet(&h, badges::BADGE_SHEET, badges::BADGE_CARD, "badges.pdf").await?;
        ensure!(printed == 100, "{printed} badges printed");

        // The PIN slips: a separate sheet, every PIN, no QR code, the badges gone.
        h.click(badges::OPEN_PINS).await?;
        h.wait_for_css(badges::PIN_SLIP).await?;
        ensure!(
            !crate::pages::exists(&h, badges::BADGE_SHEET).await,
            "the badges are still open"
        );
        let slips = h.driver.find_all(Locator::Css(badges::PIN_SLIP)).await?;
        ensure!(slips.len() == 100, "{} PIN slips", slips.len());
        let slip_text = h.text_content(badges::PIN_SHEET).await?;
        ensure!(
            pins.iter().all(|p| slip_text.contains(p.as_str())),
            "a PIN is missing"
        );
        let slip_svgs = h
            .driver
            .find_all(Locator::Css(&format!("{} svg", badges::PIN_SHEET)))
            .await?;
        ensure!(slip_svgs.is_empty(), "a QR code on the PIN slips");
        crate::tour::shoot(&h, "badges-pin-slips", badges::PIN_SLIP).await?;
        let printed =
            printed_sheet(&h, badges::PIN_SHEET, badges::PIN_SLIP, "pin-slips.pdf").await?;
        ensure!(printed == 100, "{printed} PIN slips printed");

        // The QR content is never text on the page, nor stored; PINs only in the open sheet.
        let page = text_of_all(&h).await?;
        ensure!(
            !contents.iter().any(|c| page.contains(c.as_str())),
            "QR content in the page"
        );
        let storage = h.storage_dump().await?;
        ensure!(
            !pins
                .iter()
                .chain(&contents)
                .any(|s| storage.contains(s.as_str())),
            "a secret in storage"
        );

        // Done (nothing printed: asks first), then nothing is left.
        h.click(badges::DONE).await?;
        h.click(badges::DONE_ANYWAY).await?;
        h.wait_for_css(badges::PASTE).await?;
        let page = text_of_all(&h).await?;
        ensure!(
            !pins
                .iter()
                .chain(&contents)
                .any(|s| page.contains(s.as_str())),
            "a PIN or QR content is still on the page after Done"
        );
        let console = h.console_messages().await?.join("\n");
        ensure!(
            !pins
                .iter()
                .chain(&contents)
                .any(|s| console.contains(s.as_str())),
            "a secret in the console"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn one_user_gets_a_temporary_code_once_and_loses_the_badge_on_delete() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        site_manager_on_badges(&h).await?;
        let who = frontline_upn(7);
        badges::paste_and_check(&h, &who, "1 of 1 ready").await?;
        h.click(badges::CREATE).await?;
        badges::wait_results(&h, 3).await?;
        h.click(badges::DONE).await?;
        h.click(badges::DONE_ANYWAY).await?;

        // A user outside the manager's unit: the reason, and no button to press.
        h.type_into(badges::ONE_USER, PRADEEP).await?;
        h.click(badges::ONE_LOOKUP).await?;
        h.wait_for_text(badges::ONE_REFUSAL, "not in any administrative unit you manage").await?;
        ensure!(!crate::pages::exists(&h, badges::ONE_TEMPORARY).await, "a write offered out of reach");

        h.type_into(badges::ONE_USER, &who).await?;
        h.click(badges::ONE_LOOKUP).await?;
        h.wait_for_text(badges::ONE_STATE, "Badge valid until").await?;
        h.driver
            .execute(
                "const s = document.querySelector(arguments[0]); s.value = '4'; s.dispatchEvent(new Event('change', { bubbles: true }));",
                vec![serde_json::json!(badges::ONE_HOURS)],
            )
            .await?;
        h.click(badges::ONE_TEMPORARY).await?;
        h.wait_for_css(&format!("{} svg", badges::TEMPORARY_SHEET)).await?;
        let m = h.emu.qr_method(&who).context("badge")?;
        let temp = m.temporary_qr_code.context("no temporary code")?;
        let hours = (temp.expire_date_time - temp.start_date_time).whole_hours();
        ensure!(hours == 4, "a temporary code of {hours} hours");
        assert_accessible(&h, "a temporary QR code").await?;
        crate::tour::shoot(&h, "badges-temporary", badges::TEMPORARY_SHEET).await?;
        let page = text_of_all(&h).await?;
        ensure!(!page.contains(&temp.raw_content), "the temporary QR content is text on the page");
        // One at a time: the button is refused while the code is active, with the reason.
        h.wait_for_text(badges::ONE_TEMPORARY_REFUSED, "already has a temporary QR code").await?;
        let disabled = h
            .driver
            .find(Locator::Css(badges::ONE_TEMPORARY))
            .await?
            .attr("disabled")
            .await?;
        ensure!(disabled.is_some(), "a second temporary code may be asked for");
        h.click(badges::ONE_DONE).await?;
        h.wait_until("the temporary code leaves the page", || async {
            Ok(!crate::pages::exists(&h, badges::TEMPORARY_SHEET).await)
        })
        .await?;

        h.click(badges::ONE_DELETE).await?;
        h.click(badges::ONE_DELETE_YES).await?;
        h.wait_for_text(badges::ONE_NEWS, "badge was deleted").await?;
        ensure!(h.emu.qr_method(&who).is_none(), "the badge is still there");
        h.wait_for_text(badges::ONE_STATE, "has no badge").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn badge_pins_leave_the_page_after_pass_show_seconds() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Only config.json sets the time-out; badges follow the passes' rule.
        h.emu
            .extend_page_config(serde_json::json!({"passShowSeconds": 4}));
        site_manager_on_badges(&h).await?;
        let users: Vec<String> = (11..=12).map(frontline_upn).collect();
        badges::paste_and_check(&h, &users.join("\n"), "2 of 2 ready").await?;
        h.click(badges::CREATE).await?;
        badges::wait_results(&h, 3).await?;
        let (pins, _) = secrets(&h, &users)?;
        h.click(badges::REVEAL).await?;
        h.click(badges::OPEN_PINS).await?;
        h.wait_for_text(badges::PIN_SHEET, &pins[1]).await?;
        h.wait_for_text("#badges-forget-at", "left this page after the time set")
            .await?;
        let page = text_of_all(&h).await?;
        ensure!(
            !pins.iter().any(|p| page.contains(p.as_str())),
            "a PIN is still in the page after the time-out"
        );
        ensure!(
            !crate::pages::exists(&h, badges::PIN_SHEET).await,
            "the PIN slips stayed open"
        );
        Ok(())
    })
    .await
}
