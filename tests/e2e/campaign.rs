//! The passkey campaign (issue 15): the Campaign screen's classification of a seeded tenant
//! against the emulator's ground truth, the refusal without a licence, and a wave of 50
//! phone-only users of one department from the list through Many users' dry run to passes
//! and handouts.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use fantoccini::Locator;
use tapdesk_emulator::seed::campaign::TruthClass;
use tapdesk_emulator::seed::AU_BERLIN;

use super::assert_accessible;
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk, campaign};

/// Campaign users seeded on top of the base tenant.
const SEEDED: usize = 1500;

/// Signs Alex (Global Administrator: reads the report, issues passes) in, opens Campaign and
/// grants the report's permission there.
async fn campaign_screen(h: &Harness) -> Result<()> {
    boot::sign_in(h, "alex.wilber").await?;
    campaign::open(h).await?;
    h.wait_for_css(campaign::CONSENT).await?;
    campaign::grant(h).await?;
    h.wait_for_text(campaign::NEWS, "users read").await?;
    Ok(())
}

async fn cell(h: &Harness, css: &str) -> Result<usize> {
    let text = h.text_content(css).await?;
    text.trim()
        .parse()
        .with_context(|| format!("{css} is not a number: {text:?}"))
}

/// The second column (sign-in name) of an exported CSV, every data line.
fn exported_upns(csv: &str) -> BTreeSet<String> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split(',').nth(1).map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_phone_only_list_of_a_seeded_tenant_matches_the_ground_truth_exactly() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let truth = h.emu.seed_campaign(SEEDED, 15);
        ensure!(
            truth.phone_only_voice > 0,
            "no voice-only user seeded: {truth:?}"
        );
        campaign_screen(&h).await?;
        for (key, want) in [
            ("phone-sms", truth.phone_only_sms),
            ("phone-voice", truth.phone_only_voice),
            ("phone-and-weaker", truth.phone_and_weaker),
            ("passwordless", truth.passwordless),
            ("other", truth.other_methods),
            ("nothing", truth.nothing),
            ("guest", truth.guests),
        ] {
            let got = cell(&h, &campaign::count(key)).await?;
            ensure!(
                got == want,
                "{key}: the page counts {got}, the tenant holds {want}"
            );
        }
        let phone_only = truth.phone_only_sms + truth.phone_only_voice;
        h.wait_for_text("#campaign-phone-only", &format!("{phone_only} of "))
            .await?;
        let chart = h
            .driver
            .find(Locator::Css(campaign::CHART))
            .await?
            .attr("aria-label")
            .await?
            .unwrap_or_default();
        ensure!(
            chart.contains(&format!(
                "Phone only (voice calls only): {}",
                truth.phone_only_voice
            )),
            "the chart's words: {chart}"
        );
        h.wait_for_text(campaign::DAYS, "1 February 2027").await?;

        // The phone-only list, exported: exactly the tenant's phone-only users, voice-only included.
        campaign::choose(&h, campaign::CLASS, "phone-only").await?;
        h.wait_for_text(campaign::SHOWN, &format!("{phone_only} users match"))
            .await?;
        h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
        h.click(campaign::EXPORT).await?;
        let csv = h.driver.execute_async(bulk::READ_EXPORT, vec![]).await?;
        let csv = csv.as_str().context("export text")?.to_owned();
        let users = h.emu.campaign_truth_users();
        let want: BTreeSet<String> = [TruthClass::PhoneOnlySms, TruthClass::PhoneOnlyVoice]
            .iter()
            .flat_map(|c| users.get(c).cloned().unwrap_or_default())
            .collect();
        let got = exported_upns(&csv);
        ensure!(
            got == want,
            "exported {} phone-only users, the tenant holds {}; missing {:?}, extra {:?}",
            got.len(),
            want.len(),
            want.difference(&got).take(5).collect::<Vec<_>>(),
            got.difference(&want).take(5).collect::<Vec<_>>()
        );

        // Voice-only alone.
        campaign::choose(&h, campaign::CLASS, "phone-voice").await?;
        h.wait_for_text(
            campaign::SHOWN,
            &format!("{} users match", truth.phone_only_voice),
        )
        .await?;
        // Search finds one voice-only user by sign-in name.
        let voice = users
            .get(&TruthClass::PhoneOnlyVoice)
            .and_then(|v| v.first().cloned())
            .context("a voice-only user")?;
        h.type_into(campaign::SEARCH, &voice).await?;
        h.wait_for_text(campaign::SHOWN, "1 user matches").await?;
        let rows = h.driver.find_all(Locator::Css(campaign::ROW)).await?;
        ensure!(rows.len() == 1, "{} rows for one user", rows.len());
        ensure!(
            rows[0].text().await?.contains("voice calls only"),
            "not voice-only"
        );

        assert_accessible(&h, "the Campaign screen").await?;
        crate::tour::shoot(&h, "campaign", campaign::LIST).await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn without_a_premium_licence_the_refusal_names_the_licence() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.update_settings(|s| s.without_premium_licence = true);
        campaign_screen_refused(&h).await?;
        h.wait_for_text(campaign::FAILED, "Microsoft Entra ID P1 or P2")
            .await?;
        Ok(())
    })
    .await
}

async fn campaign_screen_refused(h: &Harness) -> Result<()> {
    boot::sign_in(h, "alex.wilber").await?;
    campaign::open(h).await?;
    crate::pages::consent::grant(h, campaign::GRANT).await?;
    h.wait_for_css(campaign::FAILED).await?;
    Ok(())
}

#[tokio::test]
async fn a_wave_of_fifty_goes_from_the_list_through_the_dry_run_to_passes_and_handouts(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(SEEDED, 15);
        campaign_screen(&h).await?;
        campaign::choose(&h, campaign::CLASS, "phone-only").await?;
        campaign::choose(&h, campaign::DEPARTMENT, "Finance").await?;
        h.wait_for_text(campaign::SHOWN, "users match").await?;
        let shown = h.text_content(campaign::SHOWN).await?;
        let matching: usize = shown
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .context("how many match")?;
        ensure!(
            matching >= 50,
            "only {matching} phone-only users in Finance"
        );
        h.type_into(campaign::WAVE_SIZE, "50").await?;
        h.click(campaign::WAVE).await?;

        // Many users shows the wave as pasted names; Check is the dry run.
        h.wait_for_css(&crate::pages::tabs::selected(crate::pages::tabs::BULK))
            .await?;
        h.wait_for_css(bulk::PASTE).await?;
        h.wait_until("the wave in the pasted input", || async {
            let v = bulk::pasted(&h).await?;
            Ok(v.lines().count() == 50)
        })
        .await?;
        // The tenant's passkey profile takes security keys only: the wave's check says so for
        // all 50 before any pass is created.
        super::security_keys_only(&h);
        h.click(bulk::CHECK).await?;
        h.wait_for_css(bulk::PREVIEW).await?;
        let check = h
            .wait_for_text(bulk::READINESS, "Passkey registration")
            .await?
            .text()
            .await?;
        ensure!(
            check.contains("Warning (50 users): Synced passkeys")
                && check.contains("Security keys only"),
            "the wave's passkey check: {check}"
        );
        assert_accessible(&h, "the wave's passkey check").await?;
        crate::tour::shoot(&h, "bulk-wave-readiness", bulk::READINESS).await?;
        let counts = h.wait_for_text(bulk::COUNTS, "ready").await?.text().await?;
        let number = |word: &str| -> usize {
            counts
                .split('·')
                .find(|p| p.contains(word))
                .and_then(|p| p.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        let ready = number("ready");
        ensure!(
            ready + number("warning") == 50 && number("blocked") == 0,
            "the dry run of the wave: {counts}"
        );
        let before = h.emu.events().len();
        bulk::run(&h, bulk::EXPORT).await?;
        let created = h
            .emu
            .events()
            .into_iter()
            .skip(before)
            .filter(|e| matches!(e, tapdesk_emulator::Event::PassCreated { .. }))
            .count();
        ensure!(
            created == ready,
            "{created} passes created for {ready} ready users"
        );
        h.click(bulk::OPEN_HANDOUTS).await?;
        let pages = h.driver.find_all(Locator::Css(bulk::HANDOUT)).await?;
        ensure!(
            pages.len() == ready,
            "{} handouts for {ready} passes",
            pages.len()
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_tenant_wide_admin_narrows_the_list_to_a_unit_or_a_group() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(SEEDED, 15);
        campaign_screen(&h).await?;
        let all = cell_words(&h).await?;
        // Each filter asks for its permission on first use.
        crate::pages::consent::grant(&h, campaign::UNIT_GRANT).await?;
        h.wait_for_css(campaign::UNIT).await?;
        let berlin = h
            .emu
            .administrative_units()
            .into_iter()
            .find(|u| u.id == AU_BERLIN)
            .context("Berlin")?;
        campaign::choose(&h, campaign::UNIT, AU_BERLIN).await?;
        let n = berlin.members.len();
        h.wait_for_text(
            campaign::WITHIN,
            &format!("Members of {} only ({n} users)", berlin.display_name),
        )
        .await?;
        let shown = cell_words(&h).await?;
        ensure!(
            shown > 0 && shown <= n && shown < all,
            "{shown} shown of {n} unit members ({all} in all)"
        );
        let ids: BTreeSet<String> = berlin.members.iter().map(|i| i.to_lowercase()).collect();
        let upns = h.emu.campaign_truth_users().into_values().flatten().count();
        ensure!(upns > 0, "no ground truth");
        for row in h.driver.find_all(Locator::Css(campaign::ROW)).await? {
            let id = row.attr("data-id").await?.unwrap_or_default();
            ensure!(ids.contains(&id.to_lowercase()), "{id} is not in Berlin");
        }
        assert_accessible(&h, "the campaign's unit filter").await?;
        h.click(campaign::WITHIN_CLEAR).await?;
        h.wait_until("every user again", || async {
            Ok(cell_words(&h).await? == all)
        })
        .await?;

        crate::pages::consent::grant(&h, campaign::GROUP_GRANT).await?;
        h.type_into(campaign::GROUP, "New Hires").await?;
        h.click(campaign::GROUP_FIND).await?;
        h.click(campaign::GROUP_PICK).await?;
        h.wait_for_text(campaign::WITHIN, "Members of").await?;
        let in_group = cell_words(&h).await?;
        ensure!(
            in_group > 0 && in_group < all,
            "the group did not narrow the list ({in_group} of {all})"
        );
        Ok(())
    })
    .await
}

/// How many users the list says match.
async fn cell_words(h: &Harness) -> Result<usize> {
    let shown = h
        .wait_for_text(campaign::SHOWN, "match")
        .await?
        .text()
        .await?;
    shown
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .with_context(|| format!("no count in {shown:?}"))
}

/// The last column (object id) of an exported CSV, every data line.
fn exported_ids(csv: &str) -> BTreeSet<String> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.rsplit(',').next().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_unit_scoped_admin_is_offered_only_the_members_of_their_units() -> Result<()> {
    use tapdesk_emulator::model::roles::REPORTS_READER;
    use tapdesk_emulator::seed::{AU_BERLIN, AU_MUNICH, SCOPED_ADMIN_UPN};
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(300, 15);
        h.emu
            .add_role(SCOPED_ADMIN_UPN, REPORTS_READER)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        for p in [
            "RoleManagement.Read.Directory",
            "AdministrativeUnit.Read.All",
            "AuditLog.Read.All",
        ] {
            h.emu.grant_tenant_consent(p);
        }
        let local = SCOPED_ADMIN_UPN.split('@').next().unwrap_or_default();
        boot::sign_in(&h, local).await?;
        // The permissions were granted for the organisation before the sign-in: the scope is
        // read at once, or on a click where the page offers it.
        if crate::pages::exists(&h, crate::pages::scope::OFFER).await {
            crate::pages::scope::read_on_click(&h, crate::pages::scope::LINE).await?;
        }
        h.wait_for_text(crate::pages::scope::LINE, "Berlin office")
            .await?;
        campaign::open(&h).await?;
        if crate::pages::exists(&h, campaign::GRANT).await {
            crate::pages::consent::grant(&h, campaign::GRANT).await?;
        }
        h.wait_for_text(campaign::NEWS, "users read").await?;

        // Enabled members of Berlin and Munich: what the report lists of the units.
        let enabled: BTreeSet<String> = h
            .emu
            .campaign_truth_users()
            .into_iter()
            .filter(|(c, _)| *c != TruthClass::Disabled)
            .flat_map(|(_, upns)| upns)
            .filter_map(|upn| h.emu.user_id(&upn))
            .collect();
        let want: BTreeSet<String> = h
            .emu
            .administrative_units()
            .into_iter()
            .filter(|u| u.id == AU_BERLIN || u.id == AU_MUNICH)
            .flat_map(|u| u.members)
            .filter(|id| enabled.contains(id))
            .collect();
        ensure!(!want.is_empty(), "no member in the units");
        h.wait_for_text(campaign::SHOWN, &format!("{} users match", want.len()))
            .await?;
        h.driver.execute(bulk::CAPTURE_EXPORT, vec![]).await?;
        h.click(campaign::EXPORT).await?;
        let csv = h.driver.execute_async(bulk::READ_EXPORT, vec![]).await?;
        let got = exported_ids(csv.as_str().context("export text")?);
        ensure!(
            got == want,
            "offered {} users, the units hold {}: extra {:?}",
            got.len(),
            want.len(),
            got.difference(&want).take(5).collect::<Vec<_>>()
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn without_a_reports_role_the_screen_names_the_roles_that_read_the_report() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Adele (Authentication Administrator) cannot use the permission: the screen says who can
        // instead of offering Grant permission.
        boot::sign_in(&h, "adele.vance").await?;
        campaign::open(&h).await?;
        h.wait_for_text(campaign::GRANT_ROLE, "Reports Reader")
            .await?;
        ensure!(
            !crate::pages::exists(&h, campaign::GRANT).await,
            "Grant permission offered to a role that cannot read the report"
        );
        boot::sign_out(&h).await?;

        // Granted for the organisation, the permission reaches her token; Graph refuses her role.
        h.emu.grant_tenant_consent("AuditLog.Read.All");
        boot::sign_in(&h, "adele.vance").await?;
        campaign::open(&h).await?;
        h.wait_for_text(campaign::FAILED, "a reports-reading role: Reports Reader")
            .await?;
        assert_accessible(&h, "the Campaign screen's refusal").await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_user_already_in_a_wave_is_not_handed_over_twice() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(200, 15);
        campaign_screen(&h).await?;
        let voice = h
            .emu
            .campaign_truth_users()
            .get(&TruthClass::PhoneOnlyVoice)
            .and_then(|v| v.first().cloned())
            .context("a voice-only user")?;
        h.type_into(campaign::SEARCH, &voice).await?;
        h.wait_for_text(campaign::SHOWN, "1 user matches").await?;
        h.click(campaign::WAVE).await?;
        h.wait_for_css(bulk::PASTE).await?;
        h.wait_until("the wave in the pasted input", || async {
            let v = bulk::pasted(&h).await?;
            Ok(v.trim() == voice)
        })
        .await?;
        campaign::open(&h).await?;
        h.click(campaign::WAVE).await?;
        h.wait_for_text(campaign::WAVE_EMPTY, "already in a wave")
            .await?;
        ensure!(
            h.driver
                .find(Locator::Css(&crate::pages::tabs::selected(
                    crate::pages::tabs::CAMPAIGN
                )))
                .await
                .is_ok(),
            "an empty wave left the Campaign screen"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn after_the_campaign_every_other_screen_still_opens() -> Result<()> {
    // The release build cuts each screen into its own module (wasm_split): code the Campaign
    // module shares with the others must not break them when it loads first.
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.seed_campaign(100, 15);
        campaign_screen(&h).await?;
        for (tab, panel, _) in crate::pages::tabs::ALL {
            h.click(tab).await?;
            h.wait_for_css(&crate::pages::tabs::heading(panel))
                .await
                .with_context(|| format!("{panel} after Campaign"))?;
        }
        let console = h.console_messages().await?;
        ensure!(
            !console.iter().any(|m| m.contains("RuntimeError")),
            "a screen crashed after Campaign: {console:?}"
        );
        Ok(())
    })
    .await
}
