//! Issue 15's emulator parts: the registration report
//! (`/reports/authenticationMethods/userRegistrationDetails`) derived from users' methods,
//! phone and passkey methods by type (with the phone delete), the passkey policies (`fido2`
//! configuration with passkey profiles, authentication strengths, Conditional Access), the
//! seeded campaign tenant and its ground truth, and the control routes that play a user
//! registering a passkey.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::passkeys::{self, PasskeyKind, PhoneType};
use tapdesk_emulator::model::roles::REPORTS_READER;
use tapdesk_emulator::seed::campaign::{campaign_upn, CampaignTruth};
use tapdesk_emulator::Emulator;

const REPORT: &str = "/reports/authenticationMethods/userRegistrationDetails";
const ADELE: &str = "adele.vance@contoso.onmicrosoft.com";
const GRADY: &str = "grady.archie@contoso.onmicrosoft.com";
const LYNNE: &str = "lynne.robbins@contoso.onmicrosoft.com";
const DIEGO: &str = "diego.siciliani@contoso.onmicrosoft.com";
const PRADEEP: &str = "pradeep.gupta@contoso.onmicrosoft.com";
const ISAIAH: &str = "isaiah.langer@contoso.onmicrosoft.com";
const MEGAN: &str = "megan.bowen@contoso.onmicrosoft.com";

/// A token for `upn` holding `scopes`, consented tenant-wide first.
/// (Only the asked-for permissions go into the token, so each refusal test holds exactly
/// what it names.)
fn token(emu: &Emulator, upn: &str, scopes: &[&str]) -> String {
    emu.update_settings(|s| s.all_consented_scopes_in_token = false);
    for s in scopes {
        emu.grant_tenant_consent(s);
    }
    emu.issue_access_token(upn, scopes).expect("token")
}

async fn get_path(
    emu: &Emulator,
    path: &str,
    token: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    graph(emu, Method::GET, path, Some(token), None, &[]).await
}

/// Every row of the report, following `@odata.nextLink`; and how many requests it took.
async fn whole_report(emu: &Emulator, first: &str, token: &str) -> (Vec<Value>, usize) {
    let mut rows = vec![];
    let mut next = Some(first.to_string());
    let mut requests = 0;
    while let Some(path) = next {
        let (s, _, v) = get_path(emu, &path, token).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        requests += 1;
        rows.extend(v["value"].as_array().expect("value").iter().cloned());
        next = v["@odata.nextLink"].as_str().map(String::from);
    }
    (rows, requests)
}

/// The classes of [`CampaignTruth`] counted from report rows, written out here on its own.
fn classify(rows: &[Value]) -> CampaignTruth {
    let mut t = CampaignTruth::default();
    for r in rows {
        let m: Vec<&str> = r["methodsRegistered"]
            .as_array()
            .expect("methods")
            .iter()
            .filter_map(Value::as_str)
            .filter(|m| *m != "temporaryAccessPass")
            .collect();
        let phones = m.iter().filter(|x| x.ends_with("Phone")).count();
        if r["userType"] == "guest" {
            t.guests += 1;
        } else if r["isPasswordlessCapable"] == true {
            t.passwordless += 1;
        } else if m.is_empty() {
            t.nothing += 1;
        } else if phones == 0 {
            t.other_methods += 1;
        } else if phones < m.len() {
            t.phone_and_weaker += 1;
        } else if m.contains(&"mobilePhone") {
            t.phone_only_sms += 1;
        } else {
            t.phone_only_voice += 1;
        }
    }
    t
}

#[tokio::test]
async fn the_report_pages_through_every_enabled_user_and_matches_the_ground_truth() {
    let emu = start().await;
    let truth = emu.seed_campaign(1200, 15);
    assert!(
        truth.phone_only_voice > 0 && truth.disabled > 0,
        "{truth:?}"
    );
    let t = token(&emu, GRADY, &["AuditLog.Read.All"]);
    let (rows, requests) = whole_report(&emu, REPORT, &t).await;
    let mut got = classify(&rows);
    got.disabled = truth.disabled;
    assert_eq!(got, truth);
    let enabled = rows.len();
    assert_eq!(requests, enabled.div_ceil(100), "default page of 100");
    assert!(
        rows.iter()
            .all(|r| r["userPrincipalName"] != "lee.gu@contoso.onmicrosoft.com"),
        "disabled users are not in the report"
    );
    let (rows_250, requests_250) = whole_report(&emu, &format!("{REPORT}?$top=250"), &t).await;
    let ids = |rows: &[Value]| rows.iter().map(|r| r["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&rows_250), ids(&rows));
    assert_eq!(requests_250, enabled.div_ceil(250));
}

#[tokio::test]
async fn a_row_follows_the_users_methods_and_the_documented_shape() {
    let emu = start().await;
    let t = token(&emu, GRADY, &["AuditLog.Read.All"]);
    let id = emu.user_id(PRADEEP).expect("pradeep");
    let row = |v: &Value| v.clone();
    let (s, _, v) = get_path(&emu, &format!("{REPORT}/{id}"), &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for key in [
        "id",
        "userPrincipalName",
        "userDisplayName",
        "userType",
        "isAdmin",
        "isMfaCapable",
        "isMfaRegistered",
        "isPasswordlessCapable",
        "isSsprCapable",
        "isSsprRegistered",
        "lastUpdatedDateTime",
        "methodsRegistered",
    ] {
        assert!(v.get(key).is_some(), "{key} in {v}");
    }
    assert_eq!(v["methodsRegistered"], json!([]), "password only");
    assert_eq!(v["userType"], "member");
    emu.set_phone(PRADEEP, PhoneType::Office, "+1 425 555 0199")
        .expect("phone");
    let (_, _, v) = get_path(&emu, &format!("{REPORT}/{id}"), &t).await;
    assert_eq!(row(&v)["methodsRegistered"], json!(["officePhone"]));
    assert_eq!(v["isMfaCapable"], true);
    assert_eq!(v["isPasswordlessCapable"], false);
    for (kind, registered) in [
        (PasskeyKind::Synced, "passKeySynced"),
        (PasskeyKind::DeviceBound, "passKeyDeviceBound"),
        (PasskeyKind::WindowsHello, "windowsHelloForBusiness"),
        (
            PasskeyKind::Authenticator,
            "passKeyDeviceBoundAuthenticator",
        ),
    ] {
        emu.register_passkey(PRADEEP, kind, None, None)
            .expect("passkey");
        let (_, _, v) = get_path(&emu, &format!("{REPORT}/{id}"), &t).await;
        assert!(
            v["methodsRegistered"]
                .as_array()
                .expect("m")
                .contains(&json!(registered)),
            "{v}"
        );
        assert_eq!(v["isPasswordlessCapable"], true);
    }
    let (_, _, admin) = get_path(
        &emu,
        &format!("{REPORT}/{}", emu.user_id(ISAIAH).expect("i")),
        &t,
    )
    .await;
    assert_eq!(admin["isAdmin"], true);
    let lee = emu.user_id("lee.gu@contoso.onmicrosoft.com").expect("lee");
    let (s, _, _) = get_path(&emu, &format!("{REPORT}/{lee}"), &t).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a disabled user has no row");
    let (s, _, _) = get_path(&emu, &format!("{REPORT}/{PRADEEP}"), &t).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "rows are keyed by object id");
}

#[tokio::test]
async fn the_report_needs_audit_log_read_all_a_reports_role_and_a_premium_licence() {
    let emu = start().await;
    let without_permission = token(&emu, GRADY, &["User.Read.All"]);
    assert_graph_error(
        &get_path(&emu, REPORT, &without_permission).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let adele = token(&emu, ADELE, &["AuditLog.Read.All"]);
    assert_graph_error(
        &get_path(&emu, REPORT, &adele).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.add_role(ADELE, REPORTS_READER).expect("role");
    let (s, _, v) = get_path(&emu, REPORT, &adele).await;
    assert_eq!(s, StatusCode::OK, "a Reports Reader reads it: {v}");
    emu.update_settings(|s| s.without_premium_licence = true);
    assert_graph_error(
        &get_path(&emu, REPORT, &adele).await,
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "doesn't have premium license",
    );
    let id = emu.user_id(PRADEEP).expect("p");
    assert_graph_error(
        &get_path(&emu, &format!("{REPORT}/{id}"), &adele).await,
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "premium",
    );
    emu.update_settings(|s| s.without_premium_licence = false);
    assert_eq!(get_path(&emu, REPORT, &adele).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_report_filters_on_documented_properties_and_pages_with_the_filter() {
    let emu = start().await;
    emu.seed_campaign(400, 2);
    let t = token(&emu, GRADY, &["AuditLog.Read.All"]);
    let enc = |f: &str| url::form_urlencoded::byte_serialize(f.as_bytes()).collect::<String>();
    let office = format!(
        "{REPORT}?$top=20&$filter={}",
        enc("methodsRegistered/any(x:x eq 'officePhone') and userType eq 'member'")
    );
    let (rows, requests) = whole_report(&emu, &office, &t).await;
    assert!(requests > 1, "more than one page of office phones");
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["methodsRegistered"]
        .as_array()
        .expect("m")
        .contains(&json!("officePhone"))
        && r["userType"] == "member"));
    let guests = format!("{REPORT}?$filter={}", enc("userType eq 'guest'"));
    let (rows, _) = whole_report(&emu, &guests, &t).await;
    assert!(!rows.is_empty() && rows.iter().all(|r| r["userType"] == "guest"));
    let admins = format!("{REPORT}?$filter={}", enc("isAdmin eq true"));
    let (rows, _) = whole_report(&emu, &admins, &t).await;
    assert!(rows.iter().all(|r| r["isAdmin"] == true));
    assert!(rows.iter().any(|r| r["userPrincipalName"] == ISAIAH));
    let unsupported = format!("{REPORT}?$filter={}", enc("department eq 'Finance'"));
    let (s, _, v) = get_path(&emu, &unsupported, &t).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _, _) = get_path(&emu, &format!("{REPORT}?$top=0"), &t).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn phone_and_passkey_methods_are_listed_by_type_with_their_permission_and_role() {
    let emu = start().await;
    emu.set_phone(PRADEEP, PhoneType::Mobile, "+1 425 555 0100")
        .expect("phone");
    emu.set_phone(PRADEEP, PhoneType::AlternateMobile, "+1 425 555 0101")
        .expect("phone");
    let path = |what: &str| format!("/users/{PRADEEP}/authentication/{what}");
    let adele = token(&emu, ADELE, &["UserAuthenticationMethod.Read.All"]);
    let (s, _, v) = get_path(&emu, &path("phoneMethods"), &adele).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let types: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|m| m["phoneType"].as_str())
        .collect();
    assert_eq!(types, ["mobile", "alternateMobile"]);
    assert_eq!(v["value"][0]["id"], passkeys::MOBILE_PHONE_ID);
    assert_eq!(v["value"][0]["smsSignInState"], "notAllowedByPolicy");
    let (s, _, one) = get_path(
        &emu,
        &format!(
            "{}/{}",
            path("phoneMethods"),
            passkeys::ALTERNATE_MOBILE_PHONE_ID
        ),
        &adele,
    )
    .await;
    assert_eq!(
        (s, one["phoneType"].as_str()),
        (StatusCode::OK, Some("alternateMobile"))
    );

    for kind in [
        PasskeyKind::DeviceBound,
        PasskeyKind::Synced,
        PasskeyKind::Authenticator,
        PasskeyKind::WindowsHello,
    ] {
        emu.register_passkey(PRADEEP, kind, None, None).expect("k");
    }
    let (_, _, v) = get_path(&emu, &path("fido2Methods"), &adele).await;
    let fido: Vec<(String, String, String)> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|m| {
            (
                m["passkeyType"].as_str().unwrap_or("").to_string(),
                m["aaGuid"].as_str().unwrap_or("").to_string(),
                m["model"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(fido.len(), 3, "Windows Hello is not a fido2 method: {v}");
    assert_eq!(fido[0].0, "deviceBound");
    assert_eq!(fido[0].1, passkeys::aaguids::YUBIKEY_5_NFC);
    assert_eq!(fido[1].0, "synced");
    assert_eq!(fido[2].1, passkeys::aaguids::AUTHENTICATOR_IOS);
    assert!(fido[2].2.contains("Authenticator"));
    let (_, _, all) = get_path(&emu, &path("methods"), &adele).await;
    assert!(all["value"]
        .as_array()
        .expect("v")
        .iter()
        .any(|m| m["@odata.type"] == passkeys::HELLO_TYPE));

    let narrow = token(&emu, ADELE, &["UserAuthMethod-TAP.ReadWrite.All"]);
    assert_graph_error(
        &get_path(&emu, &path("phoneMethods"), &narrow).await,
        403,
        "accessDenied",
        "Request Authorization failed",
    );
    let diego = token(&emu, DIEGO, &["UserAuthenticationMethod.Read.All"]);
    assert_graph_error(
        &get_path(&emu, &path("fido2Methods"), &diego).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let (s, _, _) = get_path(&emu, &format!("{}/nope", path("phoneMethods")), &adele).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn deleting_a_phone_needs_the_write_permission_and_a_role_over_the_target() {
    let emu = start().await;
    emu.set_phone(PRADEEP, PhoneType::Mobile, "+1 425 555 0100")
        .expect("phone");
    emu.set_phone(ISAIAH, PhoneType::Office, "+1 425 555 0102")
        .expect("phone");
    let phone = |upn: &str, id: &str| format!("/users/{upn}/authentication/phoneMethods/{id}");
    let read_only = token(&emu, ADELE, &["UserAuthenticationMethod.Read.All"]);
    assert_graph_error(
        &graph(
            &emu,
            Method::DELETE,
            &phone(PRADEEP, passkeys::MOBILE_PHONE_ID),
            Some(&read_only),
            None,
            &[],
        )
        .await,
        403,
        "accessDenied",
        "Request Authorization failed",
    );
    let adele = token(&emu, ADELE, &["UserAuthenticationMethod.ReadWrite.All"]);
    assert_graph_error(
        &graph(
            &emu,
            Method::DELETE,
            &phone(ISAIAH, passkeys::OFFICE_PHONE_ID),
            Some(&adele),
            None,
            &[],
        )
        .await,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let (s, _, _) = graph(
        &emu,
        Method::DELETE,
        &phone(PRADEEP, passkeys::MOBILE_PHONE_ID),
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, _, v) = get_path(
        &emu,
        &format!("/users/{PRADEEP}/authentication/phoneMethods"),
        &adele,
    )
    .await;
    assert_eq!(v["value"], json!([]));
    let (s, _, _) = graph(
        &emu,
        Method::DELETE,
        &phone(PRADEEP, passkeys::MOBILE_PHONE_ID),
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already gone");
    emu.set_phone(PRADEEP, PhoneType::Mobile, "+1 425 555 0100")
        .expect("phone");
    emu.set_phone(PRADEEP, PhoneType::AlternateMobile, "+1 425 555 0101")
        .expect("phone");
    assert_graph_error(
        &graph(
            &emu,
            Method::DELETE,
            &phone(PRADEEP, passkeys::MOBILE_PHONE_ID),
            Some(&adele),
            None,
            &[],
        )
        .await,
        400,
        "badRequest",
        "alternateMobile number without a mobile number",
    );
    for id in [
        passkeys::ALTERNATE_MOBILE_PHONE_ID,
        passkeys::MOBILE_PHONE_ID,
    ] {
        let (s, _, _) = graph(
            &emu,
            Method::DELETE,
            &phone(PRADEEP, id),
            Some(&adele),
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "alternate first, then mobile");
    }
    let megan = token(&emu, MEGAN, &["UserAuthenticationMethod.ReadWrite.All"]);
    let (s, _, _) = graph(
        &emu,
        Method::DELETE,
        &phone(ISAIAH, passkeys::OFFICE_PHONE_ID),
        Some(&megan),
        None,
        &[],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::NO_CONTENT,
        "a Privileged Authentication Administrator may"
    );
}

#[tokio::test]
async fn the_fido2_configuration_shows_passkey_profiles_to_policy_readers_only() {
    let emu = start().await;
    const FIDO2: &str =
        "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2";
    let lynne = token(&emu, LYNNE, &["Policy.Read.AuthenticationMethod"]);
    let (s, _, v) = get_path(&emu, FIDO2, &lynne).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["@odata.type"],
        "#microsoft.graph.fido2AuthenticationMethodConfiguration"
    );
    assert_eq!(
        v["passkeyProfiles"][0]["passkeyTypes"],
        "deviceBound,synced"
    );
    assert_eq!(
        v["includeTargets"][0]["allowedPasskeyProfiles"][0],
        v["defaultPasskeyProfile"]
    );
    let broad_only = token(&emu, GRADY, &["Policy.Read.All"]);
    assert_graph_error(
        &get_path(&emu, FIDO2, &broad_only).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient",
    );
    let adele = token(&emu, ADELE, &["Policy.Read.AuthenticationMethod"]);
    assert_graph_error(
        &get_path(&emu, FIDO2, &adele).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient",
    );
    emu.set_fido2_configuration(passkeys::fido2_configuration(passkeys::passkey_profile(
        passkeys::DEFAULT_PASSKEY_PROFILE,
        "Security keys only",
        "deviceBound",
        "registrationOnly",
        Some(("allow", &[passkeys::aaguids::YUBIKEY_5_NFC])),
    )));
    let (_, _, v) = get_path(&emu, FIDO2, &lynne).await;
    let profile = &v["passkeyProfiles"][0];
    assert_eq!(profile["passkeyTypes"], "deviceBound");
    assert_eq!(profile["attestationEnforcement"], "registrationOnly");
    assert_eq!(profile["keyRestrictions"]["enforcementType"], "allow");
    assert_eq!(
        profile["keyRestrictions"]["aaGuids"][0],
        passkeys::aaguids::YUBIKEY_5_NFC
    );
}

#[tokio::test]
async fn strengths_and_conditional_access_are_read_with_their_documented_permissions() {
    let emu = start().await;
    const STRENGTHS: &str = "/policies/authenticationStrengthPolicies";
    const CA: &str = "/identity/conditionalAccess/policies";
    let grady = token(&emu, GRADY, &["Policy.Read.AuthenticationMethod"]);
    let (s, _, v) = get_path(&emu, STRENGTHS, &grady).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let mfa = v["value"]
        .as_array()
        .expect("v")
        .iter()
        .find(|p| p["id"] == passkeys::STRENGTH_MFA)
        .expect("built-in MFA");
    assert!(mfa["allowedCombinations"]
        .as_array()
        .expect("c")
        .contains(&json!("temporaryAccessPassOneTime")));
    let (s, _, one) = get_path(
        &emu,
        &format!("{STRENGTHS}/{}", passkeys::STRENGTH_PHISHING_RESISTANT),
        &grady,
    )
    .await;
    assert_eq!(
        (s, one["displayName"].as_str()),
        (StatusCode::OK, Some("Phishing-resistant MFA"))
    );
    assert_graph_error(
        &get_path(&emu, CA, &grady).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient",
    );

    let grady = token(&emu, GRADY, &["Policy.Read.All"]);
    let (s, _, v) = get_path(&emu, CA, &grady).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let p = &v["value"][0];
    assert_eq!(
        p["conditions"]["applications"]["includeUserActions"][0],
        passkeys::REGISTER_SECURITY_INFO
    );
    assert_eq!(
        p["grantControls"]["authenticationStrength"]["id"],
        passkeys::STRENGTH_MFA
    );
    assert_eq!(
        get_path(&emu, STRENGTHS, &grady).await.0,
        StatusCode::OK,
        "Policy.Read.All is a higher permission"
    );
    let ca_writer = token(&emu, GRADY, &["Policy.ReadWrite.ConditionalAccess"]);
    assert_eq!(
        get_path(&emu, CA, &ca_writer).await.0,
        StatusCode::OK,
        "the higher permission"
    );
    assert_eq!(
        get_path(&emu, STRENGTHS, &ca_writer).await.0,
        StatusCode::OK
    );
    let diego = token(&emu, DIEGO, &["Policy.Read.All"]);
    assert_graph_error(
        &get_path(&emu, CA, &diego).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient",
    );
    assert_graph_error(
        &get_path(&emu, STRENGTHS, &diego).await,
        403,
        "Authorization_RequestDenied",
        "Insufficient",
    );

    emu.set_conditional_access_policies(vec![passkeys::registration_ca_policy(
        "c0ffee00-0000-4000-8000-000000000001",
        "Phishing-resistant to register",
        "enabled",
        Some(passkeys::STRENGTH_PHISHING_RESISTANT),
    )]);
    let (_, _, v) = get_path(&emu, CA, &grady).await;
    let combos = v["value"][0]["grantControls"]["authenticationStrength"]["allowedCombinations"]
        .as_array()
        .expect("combinations")
        .clone();
    assert!(!combos.iter().any(|c| c
        .as_str()
        .is_some_and(|c| c.starts_with("temporaryAccessPass"))));
}

#[tokio::test]
async fn control_routes_play_registrations_and_seed_the_campaign_tenant() {
    let emu = start().await;
    let c = http();
    let base = emu.login_url();
    let seeded: Value = c
        .post(format!("{base}/_emulator/campaign/seed"))
        .json(&json!({"users": 300, "seed": 9}))
        .send()
        .await
        .expect("seed")
        .json()
        .await
        .expect("truth");
    let again = emu.campaign_truth();
    assert_eq!(serde_json::to_value(&again).expect("v"), seeded);
    let by_class: Value = c
        .get(format!("{base}/_emulator/campaign/truth/users"))
        .send()
        .await
        .expect("users")
        .json()
        .await
        .expect("json");
    for (class, count) in seeded.as_object().expect("truth") {
        let listed = by_class[class].as_array().map_or(0, Vec::len);
        assert_eq!(listed as u64, count.as_u64().expect("n"), "{class}");
    }
    assert!(by_class["phoneOnlyVoice"]
        .as_array()
        .expect("voice")
        .iter()
        .all(|u| u.as_str().is_some_and(|u| u.contains(".c"))));
    let page = Browser::new()
        .get(&authorize_url(&emu, &scope(&emu, TAP_PERMS), &[]))
        .await;
    assert!(page.body.contains("adele.vance"), "named accounts listed");
    let shown: Vec<String> = (1..=300)
        .flat_map(|n| [campaign_upn(n, false), campaign_upn(n, true)])
        .filter(|u| page.body.contains(u.as_str()))
        .collect();
    assert!(
        shown.is_empty(),
        "campaign users are not buttons on the sign-in page: {shown:?}"
    );
    let member = campaign_upn(20, false);
    assert_eq!(member, "ada.berg.c20@contoso.onmicrosoft.com");
    assert!(
        emu.user_id(&member)
            .or(emu.user_id(&campaign_upn(20, true)))
            .is_some(),
        "campaign users follow campaign_upn"
    );
    let r = c
        .put(format!("{base}/_emulator/users/{PRADEEP}/phones/office"))
        .json(&json!({"phoneNumber": "+1 425 555 0177"}))
        .send()
        .await
        .expect("phone");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let bad = c
        .put(format!("{base}/_emulator/users/{PRADEEP}/phones/fax"))
        .json(&json!({"phoneNumber": "1"}))
        .send()
        .await
        .expect("fax");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let before: Value = c
        .get(format!("{base}/_emulator/campaign/truth"))
        .send()
        .await
        .expect("t")
        .json()
        .await
        .expect("j");
    for kind in ["deviceBound", "synced", "authenticator", "windowsHello"] {
        let r = c
            .post(format!("{base}/_emulator/users/{PRADEEP}/passkeys"))
            .json(&json!({"kind": kind}))
            .send()
            .await
            .expect("passkey");
        assert_eq!(r.status(), StatusCode::CREATED, "{kind}");
    }
    let after: Value = c
        .get(format!("{base}/_emulator/campaign/truth"))
        .send()
        .await
        .expect("t")
        .json()
        .await
        .expect("j");
    assert_eq!(
        after["phoneOnlyVoice"],
        before["phoneOnlyVoice"].as_u64().expect("n") - 1
    );
    assert_eq!(
        after["passwordless"],
        before["passwordless"].as_u64().expect("n") + 1
    );
    let unknown = c
        .post(format!("{base}/_emulator/users/nobody@x/passkeys"))
        .json(&json!({"kind": "synced"}))
        .send()
        .await
        .expect("unknown");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let r = c
        .put(format!(
            "{base}/_emulator/passkey-policies/conditional-access"
        ))
        .json(&json!([]))
        .send()
        .await
        .expect("ca");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let grady = token(&emu, GRADY, &["Policy.Read.All"]);
    let (_, _, v) = get_path(&emu, "/identity/conditionalAccess/policies", &grady).await;
    assert_eq!(v["value"], json!([]));
    let r = c
        .put(format!("{base}/_emulator/passkey-policies/fido2"))
        .json(&json!({"id": "Fido2", "state": "disabled"}))
        .send()
        .await
        .expect("fido2");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let lynne = token(&emu, LYNNE, &["Policy.Read.AuthenticationMethod"]);
    let (_, _, v) = get_path(
        &emu,
        "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2",
        &lynne,
    )
    .await;
    assert_eq!(v["state"], "disabled");
}

#[tokio::test]
async fn a_frozen_report_lags_behind_a_registration_until_thawed() {
    let emu = start().await;
    let t = token(&emu, GRADY, &["AuditLog.Read.All"]);
    let id = emu.user_id(PRADEEP).expect("p");
    let row = format!("{REPORT}/{id}");
    let r = http()
        .post(format!(
            "{}/_emulator/campaign/report/freeze",
            emu.login_url()
        ))
        .send()
        .await
        .expect("freeze");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    emu.register_passkey(PRADEEP, PasskeyKind::Synced, None, None)
        .expect("passkey");
    let (_, _, v) = get_path(&emu, &row, &t).await;
    assert_eq!(v["methodsRegistered"], json!([]), "the report lags");
    let (_, _, methods) = get_path(
        &emu,
        &format!("/users/{PRADEEP}/authentication/fido2Methods"),
        &token(&emu, ADELE, &["UserAuthenticationMethod.Read.All"]),
    )
    .await;
    assert_eq!(
        methods["value"][0]["passkeyType"], "synced",
        "the methods do not"
    );
    let r = http()
        .delete(format!(
            "{}/_emulator/campaign/report/freeze",
            emu.login_url()
        ))
        .send()
        .await
        .expect("thaw");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (_, _, v) = get_path(&emu, &row, &t).await;
    assert_eq!(v["methodsRegistered"], json!(["passKeySynced"]));
}
