//! A campaign wave's passkey-registration check on Many users (issue 15 point 5), before any
//! pass is created. It lives in the Campaign module (`ui::lazy::WaveCheck` loads it only for a
//! wave), so Many users does not download the checks for every other run.

use leptos::prelude::*;

use super::super::Ctx;
use crate::bulk::summary;
use crate::campaign::readiness::{self, Finding, Severity, WaveUser};
use crate::permission;

/// What blocks or warns for the passkeys of a wave's users, counted per finding.
#[derive(Clone, Debug, PartialEq)]
struct Checked {
    findings: Vec<(Finding, usize)>,
    /// Settings that could not be read, each a sentence.
    unread: Vec<String>,
}

/// Reads the settings once (with the permissions already held) and judges every user.
#[component]
pub fn WaveCheck(ctx: Ctx, users: Vec<WaveUser>, one_time: Option<bool>) -> impl IntoView {
    let checked: RwSignal<Option<Checked>> = RwSignal::new(None);
    let n = users.len();
    leptos::task::spawn_local(async move {
        let reads = crate::ui::policy::read_passkey_policies(ctx, one_time).await;
        let members: Vec<_> = users.iter().map(WaveUser::member).collect();
        checked.try_set(Some(Checked {
            findings: readiness::wave(&reads.policies, &members),
            unread: reads.unread,
        }));
    });
    let ca_readable = ctx.may(permission::POLICY_READ_ALL.name);
    move || {
        match checked.get() {
        None => view! {
            <p id="bulk-readiness-reading" class="status" role="status">"Checking whether these users can register a passkey…"</p>
        }
        .into_any(),
        Some(r) => view! { <Findings r=r users=n ca_readable=ca_readable /> }.into_any(),
    }
    }
}

/// The findings in words.
#[component]
fn Findings(r: Checked, users: usize, ca_readable: bool) -> impl IntoView {
    let blocks = r
        .findings
        .iter()
        .any(|(f, _)| f.severity == Severity::Blocks);
    let headline = if r.findings.is_empty() && r.unread.is_empty() {
        format!("Passkey registration: nothing blocks it for these {users} users.")
    } else if blocks {
        "Passkey registration: some of these users could not register a passkey with their pass. Change the settings named below before creating the passes.".to_owned()
    } else {
        "Passkey registration: read the notes below before creating the passes.".to_owned()
    };
    view! {
        <section id="bulk-readiness" class=if blocks { "notice notice--warning" } else { "notice" } aria-labelledby="bulk-readiness-title">
            <p id="bulk-readiness-title"><strong>{headline}</strong></p>
            <ul>
                {r.findings.into_iter().map(|(f, n)| view! {
                    <li class="bulk__readiness-finding">
                        <strong>{format!("{} ({}): ", f.severity.words(), summary::count(n, "user", "users"))}</strong>
                        {f.text}" "<span class="field__hint">{f.fix}</span>
                    </li>
                }).collect_view()}
                {r.unread.into_iter().map(|u| view! { <li>{u}</li> }).collect_view()}
            </ul>
            {(!ca_readable).then(|| view! {
                <p id="bulk-readiness-ca" class="field__hint">{format!("To check Conditional Access too, grant {} in the Policy screen's \"Passkey registration\" section, then press Check again.", permission::POLICY_READ_ALL.name)}</p>
            })}
        </section>
    }
}
