//! End-to-end tests of every failure the admin can meet: consent, roles, policy, token expiry,
//! throttling and injected faults. Each asserts the sentence the admin sees and, against the
//! emulator's record, that no pass was lost or silently replaced.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, ensure, Result};
use tapdesk_emulator::{Event, FaultKind, FaultRule, Match};

use super::{authorize_requests, count, exclude_the_tap_excluded_group, text_of, PRADEEP};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, consent, create, exists, reveal, user, ALERT};

const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
const ALEX: &str = "alex.wilber@contoso.onmicrosoft.com";
const WRITE: &str = tapdesk::config::WRITE_PERMISSION;
const AUTHENTICATION_ADMINISTRATOR: &str = "c4e39bd9-1100-46d3-8c65-fb160da0071f";

fn once(matcher: Match, kind: FaultKind) -> FaultRule {
    FaultRule::new(matcher, kind).times(1)
}

/// Adds a fault rule to the emulator.
fn inject(h: &Harness, rule: FaultRule) -> Result<()> {
    h.emu
        .inject(rule)
        .map(|_| ())
        .map_err(|e| anyhow!("fault rule refused: {e:?}"))
}

fn creates() -> Match {
    Match::graph()
        .method("POST")
        .path_contains("/temporaryAccessPassMethods")
}

fn created(h: &Harness) -> usize {
    count(&h.emu.events(), |e| matches!(e, Event::PassCreated { .. }))
}

fn replaced(h: &Harness) -> usize {
    count(&h.emu.events(), |e| matches!(e, Event::PassReplaced { .. }))
}

fn faults_fired(h: &Harness) -> usize {
    count(&h.emu.events(), |e| {
        matches!(e, Event::FaultInjected { .. })
    })
}

/// Presses Create and expects the policy's refusal in words, and no pass in the tenant.
async fn refused_by_policy(h: &Harness) -> Result<()> {
    create::refused(h, "policy does not allow a pass for this user").await?;
    ensure!(created(h) == 0, "a pass was created");
    Ok(())
}

/// Signs in as Adele and opens Pradeep's form. Adele (Authentication Administrator) reads the
/// policy here through the emulator's lenient switch: these tests are about the form's bounds.
async fn at_pradeeps_form(h: &Harness) -> Result<()> {
    h.emu
        .update_settings(|s| s.policy_readable_by_authentication_administrator = true);
    boot::sign_in(h, "adele.vance").await?;
    user::open(h, "pradeep", "Pradeep Gupta").await?;
    h.wait_for_css(create::ENABLED).await?;
    Ok(())
}

/// Makes the next create fail with `fault`, presses Create and expects "No pass was created",
/// the alert saying `sentence`, the fault served once and no pass created (nothing resent).
async fn create_fails_unsent(h: &Harness, fault: FaultKind, sentence: &str) -> Result<()> {
    inject(h, once(creates(), fault))?;
    h.click(create::CREATE).await?;
    h.wait_for_text(create::OUTCOME, "No pass was created")
        .await?;
    h.wait_for_text(ALERT, sentence).await?;
    ensure!(
        created(h) == 0 && faults_fired(h) == 1,
        "the create was resent or served"
    );
    Ok(())
}

#[tokio::test]
async fn missing_write_consent_is_granted_and_the_form_comes_back() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu
            .withdraw_consent(ALEX, WRITE)
            .map_err(|e| anyhow!("{e:?}"))?;
        boot::sign_in(&h, "alex.wilber").await?;
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        h.wait_for_text(consent::NEEDED, WRITE).await?;
        ensure!(
            !create::enabled(&h).await?,
            "Create is enabled without the permission"
        );
        h.type_into(create::LIFETIME, "90").await?;
        consent::grant_on_user_page(&h, consent::GRANT_WRITE).await?;
        let lifetime = create::lifetime(&h).await?;
        ensure!(
            lifetime == "90",
            "the form came back with lifetime {lifetime:?}"
        );
        create::submit(&h).await?;
        ensure!(
            h.emu.passes(PRADEEP)[0].lifetime_in_minutes == 90,
            "the pass does not have the kept lifetime"
        );
        ensure!(
            created(&h) == 1 && replaced(&h) == 0,
            "one pass, none replaced"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn consent_needing_an_administrator_is_explained_with_the_link() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu
            .withdraw_consent(ADELE, WRITE)
            .map_err(|e| anyhow!("{e:?}"))?;
        boot::sign_in(&h, "adele.vance").await?;
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        h.click(consent::GRANT_WRITE).await?;
        h.click(consent::RETURN).await?;
        // Issue 17: back signed in, on the same user, with a local notice (no sign-in error).
        h.wait_for_text(consent::REFUSED, "Global Administrator")
            .await?;
        h.wait_for_text(user::NAME, "Pradeep Gupta").await?;
        h.wait_for_text(consent::RESTORED, "The permission was not granted")
            .await?;
        h.wait_for_text(consent::ADMIN_CONSENT, "adminconsent?client_id=")
            .await?;
        ensure!(created(&h) == 0, "a pass was created");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_authentication_administrator_is_warned_about_admin_targets() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Role names need a role-read permission (RoleManagement.Read.Directory); the switch
        // stands for a tenant that granted it.
        h.emu
            .update_settings(|s| s.full_role_objects_without_role_read = true);
        boot::sign_in(&h, "adele.vance").await?;
        user::open(&h, "isaiah.langer@contoso.onmicrosoft.com", "Isaiah Langer").await?;
        // Issue 17: the form says it in one sentence, naming who can, and offers no Create.
        h.wait_for_text(create::REFUSED, "holds the admin role User Administrator")
            .await?;
        ensure!(!create::enabled(&h).await?, "Create is enabled");
        ensure!(
            h.emu
                .passes("isaiah.langer@contoso.onmicrosoft.com")
                .is_empty(),
            "a pass was created"
        );
        // The documented default: Graph names no role (id and type only). The page warns
        // without a name, never with an id.
        h.emu
            .update_settings(|s| s.full_role_objects_without_role_read = false);
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        user::open(&h, "isaiah.langer@contoso.onmicrosoft.com", "Isaiah Langer").await?;
        h.wait_for_text(create::WARNINGS, "holds an admin role Graph did not name")
            .await?;
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_role_removed_after_sign_in_is_named() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        at_pradeeps_form(&h).await?;
        h.emu
            .remove_role(ADELE, AUTHENTICATION_ADMINISTRATOR)
            .map_err(|e| anyhow!("{e:?}"))?;
        create::refused(
            &h,
            "The Authentication Administrator role covers users without admin roles",
        )
        .await?;
        ensure!(created(&h) == 0, "a pass was created");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_disabled_policy_shows_the_fix_and_its_refusal() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        let mut policy = h.emu.policy();
        policy.state = tapdesk_emulator::PolicyState::Disabled;
        h.emu.set_policy(policy);
        at_pradeeps_form(&h).await?;
        h.wait_for_text(boot::POLICY_SUMMARY, "disabled in this tenant")
            .await?;
        refused_by_policy(&h).await
    })
    .await
}

#[tokio::test]
async fn an_excluded_user_is_warned_before_create() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        exclude_the_tap_excluded_group(&h);
        // Coverage is known only with a group permission (issue 11 point 3; without it see
        // graph_limits) and a role that reads the policy (Megan: Privileged Authentication
        // Administrator; an Authentication Administrator may not read it).
        h.emu.grant_tenant_consent("GroupMember.Read.All");
        boot::sign_in(&h, "megan.bowen").await?;
        user::open(&h, "nestor", "Nestor Wilke").await?;
        h.wait_for_text(create::WARNINGS, "policy excludes").await?;
        refused_by_policy(&h).await
    })
    .await
}

#[tokio::test]
async fn policy_limits_changed_after_sign_in_are_explained() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        at_pradeeps_form(&h).await?;
        h.type_into(create::LIFETIME, "600").await?;
        create::refused(
            &h,
            "Choose a lifetime between 1 hour and 8 hours (your tenant's policy).",
        )
        .await?;
        // The policy tightens while the page holds the old copy: Graph's 400 is put in words.
        let mut policy = h.emu.policy();
        policy.maximum_lifetime_in_minutes = 120;
        policy.default_lifetime_in_minutes = 60;
        policy.is_usable_once = true;
        h.emu.set_policy(policy);
        h.type_into(create::LIFETIME, "240").await?;
        create::refused(
            &h,
            "Your tenant's policy allows a lifetime between 1 hour and 2 hours (60 to 120 minutes)",
        )
        .await?;
        h.type_into(create::LIFETIME, "120").await?;
        h.click(create::ONE_TIME).await?; // one-time off, which the policy now forbids
        create::refused(&h, "only allows one-time passes").await?;
        ensure!(created(&h) == 0, "a pass was created");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_throttled_create_is_sent_again_after_retry_after() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        at_pradeeps_form(&h).await?;
        inject(
            &h,
            once(
                creates(),
                FaultKind::Throttle {
                    retry_after_secs: 1,
                },
            ),
        )?;
        create::submit(&h).await?;
        ensure!(faults_fired(&h) == 1, "the 429 was not served");
        ensure!(
            created(&h) == 1 && replaced(&h) == 0,
            "one pass, none replaced"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_lost_create_answer_is_resolved_by_listing_never_resent() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        at_pradeeps_form(&h).await?;
        inject(&h, once(creates(), FaultKind::DropAfterWrite))?;
        h.click(create::CREATE).await?;
        h.wait_for_text(create::OUTCOME, "A pass was created at")
            .await?;
        h.wait_for_text(create::OUTCOME, "nobody has seen it")
            .await?;
        ensure!(
            created(&h) == 1 && replaced(&h) == 0,
            "the create was resent: {:?}",
            h.emu.events()
        );
        ensure!(!exists(&h, reveal::NEW_PASS).await, "a pass value is shown");
        // The admin decides to replace the unseen pass.
        h.click(create::AGAIN).await?;
        h.wait_for_css(reveal::NEW_PASS).await?;
        ensure!(
            created(&h) == 2 && replaced(&h) == 1,
            "the admin's second create replaced the unseen pass"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_create_answered_with_503_is_not_resent() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        at_pradeeps_form(&h).await?;
        create_fails_unsent(
            &h,
            FaultKind::ServerError(503),
            "Graph had a problem (HTTP 503)",
        )
        .await
    })
    .await
}

#[tokio::test]
async fn a_create_that_times_out_is_checked_not_resent() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::open(&h).await?;
        h.emu
            .extend_page_config(serde_json::json!({"graphTimeoutSeconds": 2}));
        at_pradeeps_form(&h).await?;
        create_fails_unsent(&h, FaultKind::Timeout, "connection to Graph was lost").await
    })
    .await
}

#[tokio::test]
async fn reads_back_off_through_server_errors_and_throttling() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // The 1 s Retry-After must be readable to be honoured: Graph does not expose it on
        // single calls by default (issue 11 point 7; the unreadable side is in graph_limits).
        h.emu.update_settings(|s| s.expose_retry_after = true);
        boot::sign_in(&h, "adele.vance").await?;
        inject(
            &h,
            FaultRule::new(
                Match::graph().method("GET").path_contains("/users"),
                FaultKind::ServerError(503),
            )
            .times(2),
        )?;
        inject(
            &h,
            once(
                Match::graph().method("GET").path_contains("/users"),
                FaultKind::Throttle {
                    retry_after_secs: 1,
                },
            ),
        )?;
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        ensure!(faults_fired(&h) == 3, "{} faults fired", faults_fired(&h));
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_expired_access_token_is_renewed_once_quietly() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::sign_in(&h, "adele.vance").await?;
        h.emu.advance_clock(Duration::from_secs(2 * 3600));
        user::open(&h, "pradeep", "Pradeep Gupta").await?;
        let refreshes = count(
            &h.emu.events(),
            |e| matches!(e, Event::TokenIssued { grant_type, .. } if grant_type == "refresh_token"),
        );
        ensure!(refreshes == 1, "{refreshes} renewals");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn a_session_past_renewal_signs_in_again_keeping_the_form() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        // Tokens shorter than the 5-minute renewal margin: every call renews first.
        h.emu.set_token_lifetime(Duration::from_secs(240));
        at_pradeeps_form(&h).await?;
        h.type_into(create::LIFETIME, "75").await?;
        h.emu.expire_refresh_tokens();
        h.click(create::CREATE).await?;
        h.wait_for_text(boot::REAUTH, "more than 24 hours old")
            .await?;
        let asked_before = authorize_requests(&h).len();
        h.click(boot::SIGN_IN_AGAIN).await?;
        // The authority may ask which account; the emulator's session usually answers by itself.
        if h.wait_for_css(consent::RESTORED).await.is_err() {
            h.click(&boot::account("adele.vance")).await?;
        }
        h.wait_for_text(consent::RESTORED, "signed in again")
            .await?;
        // Signing in again names the same account and forces no account picker (issue 12
        // point 17).
        let again: Vec<_> = authorize_requests(&h)
            .into_iter()
            .skip(asked_before)
            .collect();
        ensure!(
            again.first() == Some(&(None, Some(ADELE.to_owned()))),
            "sign-in again asked {again:?}"
        );
        let lifetime = create::lifetime(&h).await?;
        ensure!(
            lifetime == "75",
            "the form came back with lifetime {lifetime:?}"
        );
        ensure!(
            created(&h) == 0,
            "a pass was created before the admin asked again"
        );
        create::submit(&h).await?;
        ensure!(created(&h) == 1, "one pass");
        Ok(())
    })
    .await
}

#[tokio::test]
async fn an_error_description_with_html_is_shown_as_text() -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        boot::start(&h).await?;
        let authorize = h.driver.current_url().await?;
        let state = authorize
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let mut back = url::Url::parse(&h.page_url())?;
        back.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "AADSTS65004: <img src=x id=injected onerror=\"document.title='pwned'\"> declined",
            )
            .append_pair("state", &state);
        h.driver.goto(back.as_str()).await?;
        h.wait_for_text(boot::ERROR, "<img src=x").await?;
        ensure!(
            !exists(&h, "#injected").await,
            "the description became HTML"
        );
        ensure!(h.driver.title().await? != "pwned", "a script ran");
        let _ = text_of(&h, boot::ERROR).await?;
        Ok(())
    })
    .await
}
