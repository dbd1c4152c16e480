//! The Policy screen (issue 7): read-only until the write permission is granted on this screen,
//! groups shown and picked by name, every check before sending, the changes in words, and a
//! PATCH with the changed fields only, after which every screen follows the new policy.

use std::sync::Arc;

use anyhow::{ensure, Result};
use tapdesk_emulator::model::{ExcludeTarget, TapPolicy};
use tapdesk_emulator::seed::{GROUP_HELPDESK, GROUP_TAP_EXCLUDED};
use tapdesk_emulator::Event;

use super::{assert_accessible, count};
use crate::harness::{self, Harness, Options};
use crate::pages::{boot, exists, policy};

#[tokio::test]
async fn a_global_admin_grants_the_permission_reviews_the_changes_and_saves_the_policy(
) -> Result<()> {
    harness::run(Options::default(), |h: Arc<Harness>| async move {
        h.emu.set_policy(TapPolicy {
            exclude_targets: vec![ExcludeTarget {
                target_type: "group".into(),
                id: GROUP_TAP_EXCLUDED.into(),
            }],
            ..TapPolicy::default()
        });
        boot::sign_in(&h, "alex.wilber").await?;
        policy::open(&h).await?;
        h.wait_for_css(policy::CONSENT).await?;
        let max = h.wait_for_css(policy::MAX).await?;
        ensure!(
            !max.is_enabled().await?,
            "the form is editable without the permission"
        );

        // Incremental asked for only here; the page comes back to this screen.
        policy::grant(&h).await?;
        h.wait_for_text(policy::EXCLUDE, "TAP Excluded").await?;
        h.wait_for_text(policy::ADVICE, "Make passes one-time")
            .await?;

        // Checked before anything is sent.
        h.type_into(policy::MAX, "5").await?;
        h.wait_for_text(
            policy::PROBLEMS,
            "The maximum lifetime must be from 10 minutes",
        )
        .await?;
        ensure!(
            !h.wait_for_css(policy::REVIEW).await?.is_enabled().await?,
            "Review is enabled with a bad value"
        );
        h.type_into(policy::MAX, "240").await?;
        h.wait_until("the problems to go", || async {
            Ok(!exists(&h, policy::PROBLEMS).await)
        })
        .await?;
        h.click(policy::ONE_TIME).await?;
        h.type_into(policy::GROUP_SEARCH, "Helpdesk").await?;
        h.click(policy::GROUP_FIND).await?;
        h.click(policy::GROUP_RESULT).await?;
        h.wait_for_text(policy::EXCLUDE, "Helpdesk").await?;

        h.click(policy::REVIEW).await?;
        assert_accessible(&h, "the policy review").await?;
        let diff = h.wait_for_css(policy::DIFF).await?.text().await?;
        for needle in [
            "Maximum lifetime",
            "8 hours",
            "4 hours",
            "One-time only",
            "Excluded",
            "Helpdesk, TAP Excluded",
        ] {
            ensure!(diff.contains(needle), "the review lacks {needle:?}: {diff}");
        }
        ensure!(
            !diff.contains("Default lifetime"),
            "an unchanged field is listed: {diff}"
        );
        ensure!(
            count(&h.emu.events(), |e| matches!(
                e,
                Event::PolicyChanged { .. }
            )) == 1,
            "saved before Save"
        );
        h.click(policy::SAVE).await?;
        h.wait_for_css(policy::SAVED).await?;

        let p = h.emu.policy();
        ensure!(
            p.maximum_lifetime_in_minutes == 240 && p.is_usable_once,
            "policy now {p:?}"
        );
        ensure!(
            p.minimum_lifetime_in_minutes == 60 && p.default_lifetime_in_minutes == 60,
            "untouched fields changed: {p:?}"
        );
        let mut excluded: Vec<_> = p.exclude_targets.iter().map(|t| t.id.as_str()).collect();
        excluded.sort_unstable();
        let mut expected = vec![GROUP_TAP_EXCLUDED, GROUP_HELPDESK];
        expected.sort_unstable();
        ensure!(excluded == expected, "excluded {excluded:?}");
        // The summary on top follows the saved policy at once.
        h.wait_for_text(boot::POLICY_SUMMARY, "every pass is one-time")
            .await?;
        h.wait_for_text(boot::POLICY_SUMMARY, "4 hours").await?;
        Ok(())
    })
    .await
}
