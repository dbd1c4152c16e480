//! Issue 16 point 4: administrative units, unit-scoped and PIM-eligible roles, and what they
//! allow on pass writes, as Microsoft Learn documents them ("Assign Microsoft Entra roles":
//! unit-scoped roles reach non-admin members only; "Restricted management administrative
//! units": only administrators scoped to the unit change its members) with the switches where
//! the sources leave a choice.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::roles;
use tapdesk_emulator::{seed, Emulator};

const LIDIA: &str = seed::SCOPED_ADMIN_UPN;
const MATEO: &str = seed::SITE_MANAGER_UPN;
const ZOE: &str = "zoe.muller@contoso.onmicrosoft.com";
const HENRIETTA: &str = "henrietta.mueller@contoso.onmicrosoft.com";
const MIRIAM: &str = "miriam.graham@contoso.onmicrosoft.com";
const EVENTUAL: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];

/// A Graph token for `upn` holding every tenant-consented permission after `extra` is
/// consented tenant-wide too.
fn token(emu: &Emulator, upn: &str, extra: &[&str]) -> String {
    for p in extra {
        emu.grant_tenant_consent(p);
    }
    emu.issue_access_token(upn, &["User.Read.All"])
        .expect("token")
}

async fn create(
    emu: &Emulator,
    token: &str,
    upn: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    graph(
        emu,
        Method::POST,
        &taps_path(upn),
        Some(token),
        Some(json!({})),
        &[],
    )
    .await
}

#[tokio::test]
async fn a_scoped_authentication_administrator_issues_passes_to_non_admin_members_of_their_units() {
    let emu = start().await;
    let t = token(&emu, LIDIA, &[]);
    let (s, _, v) = create(&emu, &t, ZOE).await;
    assert_eq!(s, StatusCode::CREATED, "Berlin office member: {v}");
    assert!(v["temporaryAccessPass"].is_string());
    let (s, _, v) = create(&emu, &t, HENRIETTA).await;
    assert_eq!(s, StatusCode::CREATED, "Munich office member: {v}");
    // Reading methods of a unit member works too (without a tenant-wide reader role).
    let (s, _, v) = get(&emu, &format!("/users/{ZOE}/authentication/methods"), &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    emu.shutdown().await;
}

#[tokio::test]
async fn out_of_scope_targets_and_admin_members_are_refused_with_authorization_request_denied() {
    let emu = start().await;
    let t = token(&emu, LIDIA, &[]);
    // Pradeep is in none of Lidia's units.
    let got = create(&emu, &t, PRADEEP).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    // Isaiah is in Munich office but holds User Administrator: out of reach of a unit scope.
    let got = create(&emu, &t, ISAIAH).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    // Deleting an out-of-scope pass and reading out-of-scope methods are refused alike.
    let pass = emu
        .seed_pass(PRADEEP, emu.now(), 60, false)
        .expect("seeded");
    let got = graph(
        &emu,
        Method::DELETE,
        &format!("{}/{}", taps_path(PRADEEP), pass.id),
        Some(&t),
        None,
        &[],
    )
    .await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let got = get(
        &emu,
        &format!("/users/{PRADEEP}/authentication/methods"),
        &t,
    )
    .await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    assert_eq!(emu.passes(PRADEEP).len(), 1, "nothing deleted");
    emu.shutdown().await;
}

#[tokio::test]
async fn restricted_unit_members_are_refused_even_to_a_global_administrator_unless_scoped_there() {
    let emu = start().await;
    let alex = token(&emu, ALEX, &[]);
    let got = create(&emu, &alex, MIRIAM).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "member of a restricted management administrative unit",
    );
    // Lidia's Munich office holds Miriam too, but Munich is not the restricted unit.
    let lidia = token(&emu, LIDIA, &[]);
    let got = create(&emu, &lidia, MIRIAM).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "restricted management administrative unit",
    );
    // An administrator scoped to the restricted unit may.
    emu.add_scoped_role(
        DIEGO,
        roles::AUTHENTICATION_ADMINISTRATOR,
        seed::AU_EXECUTIVE,
        false,
    )
    .expect("grant");
    let diego = token(&emu, DIEGO, &[]);
    let (s, _, v) = create(&emu, &diego, MIRIAM).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The switch: Graph's generic message instead of the admin center's sentence.
    emu.update_settings(|s| s.restricted_unit_generic_message = true);
    let got = create(&emu, &alex, MIRIAM).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_eligible_role_grants_nothing_until_activated() {
    let emu = start().await;
    emu.seed_frontline_site();
    let shop = seed::frontline_upn(1);
    let lidia = token(&emu, LIDIA, &[]);
    let got = create(&emu, &lidia, &shop).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let mateo = token(&emu, MATEO, &[]);
    let (s, _, v) = create(&emu, &mateo, &shop).await;
    assert_eq!(
        s,
        StatusCode::CREATED,
        "the site manager's active role: {v}"
    );
    // The same grant, activated (made active), lets Lidia through.
    emu.remove_scoped_role(
        LIDIA,
        roles::AUTHENTICATION_ADMINISTRATOR,
        seed::AU_MILAN_STORE,
    );
    emu.add_scoped_role(
        LIDIA,
        roles::AUTHENTICATION_ADMINISTRATOR,
        seed::AU_MILAN_STORE,
        false,
    )
    .expect("activate");
    let (s, _, v) = create(&emu, &lidia, &seed::frontline_upn(2)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    emu.shutdown().await;
}

#[tokio::test]
async fn schedule_instances_and_role_assignments_need_their_permissions() {
    let emu = start().await;
    let active = "/roleManagement/directory/roleAssignmentScheduleInstances/filterByCurrentUser(on='principal')";
    let eligible = "/roleManagement/directory/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')";
    let bare = token(&emu, LIDIA, &[]);
    for path in [
        active,
        eligible,
        "/roleManagement/directory/roleAssignments",
    ] {
        let got = get(&emu, path, &bare).await;
        assert_graph_error(
            &got,
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges",
        );
    }
    let t = token(&emu, LIDIA, &["RoleAssignmentSchedule.Read.Directory"]);
    let (s, _, v) = get(&emu, active, &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let scopes: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|i| i["directoryScopeId"].as_str().expect("scope"))
        .collect();
    assert_eq!(
        scopes,
        [
            format!("/administrativeUnits/{}", seed::AU_BERLIN),
            format!("/administrativeUnits/{}", seed::AU_MUNICH)
        ]
    );
    assert_eq!(v["value"][0]["assignmentType"], "Assigned");
    assert_eq!(
        v["value"][0]["roleDefinitionId"],
        roles::AUTHENTICATION_ADMINISTRATOR
    );
    // The eligibility list needs its own permission.
    let got = get(&emu, eligible, &t).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let t = token(&emu, LIDIA, &["RoleEligibilitySchedule.Read.Directory"]);
    let (s, _, v) = get(&emu, eligible, &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"].as_array().expect("value").len(), 1);
    assert_eq!(
        v["value"][0]["directoryScopeId"],
        format!("/administrativeUnits/{}", seed::AU_MILAN_STORE)
    );
    assert_eq!(
        v["value"][0]["@odata.type"],
        "#microsoft.graph.unifiedRoleEligibilityScheduleInstance"
    );
    // A tenant-wide admin's active list names the tenant scope.
    let adele = token(&emu, ADELE, &[]);
    let (_, _, v) = get(&emu, active, &adele).await;
    assert_eq!(v["value"][0]["directoryScopeId"], "/");
    // Role assignments (RoleManagement.Read.Directory) filtered by principal.
    let t = token(&emu, LIDIA, &["RoleManagement.Read.Directory"]);
    let lidia_id = emu.user_id(LIDIA).expect("id");
    let (s, _, v) = get(
        &emu,
        &format!("/roleManagement/directory/roleAssignments?$filter=principalId eq '{lidia_id}'"),
        &t,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["value"].as_array().expect("value").len(),
        2,
        "active only: {v}"
    );
    let got = get(
        &emu,
        "/roleManagement/directory/roleAssignments?$filter=startswith(principalId,'x')",
        &t,
    )
    .await;
    assert_graph_error(
        &got,
        400,
        "Request_UnsupportedQuery",
        "Unsupported filter clause",
    );
    // Without P2 (switch): the schedule endpoints answer AadPremiumLicenseRequired.
    emu.update_settings(|s| s.pim_license_missing = true);
    let got = get(&emu, active, &t).await;
    assert_graph_error(
        &got,
        400,
        "AadPremiumLicenseRequired",
        "Microsoft Entra ID P2",
    );
    let t = token(&emu, LIDIA, &["Directory.Read.All"]);
    let (s, _, _) = get(&emu, "/me/scopedRoleMemberOf", &t).await;
    assert_eq!(s, StatusCode::OK, "the fallback still answers");
    emu.shutdown().await;
}

#[tokio::test]
async fn scoped_role_memberships_list_the_active_unit_scoped_roles() {
    let emu = start().await;
    let bare = token(&emu, LIDIA, &[]);
    let got = get(&emu, "/me/scopedRoleMemberOf", &bare).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let t = token(&emu, LIDIA, &["Directory.Read.All"]);
    let (s, _, v) = get(&emu, "/me/scopedRoleMemberOf", &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let units: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|m| m["administrativeUnitId"].as_str().expect("unit"))
        .collect();
    assert_eq!(
        units,
        [seed::AU_BERLIN, seed::AU_MUNICH],
        "eligible ones not listed"
    );
    assert_eq!(v["value"][0]["roleMemberInfo"]["userPrincipalName"], LIDIA);
    // Another user's, with the same permission (Adele's token holds it now too).
    let (s, _, v) = get(
        &emu,
        &format!("/users/{LIDIA}/scopedRoleMemberOf"),
        &token(&emu, ADELE, &[]),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"].as_array().expect("value").len(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn units_and_their_members_are_read_with_the_unit_permission() {
    let emu = start().await;
    let bare = token(&emu, LIDIA, &[]);
    let got = get(&emu, "/directory/administrativeUnits", &bare).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let t = token(&emu, LIDIA, &["AdministrativeUnit.Read.All"]);
    let (s, _, v) = get(&emu, "/directory/administrativeUnits", &t).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let exec = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .find(|u| u["id"] == seed::AU_EXECUTIVE)
        .expect("executive unit");
    assert_eq!(exec["isMemberManagementRestricted"], true);
    let (_, _, berlin) = get(
        &emu,
        &format!("/directory/administrativeUnits/{}", seed::AU_BERLIN),
        &t,
    )
    .await;
    assert_eq!(berlin["membershipType"], "Dynamic");
    assert_eq!(berlin["isMemberManagementRestricted"], false);
    // Members, cast to users: an advanced query, paged.
    let path = format!(
        "/directory/administrativeUnits/{}/members/microsoft.graph.user?$count=true&$top=20&$select=id,displayName",
        seed::AU_BERLIN
    );
    let got = get(&emu, &path, &t).await;
    assert_graph_error(&got, 400, "Request_UnsupportedQuery", "ConsistencyLevel");
    let (s, _, v) = graph(&emu, Method::GET, &path, Some(&t), None, EVENTUAL).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["value"].as_array().expect("value").len(), 20);
    assert_eq!(v["@odata.count"], 1 + seed::NEW_HIRE_COUNT / 5);
    let next = v["@odata.nextLink"]
        .as_str()
        .expect("next link")
        .to_string();
    let (s, _, v) = graph(&emu, Method::GET, &next, Some(&t), None, EVENTUAL).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    // `$search` on the display name, an advanced query like on users.
    let search = format!(
        "/directory/administrativeUnits/{}/members/microsoft.graph.user?$count=true&$search=%22displayName:zo%22",
        seed::AU_BERLIN
    );
    let got = get(&emu, &search, &t).await;
    assert_graph_error(&got, 400, "Request_UnsupportedQuery", "ConsistencyLevel");
    let (s, _, v) = graph(&emu, Method::GET, &search, Some(&t), None, EVENTUAL).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|u| u["displayName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Zoë Müller"], "only Berlin members match");
    // A user's units (memberOf cast), with the restricted flag for a check before any write.
    let (s, _, v) = graph(
        &emu,
        Method::GET,
        &format!("/users/{MIRIAM}/memberOf/microsoft.graph.administrativeUnit?$count=true"),
        Some(&t),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|u| u["displayName"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Executive office", "Munich office"]);
    assert_eq!(v["value"][0]["isMemberManagementRestricted"], true);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_scoped_privileged_authentication_administrator_reaches_admins_only_with_the_switch() {
    let emu = start().await;
    emu.add_scoped_role(
        DIEGO,
        roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR,
        seed::AU_MUNICH,
        false,
    )
    .expect("grant");
    let t = token(&emu, DIEGO, &[]);
    let got = create(&emu, &t, ISAIAH).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let (s, _, _) = create(&emu, &t, HENRIETTA).await;
    assert_eq!(s, StatusCode::CREATED);
    emu.update_settings(|s| s.scoped_privileged_auth_admin_serves_admins = true);
    let (s, _, v) = create(&emu, &t, ISAIAH).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_control_api_adds_the_frontline_site_scoped_roles_and_reads_badges() {
    let emu = start().await;
    let c = http();
    let base = format!("{}/_emulator", emu.login_url());
    let r = c
        .post(format!("{base}/frontline-site"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(emu.user_id(&seed::frontline_upn(300)).is_some());
    emu.reset();
    assert!(
        emu.user_id(&seed::frontline_upn(1)).is_some(),
        "the site stays across reset"
    );
    let url = format!(
        "{base}/users/{DIEGO}/scoped-roles/{}/{}?eligible=true",
        roles::AUTHENTICATION_ADMINISTRATOR,
        seed::AU_MILAN_STORE
    );
    let r = c.put(&url).send().await.expect("put");
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = token(&emu, DIEGO, &[]);
    let got = create(&emu, &t, &seed::frontline_upn(3)).await;
    assert_graph_error(
        &got,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    let r = c.delete(&url).send().await.expect("delete");
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["removed"], 1);
    let r = c
        .put(url.replace("?eligible=true", ""))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::CREATED);
    let (s, _, v) = create(&emu, &t, &seed::frontline_upn(3)).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let r = c
        .put(format!(
            "{base}/users/nobody@contoso.onmicrosoft.com/scoped-roles/{}/{}",
            roles::AUTHENTICATION_ADMINISTRATOR,
            seed::AU_BERLIN
        ))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(format!("{base}/users/{PRADEEP}/qr"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .get(format!("{base}/qr-policy"))
        .send()
        .await
        .expect("get");
    let mut p: Value = r.json().await.expect("json");
    assert_eq!(p["pinLength"], 8);
    p["pinLength"] = json!(12);
    let r = c
        .put(format!("{base}/qr-policy"))
        .json(&p)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(emu.qr_policy().pin_length, 12);
    emu.shutdown().await;
}
