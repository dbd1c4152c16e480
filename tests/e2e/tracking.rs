//! The onboarding tracker (issue 7): a user who got a pass is followed from "usable" to "used"
//! to a passwordless method, then the pass is revoked from there; nothing is read while the
//! browser tab is hidden; a bulk run's users are followed too.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use serde_json::json;

use super::{assert_accessible, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, create, exists, reveal, scope, tracking};

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
        h.wait_for_text(tracking::STAGE, "Pass used: no passkey yet")
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
        h.wait_for_text(tracking::STAGE, "Passkey registered")
            .await?;
        h.wait_for_text(tracking::LIST, "Device-bound passkey")
            .await?;
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

const LEE: &str = "lee.gu@contoso.onmicrosoft.com";
const JOHANNA: &str = "johanna.lorenz@contoso.onmicrosoft.com";
const CHRISTIE: &str = "christie.cline@contoso.onmicrosoft.com";
const NESTOR: &str = "nestor.wilke@contoso.onmicrosoft.com";

/// The object id of a seeded user.
fn id_of(h: &Harness, upn: &str) -> Result<String> {
    h.emu
        .user_id(upn)
        .ok_or_else(|| anyhow!("{upn} is not seeded"))
}

/// Gives `upn` a one-time pass that started `minutes_ago` and lasts an hour.
fn pass_for(h: &Harness, upn: &str, minutes_ago: i64) -> Result<()> {
    h.emu
        .seed_pass(
            upn,
            h.emu.now() - time::Duration::minutes(minutes_ago),
            60,
            true,
        )
        .map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// The user registers a passkey of `kind` through the emulator's control route, as a test or
/// the demo plays it.
async fn register_by_route(h: &Harness, upn: &str, body: serde_json::Value) -> Result<()> {
    let resp = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .post(format!(
            "{}/_emulator/users/{upn}/passkeys",
            h.emu.login_url()
        ))
        .json(&body)
        .send()
        .await?;
    ensure!(
        resp.status().as_u16() == 201,
        "registering a passkey for {upn}: HTTP {}",
        resp.status()
    );
    Ok(())
}

/// Issue 15 point 4: the tracker follows users from pass to passkey and names the kind
/// (device-bound, synced, Windows Hello), flags a pass that expired unused, a weaker method
/// registered instead and a phone left after the passkey (removed with confirmation, the
/// write permission asked for on first use), and revokes the passes of everyone who finished
/// in one confirmed run, each user's result in words.
#[tokio::test]
async fn the_tracker_names_each_passkey_flags_what_is_left_and_revokes_everyone_who_finished(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        for upn in [PRADEEP, LEE, JOHANNA, CHRISTIE] {
            pass_for(&h, upn, 5)?;
        }
        // Nestor's pass ran out two hours ago, unused.
        pass_for(&h, NESTOR, 180)?;
        h.emu
            .set_phone(
                LEE,
                tapdesk_emulator::model::passkeys::PhoneType::Mobile,
                "+1 425 555 0100",
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        let ids: Vec<String> = [PRADEEP, LEE, JOHANNA, CHRISTIE, NESTOR]
            .iter()
            .map(|u| id_of(&h, u))
            .collect::<Result<_>>()?;
        let [pradeep, lee, johanna, christie, nestor] =
            ids.clone().try_into().map_err(|_| anyhow!("five ids"))?;
        tracking::follow(&h, &ids).await?;
        boot::sign_in(&h, "adele.vance").await?;
        tracking::open(&h).await?;
        h.wait_for_text(&tracking::row(&pradeep), "Pass usable")
            .await?;
        tracking::wait_attr(&h, &nestor, "data-flags", "expiredUnused").await?;
        h.wait_for_text(
            &tracking::row(&nestor),
            "Pass expired unused: issue a new pass.",
        )
        .await?;

        h.emu.mark_pass_used(PRADEEP);
        h.wait_for_text(&tracking::row(&pradeep), "Pass used: no passkey yet")
            .await?;
        register_by_route(&h, PRADEEP, json!({"kind": "deviceBound"})).await?;
        register_by_route(&h, LEE, json!({"kind": "synced"})).await?;
        register_by_route(&h, JOHANNA, json!({"kind": "windowsHello"})).await?;
        h.emu
            .register_method(
                CHRISTIE,
                "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                Some("iPhone"),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        tracking::wait_attr(&h, &pradeep, "data-passkeys", "deviceBound").await?;
        tracking::wait_attr(&h, &lee, "data-passkeys", "synced").await?;
        tracking::wait_attr(&h, &johanna, "data-passkeys", "windowsHello").await?;
        tracking::wait_attr(&h, &christie, "data-flags", "weakInstead").await?;
        h.wait_for_text(
            &tracking::row(&pradeep),
            "Device-bound passkey (YubiKey 5 Series with NFC)",
        )
        .await?;
        h.wait_for_text(&tracking::row(&lee), "Synced passkey (iCloud Keychain)")
            .await?;
        h.wait_for_text(&tracking::row(&johanna), "Windows Hello for Business")
            .await?;
        h.wait_for_text(
            &tracking::row(&christie),
            "Registered Microsoft Authenticator instead of a passkey (not phishing-resistant).",
        )
        .await?;
        ensure!(
            tracking::row_attr(&h, &christie, "data-stage").await? != "Registered",
            "Authenticator push counted as a passkey"
        );
        tracking::wait_attr(&h, &lee, "data-flags", "phoneStill").await?;
        h.wait_for_text(
            &tracking::row(&lee),
            "Mobile phone is still registered: remove it",
        )
        .await?;
        assert_accessible(&h, "the tracker with passkeys and flags").await?;
        crate::tour::shoot(&h, "tracking-v2", tracking::FLAGS).await?;

        // The phone goes only after the question; the first time, the permission is asked for.
        let remove = format!("{} {}", tracking::row(&lee), tracking::PHONE_REMOVE);
        h.click(&remove).await?;
        h.wait_for_text(
            &format!("{} {}", tracking::row(&lee), tracking::PHONE_QUESTION),
            "Remove Lee Gu's mobile phone?",
        )
        .await?;
        h.click(&format!(
            "{} {}",
            tracking::row(&lee),
            tracking::PHONE_CANCEL
        ))
        .await?;
        h.wait_for_css(&remove).await?;
        // Adele may not consent to it herself: a Global Administrator did so for the
        // organisation after she signed in, so her token lacks it until the page asks again.
        h.emu
            .grant_tenant_consent("UserAuthenticationMethod.ReadWrite.All");
        h.driver
            .execute("window.tapdeskBeforeGrant = true", vec![])
            .await?;
        h.click(&remove).await?;
        h.click(&format!(
            "{} {}",
            tracking::row(&lee),
            tracking::PHONE_CONFIRM
        ))
        .await?;
        h.wait_until("the page to come back from the authority", || async {
            Ok(h.driver
                .execute("return window.tapdeskBeforeGrant === undefined", vec![])
                .await?
                .as_bool()
                .unwrap_or(false))
        })
        .await?;
        h.wait_for_css(boot::ACCOUNT).await?;
        tracking::open(&h).await?;
        tracking::wait_attr(&h, &lee, "data-flags", "phoneStill").await?;
        ensure!(
            phone_deletes(&h) == 0,
            "a phone was deleted before the permission was granted"
        );
        h.click(&remove).await?;
        h.click(&format!(
            "{} {}",
            tracking::row(&lee),
            tracking::PHONE_CONFIRM
        ))
        .await?;
        h.wait_for_text(tracking::NEWS, "Lee Gu's mobile phone removed.")
            .await?;
        h.wait_until("Lee's phone flag to go", || async {
            Ok(!tracking::row_attr(&h, &lee, "data-flags")
                .await?
                .contains("phoneStill"))
        })
        .await?;
        ensure!(phone_deletes(&h) == 1, "one phone delete expected");

        // Everyone who finished: a question naming how many, Cancel keeps every pass.
        for (id, upn) in [(&pradeep, PRADEEP), (&lee, LEE), (&johanna, JOHANNA)] {
            tracking::wait_attr(&h, id, "data-stage", "Registered").await?;
            ensure!(h.emu.passes(upn).len() == 1, "{upn} has no pass to revoke");
        }
        h.click(tracking::REVOKE_ALL).await?;
        h.wait_for_text(
            tracking::REVOKE_ALL_QUESTION,
            "Revoke the passes of 3 users who registered a passkey?",
        )
        .await?;
        h.click(tracking::REVOKE_ALL_CANCEL).await?;
        ensure!(h.emu.passes(PRADEEP).len() == 1, "Cancel revoked a pass");
        h.click(tracking::REVOKE_ALL).await?;
        h.click(tracking::REVOKE_ALL_CONFIRM).await?;
        h.wait_for_text(tracking::NEWS, "3 passes revoked.").await?;
        for line in [
            "Pradeep Gupta: pass revoked.",
            "Lee Gu: pass revoked.",
            "Johanna Lorenz: pass revoked.",
        ] {
            h.wait_for_text(tracking::REVOKE_RESULTS, line).await?;
        }
        for upn in [PRADEEP, LEE, JOHANNA] {
            ensure!(h.emu.passes(upn).is_empty(), "{upn}'s pass is still there");
        }
        for upn in [CHRISTIE, NESTOR] {
            ensure!(
                h.emu.passes(upn).len() == 1,
                "{upn}'s pass was revoked without a passkey"
            );
        }
        h.wait_for_text(
            &tracking::row(&johanna),
            "Done: passkey registered, pass revoked",
        )
        .await?;
        assert_accessible(&h, "the tracker after the bulk revocation").await?;
        Ok(())
    })
    .await
}

/// Phone-method deletes that reached Graph.
fn phone_deletes(h: &Harness) -> usize {
    h.emu
        .graph_request_log()
        .into_iter()
        .filter(|r| r.method == "DELETE" && r.path.contains("phoneMethods"))
        .count()
}

/// Issue 16 with issue 15's tracker: a unit-scoped Authentication Administrator sees a
/// followed user outside their units marked out of reach with the reason and is offered no
/// write for them (neither alone nor in the bulk revocation); their unit's member is followed
/// as usual.
#[tokio::test]
async fn a_scoped_admin_sees_followed_users_outside_their_units_out_of_reach() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.goto_page().await?;
        h.emu.extend_page_config(json!({"trackIntervalSeconds": 1}));
        for upn in [PRADEEP, CHRISTIE] {
            pass_for(&h, upn, 5)?;
            register_by_route(
                &h,
                upn,
                json!({"kind": "synced", "aaGuid": "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"}),
            )
            .await?;
        }
        let (pradeep, christie) = (id_of(&h, PRADEEP)?, id_of(&h, CHRISTIE)?);
        tracking::follow(&h, &[pradeep.clone(), christie.clone()]).await?;
        for p in [
            "RoleManagement.Read.Directory",
            "AdministrativeUnit.Read.All",
        ] {
            h.emu.grant_tenant_consent(p);
        }
        let local = tapdesk_emulator::seed::SCOPED_ADMIN_UPN
            .split('@')
            .next()
            .unwrap_or_default();
        boot::sign_in(&h, local).await?;
        h.wait_for_text(scope::LINE, "Berlin office").await?;
        tracking::open(&h).await?;
        tracking::wait_attr(&h, &pradeep, "data-reach", "out").await?;
        h.wait_for_text(
            &tracking::row(&pradeep),
            "Out of reach: Pradeep Gupta is not in any administrative unit you manage",
        )
        .await?;
        tracking::wait_attr(&h, &christie, "data-passkeys", "synced").await?;
        h.wait_for_text(
            &tracking::row(&christie),
            "Synced passkey (Google Password Manager)",
        )
        .await?;
        ensure!(
            !exists(
                &h,
                &format!("{} {}", tracking::row(&pradeep), tracking::REVOKE)
            )
            .await,
            "a write is offered for a user out of reach"
        );
        h.wait_for_css(&format!(
            "{} {}",
            tracking::row(&christie),
            tracking::REVOKE
        ))
        .await?;
        h.click(tracking::REVOKE_ALL).await?;
        h.wait_for_text(
            tracking::REVOKE_ALL_QUESTION,
            "Revoke the passes of 1 user who registered a passkey?",
        )
        .await?;
        // The user out of reach is never read: each round reads Christie's pass and methods
        // only (two `$batch` items), not Pradeep's (Graph refuses them item by item).
        h.emu.reset_graph_counters();
        let seen = tracking::rounds(&h).await?;
        h.wait_until("three more rounds", || async {
            Ok(tracking::rounds(&h).await? >= seen + 3)
        })
        .await?;
        let rounds = tracking::rounds(&h).await? - seen;
        let items = h.emu.graph_requests().batch_items;
        ensure!(
            items <= 2 * (rounds as u64 + 1),
            "{items} batch items in {rounds} rounds: the user out of reach was read"
        );
        ensure!(
            tracking::row_attr(&h, &pradeep, "data-stage").await? == "Unknown",
            "the user out of reach has a stage"
        );
        assert_accessible(&h, "the tracker of a scoped admin").await?;
        crate::tour::shoot(&h, "tracking-scoped", &tracking::row(&pradeep)).await?;
        Ok(())
    })
    .await
}
