//! Integration tests of what Microsoft documents about roles, casts and guests (issue 11 points
//! 1, 8, 9, 10), each with its lenient switch where the emulator has one: `wids` in the ID
//! token only through the registration's `groupMembershipClaims`; OData casts as advanced
//! queries; directory roles with limited information without a role-read permission; which
//! targets an Authentication Administrator may serve; internal and external guests.

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::model::roles;
use tapdesk_emulator::seed;

const EVENTUAL: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];

fn id_token_wids(v: &Value) -> Option<Value> {
    let claims = claims(v["id_token"].as_str().expect("id_token"));
    claims.get("wids").cloned()
}

#[tokio::test]
async fn wids_reach_the_id_token_only_through_group_membership_claims() {
    let emu = start().await;
    assert_eq!(emu.settings().group_membership_claims, "DirectoryRole");
    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    let wids = id_token_wids(&v).expect("default registration sets DirectoryRole");
    assert!(wids
        .as_array()
        .expect("array")
        .iter()
        .any(|w| w == roles::AUTHENTICATION_ADMINISTRATOR));

    emu.update_settings(|s| s.group_membership_claims = "None".into());
    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    assert_eq!(id_token_wids(&v), None, "no groupMembershipClaims: no wids");
    let access = claims(v["access_token"].as_str().expect("at"));
    assert!(access.get("wids").is_some(), "Graph's own token keeps them");

    emu.update_settings(|s| s.group_membership_claims = "SecurityGroup".into());
    assert_eq!(
        id_token_wids(&tokens_for(&emu, MEGAN, TAP_PERMS).await),
        None
    );
    emu.update_settings(|s| s.group_membership_claims = "all".into());
    assert!(id_token_wids(&tokens_for(&emu, MEGAN, TAP_PERMS).await).is_some());
    emu.shutdown().await;
}

#[tokio::test]
async fn casts_are_advanced_queries_unless_switched_off() {
    let emu = start().await;
    let token = org_token_for(&emu, ALEX, &["User.Read.All", "GroupMember.Read.All"]).await;
    let roles_path = format!("/users/{PRADEEP}/transitiveMemberOf/microsoft.graph.directoryRole");
    let members_path = format!(
        "/groups/{}/transitiveMembers/microsoft.graph.user",
        seed::GROUP_TAP_EXCLUDED
    );
    for path in [&roles_path, &members_path] {
        for (query, headers) in [
            ("", &[][..]),
            ("?$count=true", &[][..]),
            ("", EVENTUAL),
            ("?$count=false", EVENTUAL),
        ] {
            let r = graph(
                &emu,
                Method::GET,
                &format!("{path}{query}"),
                Some(&token),
                None,
                headers,
            )
            .await;
            assert_graph_error(&r, 400, "Request_UnsupportedQuery", "ConsistencyLevel");
        }
        let (s, _, v) = graph(
            &emu,
            Method::GET,
            &format!("{path}?$count=true"),
            Some(&token),
            None,
            EVENTUAL,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
    // Inside $batch the item carries the header.
    let (_, _, v) = batch(
        &emu,
        &token,
        json!([
            {"id": "bare", "method": "GET", "url": roles_path},
            {"id": "adv", "method": "GET", "url": format!("{roles_path}?$count=true"),
             "headers": {"ConsistencyLevel": "eventual"}},
        ]),
    )
    .await;
    assert_eq!(item(&v, "bare")["status"], 400);
    assert_eq!(item(&v, "adv")["status"], 200);
    // No cast: no advanced query needed.
    let (s, _, _) = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}/memberOf"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    emu.update_settings(|s| s.casts_without_advanced_query = true);
    for path in [&roles_path, &members_path] {
        let (s, _, v) = graph(&emu, Method::GET, path, Some(&token), None, &[]).await;
        assert_eq!(s, StatusCode::OK, "lenient: {v}");
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn roles_come_with_limited_information_without_a_role_read_permission() {
    let emu = start().await;
    let path =
        format!("/users/{MEGAN}/transitiveMemberOf/microsoft.graph.directoryRole?$count=true");
    let token = token_for(&emu, ALEX).await;
    let (s, _, v) = graph(&emu, Method::GET, &path, Some(&token), None, EVENTUAL).await;
    assert_eq!(s, StatusCode::OK);
    let role = &v["value"][0];
    assert_eq!(role["@odata.type"], "#microsoft.graph.directoryRole");
    assert!(role["id"].is_string());
    assert_eq!(
        (&role["displayName"], &role["roleTemplateId"]),
        (&Value::Null, &Value::Null),
        "User.Read.All alone: type and id only"
    );

    let full = org_token_for(
        &emu,
        ALEX,
        &["User.Read.All", "RoleManagement.Read.Directory"],
    )
    .await;
    let (_, _, v) = graph(&emu, Method::GET, &path, Some(&full), None, EVENTUAL).await;
    assert_eq!(
        v["value"][0]["roleTemplateId"],
        roles::PRIVILEGED_AUTHENTICATION_ADMINISTRATOR
    );
    assert_eq!(
        v["value"][0]["displayName"],
        "Privileged Authentication Administrator"
    );

    emu.update_settings(|s| s.full_role_objects_without_role_read = true);
    let (_, _, v) = graph(&emu, Method::GET, &path, Some(&token), None, EVENTUAL).await;
    assert_eq!(
        v["value"][0]["displayName"],
        "Privileged Authentication Administrator"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn an_authentication_administrator_serves_only_the_documented_lesser_roles() {
    let emu = start().await;
    let adele = token_for(&emu, ADELE).await;
    let create = |upn: &'static str| {
        let emu = &emu;
        let adele = adele.clone();
        async move {
            graph(
                emu,
                Method::POST,
                &taps_path(upn),
                Some(&adele),
                Some(json!({})),
                &[],
            )
            .await
        }
    };
    for (role, allowed) in [
        (roles::DIRECTORY_READERS, true),
        (roles::GUEST_INVITER, true),
        (roles::MESSAGE_CENTER_READER, true),
        (roles::PASSWORD_ADMINISTRATOR, true),
        (roles::REPORTS_READER, true),
        (roles::AUTHENTICATION_ADMINISTRATOR, true),
        (roles::USAGE_SUMMARY_REPORTS_READER, true),
        (roles::USER_EXPERIENCE_SUCCESS_MANAGER, true),
        (roles::HELPDESK_ADMINISTRATOR, false),
        (roles::USER_ADMINISTRATOR, false),
        (roles::SECURITY_READER, false),
        (roles::GLOBAL_READER, false),
    ] {
        emu.add_role(PRADEEP, role).expect("role");
        let r = create(PRADEEP).await;
        if allowed {
            assert_eq!(r.0, StatusCode::CREATED, "{}: {}", roles::name(role), r.2);
        } else {
            assert_graph_error(&r, 403, "Authorization_RequestDenied", "");
        }
        emu.remove_role(PRADEEP, role).expect("role");
    }
    // Two lesser roles together are still lesser; one more role is not.
    emu.add_role(PRADEEP, roles::PASSWORD_ADMINISTRATOR)
        .expect("role");
    emu.add_role(PRADEEP, roles::DIRECTORY_READERS)
        .expect("role");
    assert_eq!(create(PRADEEP).await.0, StatusCode::CREATED);
    emu.add_role(PRADEEP, roles::USER_ADMINISTRATOR)
        .expect("role");
    assert_eq!(create(PRADEEP).await.0, StatusCode::FORBIDDEN);
    emu.shutdown().await;
}

#[tokio::test]
async fn internal_guests_get_a_pass_and_external_guests_do_not() {
    let emu = start().await;
    let megan = token_for(&emu, MEGAN).await;
    let r = graph(
        &emu,
        Method::POST,
        &taps_path(GUEST),
        Some(&megan),
        Some(json!({})),
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        400,
        "badRequest",
        "Temporary Access Pass cannot be added to an external guest user.",
    );
    emu.set_user_type(DIEGO, "Guest").expect("guest");
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &taps_path(DIEGO),
        Some(&megan),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "internal guest: {v}");
    // Graph tells them apart: the invited account has an invitation state, the internal one not.
    let sel = "?$select=userType,externalUserState,creationType";
    let (_, _, g) = graph(
        &emu,
        Method::GET,
        &format!("/users/{}{sel}", GUEST.replace('#', "%23")),
        Some(&megan),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (g["userType"].as_str(), g["externalUserState"].as_str()),
        (Some("Guest"), Some("Accepted"))
    );
    assert_eq!(g["creationType"], "Invitation");
    let (_, _, d) = graph(
        &emu,
        Method::GET,
        &format!("/users/{DIEGO}{sel}"),
        Some(&megan),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (d["userType"].as_str(), &d["externalUserState"]),
        (Some("Guest"), &Value::Null)
    );
    emu.shutdown().await;
}
