//! End-to-end tests of the page that knows the admin's scope (issue 16 points 1 and 2): a
//! unit-scoped Authentication Administrator (Lidia Holloway: Berlin and Munich active, Milan
//! store eligible) reads their roles on a click, sees them in the account band, finds only their
//! units' users, is told why before any write for a user outside their units, an admin member
//! and a member of a restricted-management unit, and issues a pass to a member; a role only
//! eligible in PIM is explained; a Global Administrator's page is unchanged.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use tapdesk_emulator::model::roles::AUTHENTICATION_ADMINISTRATOR;
use tapdesk_emulator::seed::{AU_BERLIN, SCOPED_ADMIN_UPN};
use tapdesk_emulator::Event;

use super::round_trips::requests;
use super::{assert_accessible, count, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, bulk, create, exists, holders, scope, search, user};

const CHRISTIE: &str = "christie.cline@contoso.onmicrosoft.com";
const JOHANNA: &str = "johanna.lorenz@contoso.onmicrosoft.com";
/// The two permissions reading a scope needs (registered by the generated commands, granted
/// for the organisation by a Global Administrator: a scoped admin cannot consent to them).
const SCOPE_PERMISSIONS: [&str; 2] = [
    "RoleManagement.Read.Directory",
    "AdministrativeUnit.Read.All",
];

fn passes_created(h: &Harness) -> usize {
    count(&h.emu.events(), |e| {
        matches!(e, Event::PassCreated { .. } | Event::PassReplaced { .. })
    })
}

/// Every request other than a read (GET, a preflight, a `$batch` of reads) that reached Graph
/// since the counters were reset.
fn writes(h: &Harness) -> Vec<String> {
    h.emu
        .graph_request_log()
        .into_iter()
        .filter(|r| r.method != "GET" && r.method != "OPTIONS" && !r.path.contains("$batch"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// Signs in as `local`, checks the page offers to read the roles and has read nothing yet,
/// grants the scope permissions for the organisation and clicks Read my roles; done once
/// `shown` appears.
async fn sign_in_and_read_scope(h: &Harness, local: &str, shown: &str) -> Result<()> {
    boot::sign_in(h, local).await?;
    h.wait_for_css(scope::OFFER).await?;
    assert_accessible(h, "the offer to read the roles").await?;
    let asked: Vec<String> = h
        .emu
        .graph_request_log()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.contains("roleManagement") || p.contains("administrativeUnits"))
        .collect();
    ensure!(asked.is_empty(), "read before the admin asked: {asked:?}");
    for p in SCOPE_PERMISSIONS {
        h.emu.grant_tenant_consent(p);
    }
    scope::read_on_click(h, shown).await
}

#[tokio::test]
async fn a_scoped_admin_sees_their_units_finds_only_their_users_and_is_told_why_before_any_write(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let local = SCOPED_ADMIN_UPN.split('@').next().unwrap_or_default();
        sign_in_and_read_scope(&h, local, scope::LINE).await?;
        h.wait_for_text(
            scope::LINE,
            "Authentication Administrator for: Berlin office, Munich office",
        )
        .await?;
        h.wait_for_text(
            scope::PIM_HINT,
            "Authentication Administrator for Milan store",
        )
        .await?;
        h.wait_for_text(boot::CAPABILITY, "members of your administrative units")
            .await?;
        assert_accessible(&h, "the scope line and the PIM hint").await?;
        h.emu.reset_graph_counters();

        // Search offers the units' members only: Pradeep is in neither unit.
        h.type_into(search::INPUT, "Pradeep").await?;
        h.wait_for_text(scope::SEARCH_STATUS, "No user matches")
            .await?;
        // Typed exactly, he is shown marked, and opening him says why before any write.
        search::find(&h, PRADEEP, "Pradeep Gupta").await?;
        h.wait_for_text(scope::OUTSIDE, "Outside your units")
            .await?;
        search::enter(&h).await?;
        h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
        h.wait_for_text(
            create::REFUSED,
            "Pradeep Gupta is not in any administrative unit you manage",
        )
        .await?;
        ensure!(!create::enabled(&h).await?, "Create offered for Pradeep");
        // The pass read Graph refused is not a second, role-worded error; and the token's
        // "No admin role" does not contradict the scope line.
        h.wait_for_text("#pass-status", "out of your reach").await?;
        ensure!(
            !h.wait_for_css(boot::ROLES).await?.is_displayed().await?,
            "\"No admin role\" is shown beside the scope line"
        );
        // For a person to look at: the scope line, the PIM hint and the refusal.
        crate::tour::shoot(&h, "scoped-refusal", create::REFUSED).await?;

        // A member of Munich who is also in the restricted Executive office.
        user::open(&h, "Miriam", "Miriam Graham").await?;
        h.wait_for_text(
            create::REFUSED,
            "is in the restricted administrative unit Executive office",
        )
        .await?;
        ensure!(!create::enabled(&h).await?, "Create offered for Miriam");

        // A member of Munich with an admin role.
        user::open(&h, "Isaiah", "Isaiah Langer").await?;
        h.wait_for_text(
            create::REFUSED,
            "A role scoped to an administrative unit serves only members without any admin role",
        )
        .await?;
        ensure!(!create::enabled(&h).await?, "Create offered for Isaiah");
        ensure!(passes_created(&h) == 0, "a pass was created");
        let sent = writes(&h);
        ensure!(sent.is_empty(), "writes reached Graph: {sent:?}");

        // A member of Munich without a role: the pass is issued.
        user::open(&h, "Christie", "Christie Cline").await?;
        ensure!(
            !exists(&h, create::REFUSED).await,
            "Christie refused: {}",
            h.text_content(create::REFUSED).await?
        );
        create::submit(&h).await?;
        ensure!(h.emu.passes(CHRISTIE).len() == 1, "no pass for Christie");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_role_only_eligible_in_pim_is_explained_and_nothing_is_written() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu
            .add_scoped_role(JOHANNA, AUTHENTICATION_ADMINISTRATOR, AU_BERLIN, true)?;
        sign_in_and_read_scope(&h, "johanna.lorenz", scope::PIM_HINT).await?;
        h.wait_for_text(
            scope::PIM_HINT,
            "Eligible, not active: Authentication Administrator for Berlin office",
        )
        .await?;
        ensure!(
            !exists(&h, scope::LINE).await,
            "a scope line for an inactive role"
        );
        h.emu.reset_graph_counters();
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        h.wait_for_text(
            create::REFUSED,
            "is eligible but not active: activate it in Privileged Identity Management first",
        )
        .await?;
        ensure!(!create::enabled(&h).await?, "Create offered");
        ensure!(passes_created(&h) == 0, "a pass was created");
        let sent = writes(&h);
        ensure!(sent.is_empty(), "writes reached Graph: {sent:?}");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_global_administrator_s_page_is_unchanged_and_reads_no_scope() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Even with the permissions granted, a token whose wids names a tenant-wide issuing
        // role reads nothing more.
        for p in SCOPE_PERMISSIONS {
            h.emu.grant_tenant_consent(p);
        }
        h.emu.reset_graph_counters();
        boot::sign_in(&h, "alex.wilber").await?;
        h.wait_for_text(boot::POLICY_SUMMARY, "hour").await?;
        h.wait_for_text(boot::ROLES, "Global Administrator").await?;
        let signed_in = h.emu.graph_requests();
        ensure!(
            requests(&signed_in) == 1,
            "signing in cost {signed_in:?} (only the policy read is expected)"
        );
        for css in [scope::OFFER, scope::LINE, scope::PIM_HINT, scope::ERROR] {
            ensure!(
                !exists(&h, css).await,
                "{css} shown to a Global Administrator"
            );
        }
        h.type_into(search::INPUT, "pradeep").await?;
        h.wait_for_text(search::OPTION, "Pradeep Gupta").await?;
        h.emu.reset_graph_counters();
        search::enter(&h).await?;
        h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
        h.wait_for_css(user::METHODS).await?;
        let opened = h.emu.graph_requests();
        ensure!(
            requests(&opened) == 1 && opened.batch_items == 3,
            "opening a user cost {opened:?}"
        );
        ensure!(!exists(&h, scope::OUTSIDE).await);
        ensure!(create::enabled(&h).await?, "Create not offered");
        // A restricted-management unit stops even a Global Administrator: the page reads no
        // units for a tenant-wide admin (as before), so Graph's refusal is put in words.
        user::open(&h, "Miriam", "Miriam Graham").await?;
        create::refused(&h, "restricted-management administrative unit").await?;
        ensure!(passes_created(&h) == 0, "a pass was created for Miriam");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn without_pim_the_role_assignments_give_the_scope() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // A tenant without Entra ID P2: the schedule instances answer 400 AadPremiumLicenseRequired.
        h.emu.update_settings(|s| s.pim_license_missing = true);
        let local = SCOPED_ADMIN_UPN.split('@').next().unwrap_or_default();
        sign_in_and_read_scope(&h, local, scope::LINE).await?;
        h.wait_for_text(
            scope::LINE,
            "Authentication Administrator for: Berlin office, Munich office",
        )
        .await?;
        let asked: Vec<String> = h
            .emu
            .graph_request_log()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.path)
            .filter(|p| p.contains("/roleManagement/directory/roleAssignments?"))
            .collect();
        ensure!(
            asked.len() == 1,
            "role assignments read {asked:?}; every request: {:?}",
            h.emu
                .graph_request_log()
                .into_iter()
                .map(|r| format!("{} {} {}", r.method, r.path, r.status))
                .collect::<Vec<_>>()
        );
        // Eligible roles are unknown without PIM: no hint rather than a wrong one.
        ensure!(!exists(&h, scope::PIM_HINT).await, "a PIM hint without PIM");
        user::open(&h, "Miriam", "Miriam Graham").await?;
        h.wait_for_text(create::REFUSED, "restricted administrative unit")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn the_many_users_dry_run_blocks_rows_out_of_the_admin_s_reach_with_the_reason() -> Result<()>
{
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let local = SCOPED_ADMIN_UPN.split('@').next().unwrap_or_default();
        sign_in_and_read_scope(&h, local, scope::LINE).await?;
        bulk::open(&h).await?;
        let at = |l: &str| format!("{l}@contoso.onmicrosoft.com");
        let (miriam, isaiah, henrietta) = (
            at("miriam.graham"),
            at("isaiah.langer"),
            at("henrietta.mueller"),
        );
        let lines = [CHRISTIE, PRADEEP, &miriam, &isaiah, &henrietta].join("\n");
        bulk::paste_and_check(&h, &lines, "3 blocked").await?;
        h.wait_for_text(bulk::COUNTS, "2 ready").await?;
        for reason in [
            "Pradeep Gupta is not in any administrative unit you manage",
            "Miriam Graham is in the restricted administrative unit Executive office",
            "A role scoped to an administrative unit serves only members without any admin role",
        ] {
            let shown = h.text_content(bulk::PREVIEW).await?;
            ensure!(
                shown.contains(reason),
                "{reason:?} not in the preview: {shown}"
            );
        }
        bulk::run(&h, bulk::EXPORT).await?;
        h.wait_for_text(bulk::STATUS, "2 created · 0 failed")
            .await?;
        for (upn, n) in [
            (CHRISTIE, 1),
            (henrietta.as_str(), 1),
            (PRADEEP, 0),
            (miriam.as_str(), 0),
            (isaiah.as_str(), 0),
        ] {
            ensure!(
                h.emu.passes(upn).len() == n,
                "{upn}: {} passes",
                h.emu.passes(upn).len()
            );
        }
        Ok(())
    })
    .await
}

#[tokio::test]
async fn pass_holders_lists_only_the_admin_s_units() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let now = h.emu.now();
        let zoe = "zoe.muller@contoso.onmicrosoft.com";
        for upn in [CHRISTIE, zoe, PRADEEP] {
            h.emu
                .seed_pass(upn, now - time::Duration::minutes(10), 60, true)
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        let local = SCOPED_ADMIN_UPN.split('@').next().unwrap_or_default();
        sign_in_and_read_scope(&h, local, scope::LINE).await?;
        holders::open(&h).await?;
        h.click(holders::SCAN).await?;
        let status = h
            .wait_for_text(holders::STATUS, "hold a pass")
            .await?
            .text()
            .await?;
        // Only the units' members were scanned (Berlin's 51 and Munich's 6), not the tenant's
        // 281; Graph refuses only Isaiah Langer's methods (an admin member).
        ensure!(
            status.contains("57 of 57 users checked · 2 hold a pass · 1 could not be read"),
            "{status}"
        );
        let rows = holders::wait_rows(&h, 2).await?;
        ensure!(
            rows.iter().any(|r| r.contains("Christie Cline"))
                && rows.iter().any(|r| r.contains("Zoë Müller"))
                && !rows.iter().any(|r| r.contains("Pradeep Gupta")),
            "{rows:#?}"
        );
        Ok(())
    })
    .await
}
