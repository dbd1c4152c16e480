//! The classification against the emulator's ground truth (issue 15's "counts per class match
//! exactly"): a seeded campaign tenant read through the page's own request builder, decoder
//! and paging helper, classified, and compared with what the emulator generated.

use super::*;
use crate::graph::api::registration_report;
use crate::graph::paging::all_pages;
use crate::graph::{GraphError, Request};
use tapdesk_emulator::{Emulator, EmulatorConfig};

const GRADY: &str = "grady.archie@contoso.onmicrosoft.com";

async fn send<T: serde::de::DeserializeOwned>(
    emu: &Emulator,
    token: &str,
    req: Request<T>,
) -> Result<T, GraphError> {
    let url = if req.path.starts_with("http") {
        req.path.clone()
    } else {
        format!("{}/v1.0{}", emu.graph_url(), req.path)
    };
    let resp = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("report page");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    Ok(req.read(&text).expect("decode"))
}

#[tokio::test]
async fn the_seeded_tenant_classifies_exactly_as_the_emulator_generated_it() {
    let emu = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let truth = emu.seed_campaign(3000, 15);
    emu.grant_tenant_consent("AuditLog.Read.All");
    let token = emu
        .issue_access_token(GRADY, &["AuditLog.Read.All"])
        .expect("token");
    let rows = all_pages(
        registration_report(None),
        |req| send(&emu, &token, req),
        |_| true,
    )
    .await
    .expect("report");
    let c = count_report(&rows);
    assert_eq!(
        c.get(Class::PhoneOnlySms),
        truth.phone_only_sms,
        "{truth:?}"
    );
    assert_eq!(c.get(Class::PhoneOnlyVoice), truth.phone_only_voice);
    assert_eq!(c.get(Class::PhoneAndWeaker), truth.phone_and_weaker);
    assert_eq!(c.get(Class::Passwordless), truth.passwordless);
    assert_eq!(c.get(Class::OtherMethods), truth.other_methods);
    assert_eq!(c.get(Class::Nothing), truth.nothing);
    assert_eq!(c.get(Class::Guest), truth.guests);
    let members = c.total() - c.get(Class::Guest);
    assert!(
        (members / 4..members / 2).contains(&c.phone_only()),
        "about a third of the members depend on a phone alone: {c:?}"
    );
    emu.shutdown().await;
}
