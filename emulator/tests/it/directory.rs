//! Integration tests of roles and groups in Graph: `memberOf` / `transitiveMemberOf` (directory
//! roles and nested groups), `checkMemberGroups`, `/groups` and paged group members.

use std::collections::BTreeSet;

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::roles;
use tapdesk_emulator::seed;

const ZOE: &str = "zoe.muller@contoso.onmicrosoft.com";
const EVENTUAL: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];
const GROUP_PERMS: &[&str] = &["User.Read.All", "GroupMember.Read.All"];

fn names(v: &Value) -> Vec<String> {
    v["value"]
        .as_array()
        .expect("value")
        .iter()
        .map(|o| o["displayName"].as_str().expect("name").to_string())
        .collect()
}

#[tokio::test]
async fn directory_roles_of_me_and_of_others() {
    let emu = start().await;
    // Full role objects here; the documented limited default has its own test below.
    emu.update_settings(|s| s.full_role_objects_without_role_read = true);
    let token = token_for(&emu, ADELE).await;
    let (s, _, v) = graph(
        &emu,
        Method::GET,
        "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true",
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let role = &v["value"][0];
    assert_eq!(v["value"].as_array().map(Vec::len), Some(1));
    assert_eq!(role["@odata.type"], "#microsoft.graph.directoryRole");
    assert_eq!(role["roleTemplateId"], roles::AUTHENTICATION_ADMINISTRATOR);
    assert_eq!(role["displayName"], "Authentication Administrator");
    assert!(uuid::Uuid::parse_str(role["id"].as_str().expect("id")).is_ok());
    assert_ne!(
        role["id"], role["roleTemplateId"],
        "the role object is not the template"
    );
    assert!(v["@odata.context"]
        .as_str()
        .expect("ctx")
        .ends_with("#directoryRoles"));
    for rel in ["transitiveMemberOf", "memberOf"] {
        let path = format!("/users/{MEGAN}/{rel}/microsoft.graph.directoryRole?$count=true");
        let (s, _, v) = graph(&emu, Method::GET, &path, Some(&token), None, EVENTUAL).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            v["value"][0]["roleTemplateId"],
            roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
        );
    }
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}/memberOf/microsoft.graph.directoryRole?$count=true"),
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(
        v["value"],
        json!([]),
        "no role, and the default user role is not listed"
    );
    let r = graph(
        &emu,
        Method::GET,
        "/users/nobody@contoso.onmicrosoft.com/memberOf/microsoft.graph.directoryRole?$count=true",
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_graph_error(&r, 404, "Request_ResourceNotFound", "");
    let r = graph(
        &emu,
        Method::GET,
        "/me/memberOf/microsoft.graph.device",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);

    // Any signed-in user may read their own roles; others' need a directory permission.
    let emu2 = start_with(false).await;
    let diego = tokens_for(&emu2, DIEGO, &["Mail.Send"]).await["access_token"]
        .as_str()
        .expect("at")
        .to_string();
    let (s, _, v) = graph(
        &emu2,
        Method::GET,
        "/me/transitiveMemberOf/microsoft.graph.directoryRole?$count=true",
        Some(&diego),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!((s, v["value"].clone()), (StatusCode::OK, json!([])));
    let r = graph(
        &emu2,
        Method::GET,
        &format!("/users/{ADELE}/transitiveMemberOf/microsoft.graph.directoryRole?$count=true"),
        Some(&diego),
        None,
        EVENTUAL,
    )
    .await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu2.shutdown().await;
    emu.shutdown().await;
}

#[tokio::test]
async fn group_memberships_follow_nesting() {
    let emu = start().await;
    // checkMemberGroups needs a group permission besides User.Read.All (Learn).
    // An admin grants it for the organisation (it needs admin consent).
    let _ = org_token_for(&emu, ALEX, &["GroupMember.Read.All"]).await;
    let token = tokens_for(
        &emu,
        ADELE,
        &[TAP_PERMS, &["GroupMember.Read.All"]].concat(),
    )
    .await["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let (_, _, direct) = graph(
        &emu,
        Method::GET,
        &format!("/users/{ZOE}/memberOf"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(names(&direct), ["All Staff", "New Hires – Berlin"]);
    assert_eq!(direct["value"][0]["@odata.type"], "#microsoft.graph.group");
    let (_, _, all) = graph(
        &emu,
        Method::GET,
        &format!("/users/{ZOE}/transitiveMemberOf/microsoft.graph.group?$count=true"),
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(
        names(&all),
        ["All Staff", "New Hires", "New Hires – Berlin"]
    );
    // Adele: a group and a role, groups first.
    let (_, _, mixed) = graph(
        &emu,
        Method::GET,
        "/me/transitiveMemberOf",
        Some(&token),
        None,
        &[],
    )
    .await;
    let mixed = mixed["value"].as_array().expect("value");
    let group_names: Vec<&str> = mixed[..2]
        .iter()
        .map(|o| o["displayName"].as_str().expect("group name"))
        .collect();
    assert_eq!(group_names, ["All Staff", "Helpdesk"]);
    assert_eq!(mixed.len(), 3);
    // Without a role-read permission the role has type and id only (Learn: limited information).
    assert_eq!(mixed[2]["@odata.type"], "#microsoft.graph.directoryRole");
    assert_eq!(mixed[2]["displayName"], Value::Null);

    let check = |upn: &str| format!("/users/{upn}/checkMemberGroups");
    let asked = json!({"groupIds": [seed::GROUP_NEW_HIRES, seed::GROUP_HELPDESK, seed::GROUP_NEW_HIRES_BERLIN, "11111111-1111-4111-8111-111111111111", seed::GROUP_ALL_STAFF]});
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &check(ZOE),
        Some(&token),
        Some(asked.clone()),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["value"],
        json!([
            seed::GROUP_NEW_HIRES,
            seed::GROUP_NEW_HIRES_BERLIN,
            seed::GROUP_ALL_STAFF
        ])
    );
    // A generated Berlin hire is in All Staff only through two levels of nesting.
    let berlin_hire = seed::new_hire_upn(5);
    let (_, _, v) = graph(
        &emu,
        Method::POST,
        &check(&berlin_hire),
        Some(&token),
        Some(asked.clone()),
        &[],
    )
    .await;
    assert_eq!(
        v["value"],
        json!([
            seed::GROUP_NEW_HIRES,
            seed::GROUP_NEW_HIRES_BERLIN,
            seed::GROUP_ALL_STAFF
        ])
    );
    let (_, _, v) = graph(
        &emu,
        Method::POST,
        &check(NESTOR),
        Some(&token),
        Some(json!({"groupIds": [seed::GROUP_TAP_EXCLUDED, seed::GROUP_NEW_HIRES]})),
        &[],
    )
    .await;
    assert_eq!(v["value"], json!([seed::GROUP_TAP_EXCLUDED]));
    let (_, _, v) = graph(
        &emu,
        Method::POST,
        "/me/checkMemberGroups",
        Some(&token),
        Some(json!({"groupIds": [seed::GROUP_HELPDESK]})),
        &[],
    )
    .await;
    assert_eq!(v["value"], json!([seed::GROUP_HELPDESK]));
    let many: Vec<String> = (0..21)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let r = graph(
        &emu,
        Method::POST,
        &check(ZOE),
        Some(&token),
        Some(json!({"groupIds": many})),
        &[],
    )
    .await;
    assert_graph_error(&r, 400, "Request_BadRequest", "exceeds the limit of 20");
    let r = graph(
        &emu,
        Method::POST,
        &check(ZOE),
        Some(&token),
        Some(json!({"ids": []})),
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);
    let r = graph(&emu, Method::GET, &check(ZOE), Some(&token), None, &[]).await;
    assert_eq!(r.0, StatusCode::METHOD_NOT_ALLOWED);
    emu.shutdown().await;
}

#[tokio::test]
async fn groups_list_search_filter_and_get() {
    let emu = start().await;
    // Before anyone consents to a group permission, reading groups is refused.
    let adele = token_for(&emu, ADELE).await;
    let r = graph(&emu, Method::GET, "/groups", Some(&adele), None, &[]).await;
    assert_graph_error(&r, 403, "Authorization_RequestDenied", "");
    let token = org_token_for(&emu, ALEX, GROUP_PERMS).await;
    let (s, _, v) = graph(&emu, Method::GET, "/groups", Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        names(&v),
        [
            "All Staff",
            "Helpdesk",
            "New Hires",
            "New Hires – Berlin",
            "Onboarding Buddies",
            "TAP Excluded"
        ]
    );
    assert_eq!(v["value"][0]["securityEnabled"], true);
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        "/groups?$filter=startswith(displayName,'new')&$select=id,displayName",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(names(&v), ["New Hires", "New Hires – Berlin"]);
    let keys: Vec<&String> = v["value"][0].as_object().expect("obj").keys().collect();
    assert_eq!(keys, ["id", "displayName"]);
    let q = "/groups?$search=%22displayName:berlin%22";
    let r = graph(&emu, Method::GET, q, Some(&token), None, &[]).await;
    assert_graph_error(&r, 400, "Request_UnsupportedQuery", "ConsistencyLevel");
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        &format!("{q}&$count=true"),
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(
        (names(&v), v["@odata.count"].clone()),
        (vec!["New Hires – Berlin".to_string()], json!(1))
    );
    let (_, _, v) = graph(&emu, Method::GET, "/groups?$top=2", Some(&token), None, &[]).await;
    let next = v["@odata.nextLink"].as_str().expect("next").to_string();
    let (_, _, v2) = graph(&emu, Method::GET, &next, Some(&token), None, &[]).await;
    assert_eq!(names(&v2), ["New Hires", "New Hires – Berlin"]);
    let (s, _, g) = graph(
        &emu,
        Method::GET,
        &format!("/groups/{}", seed::GROUP_HELPDESK),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (s, g["displayName"].as_str()),
        (StatusCode::OK, Some("Helpdesk"))
    );
    let r = graph(
        &emu,
        Method::GET,
        "/groups/11111111-1111-4111-8111-111111111111",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_graph_error(&r, 404, "Request_ResourceNotFound", "");
    emu.shutdown().await;
}

#[tokio::test]
async fn group_members_page_through_nested_groups() {
    let emu = start().await;
    let token = org_token_for(&emu, ALEX, GROUP_PERMS).await;
    let mut url = format!(
        "{}/v1.0/groups/{}/transitiveMembers/microsoft.graph.user?$top=100&$select=id,userPrincipalName&$count=true",
        emu.graph_url(),
        seed::GROUP_NEW_HIRES
    );
    let (mut seen, mut pages) = (vec![], 0);
    loop {
        // Every page, next links included, carries the advanced-query parameters.
        let (s, _, v) = graph(&emu, Method::GET, &url, Some(&token), None, EVENTUAL).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        pages += 1;
        for u in v["value"].as_array().expect("value") {
            let keys: Vec<&String> = u.as_object().expect("obj").keys().collect();
            assert_eq!(keys, ["id", "userPrincipalName"]);
            seen.push(u["userPrincipalName"].as_str().expect("upn").to_string());
        }
        match v["@odata.nextLink"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
        assert!(pages < 10);
    }
    // 3 named direct members, Zoë through Berlin, and every generated hire.
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 3 + 1 + seed::NEW_HIRE_COUNT);
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>().len(),
        seen.len(),
        "no one twice"
    );
    assert!(seen.iter().any(|u| u == ZOE) && seen.iter().any(|u| u == PRADEEP));

    // Direct members: users plus the nested group as a group object.
    let path = format!("/groups/{}/members?$top=999", seed::GROUP_NEW_HIRES);
    let (_, _, v) = graph(&emu, Method::GET, &path, Some(&token), None, &[]).await;
    let value = v["value"].as_array().expect("value");
    let groups: Vec<&Value> = value
        .iter()
        .filter(|o| o["@odata.type"] == "#microsoft.graph.group")
        .collect();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0]["id"], seed::GROUP_NEW_HIRES_BERLIN);
    assert!(
        !value.iter().any(|o| o["userPrincipalName"] == ZOE),
        "Zoë is only a nested member"
    );
    assert_eq!(value.len(), 3 + seed::NEW_HIRE_COUNT * 4 / 5 + 1);
    let r = graph(
        &emu,
        Method::GET,
        &format!("/groups/{}/members?$top=1000", seed::GROUP_NEW_HIRES),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_graph_error(&r, 400, "Request_BadRequest", "Invalid page size");
    emu.shutdown().await;
}
