//! The Policy screen (issue 7): read-only until the write permission is granted on this screen,
//! groups shown and picked by name, every check before sending, the changes in words, and a
//! PATCH with the changed fields only, after which every screen follows the new policy.

use std::sync::Arc;

use anyhow::{ensure, Result};
use tapdesk_emulator::model::{ExcludeTarget, TapPolicy};
use tapdesk_emulator::seed::{GROUP_HELPDESK, GROUP_TAP_EXCLUDED};
use tapdesk_emulator::Event;

use super::{assert_accessible, count, sign_in_as};
use crate::harness::{self, Harness, Options};

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
        sign_in_as(&h, "alex.wilber").await?;
        h.click("#tab-policy").await?;
        h.wait_for_css("#policy-consent").await?;
        let max = h.wait_for_css("#policy-max").await?;
        ensure!(
            !max.is_enabled().await?,
            "the form is editable without the permission"
        );

        // Incremental consent, asked for only here; the page comes back to this screen.
        h.click("#policy-grant").await?;
        h.click("#consent-accept").await?;
        h.wait_for_css("#policy-review").await?;
        h.wait_for_text("#policy-exclude", "TAP Excluded").await?;
        h.wait_for_text("#policy-advice", "Make passes one-time")
            .await?;

        // Checked before anything is sent.
        h.type_into("#policy-max", "5").await?;
        h.wait_for_text(
            "#policy-problems",
            "The maximum lifetime must be from 10 minutes",
        )
        .await?;
        ensure!(
            !h.wait_for_css("#policy-review").await?.is_enabled().await?,
            "Review is enabled with a bad value"
        );
        h.type_into("#policy-max", "240").await?;
        h.wait_until("the problems to go", || async {
            Ok(h.driver
                .find(fantoccini::Locator::Css("#policy-problems"))
                .await
                .is_err())
        })
        .await?;
        h.click("#policy-one-time").await?;
        h.type_into("#policy-group-search", "Helpdesk").await?;
        h.click("#policy-group-find").await?;
        h.click("#policy-group-results .exclude-group").await?;
        h.wait_for_text("#policy-exclude", "Helpdesk").await?;

        h.click("#policy-review").await?;
        assert_accessible(&h, "the policy review").await?;
        let diff = h.wait_for_css("#policy-diff").await?.text().await?;
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
        h.click("#policy-save").await?;
        h.wait_for_css("#policy-saved").await?;

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
        h.wait_for_text("#policy", "every pass is one-time").await?;
        h.wait_for_text("#policy", "4 hours").await?;
        Ok(())
    })
    .await
}
