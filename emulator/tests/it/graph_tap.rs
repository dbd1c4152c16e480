//! Integration tests of the Temporary Access Pass endpoints, the methods list and the TAP
//! policy resource: shapes, permissions, roles, policy enforcement and usability over time.

use std::time::Duration;

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tapdesk_emulator::{seed, Event, ExcludeTarget, PolicyState};

fn taps(upn: &str) -> String {
    format!(
        "/users/{}/authentication/temporaryAccessPassMethods",
        upn.replace('#', "%23")
    )
}

#[tokio::test]
async fn create_returns_the_pass_once_and_list_hides_it() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let (s, h, v) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(h.contains_key("request-id"));
    let pass = v["temporaryAccessPass"].as_str().expect("pass");
    assert_eq!(pass.chars().count(), 8, "policy defaultLength");
    assert!(uuid::Uuid::parse_str(v["id"].as_str().expect("id")).is_ok());
    let created = v["createdDateTime"].as_str().expect("created");
    assert_eq!(
        created.len(),
        "2021-04-01T17:02:01.1234567Z".len(),
        "{created}"
    );
    let start = v["startDateTime"].as_str().expect("start");
    assert!(start.ends_with('Z') && !start.contains('.'), "{start}");
    assert_eq!(v["lifetimeInMinutes"], 60);
    assert_eq!(v["isUsableOnce"], false);
    assert_eq!(v["isUsable"], true);
    assert_eq!(v["methodUsabilityReason"], "EnabledByPolicy");
    assert!(v["@odata.context"]
        .as_str()
        .expect("ctx")
        .contains("/authentication/temporaryAccessPassMethods/$entity"));
    let stored = emu.passes(PRADEEP);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].temporary_access_pass, pass);

    let (s, _, list) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    let items = list["value"].as_array().expect("value");
    assert_eq!(items.len(), 1);
    assert!(items[0]["temporaryAccessPass"].is_null());
    assert_eq!(items[0]["id"], v["id"]);
    assert_eq!(items[0]["createdDateTime"], v["createdDateTime"]);
    let one = format!("{}/{}", taps(PRADEEP), v["id"].as_str().expect("id"));
    let (s, _, got) = graph(&emu, Method::GET, &one, Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(got["temporaryAccessPass"].is_null());

    // By object id works as well as by UPN, and on beta.
    let by_id = format!(
        "{}/beta/users/{}/authentication/temporaryAccessPassMethods",
        emu.graph_url(),
        emu.user_id(PRADEEP).expect("id")
    );
    let (s, _, l) = graph(&emu, Method::GET, &by_id, Some(&token), None, &[]).await;
    assert_eq!(
        (s, l["value"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_second_create_replaces_the_first() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let (_, _, first) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({"lifetimeInMinutes": 120})),
        &[],
    )
    .await;
    let (s, _, second) = graph(&emu, Method::POST, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(first["id"], second["id"]);
    let stored = emu.passes(PRADEEP);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, second["id"].as_str().expect("id"));
    let pid = emu.user_id(PRADEEP).expect("id");
    let events: Vec<Event> = emu
        .events()
        .into_iter()
        .filter(|e| {
            !matches!(
                e,
                Event::SignedIn { .. }
                    | Event::TokenIssued { .. }
                    | Event::AuthorizeRequested { .. }
                    | Event::TokenRequested { .. }
            )
        })
        .collect();
    assert!(
        matches!(&events[0], Event::PassCreated { user_id, method_id, .. } if *user_id == pid && method_id == first["id"].as_str().expect("id"))
    );
    assert!(
        matches!(&events[1], Event::PassReplaced { old_method_id, new_method_id, .. }
        if old_method_id == first["id"].as_str().expect("id") && new_method_id == second["id"].as_str().expect("id"))
    );
    assert!(
        matches!(&events[2], Event::PassCreated { method_id, .. } if method_id == second["id"].as_str().expect("id"))
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn policy_rules_are_enforced_with_graph_messages() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let post = |upn: &'static str, body: Value| {
        let (emu, token) = (&emu, token.clone());
        async move { graph(emu, Method::POST, &taps(upn), Some(&token), Some(body), &[]).await }
    };
    let r = post(PRADEEP, json!({"lifetimeInMinutes": 30})).await;
    assert_graph_error(
        &r,
        400,
        "badRequest",
        "Invalid LifetimeInMinutes specified. The valid range between 60 and 480.",
    );
    let mut p = emu.policy();
    p.minimum_lifetime_in_minutes = 10;
    p.maximum_lifetime_in_minutes = 90;
    emu.set_policy(p);
    let r = post(PRADEEP, json!({"lifetimeInMinutes": 120})).await;
    assert_graph_error(&r, 400, "badRequest", "The valid range between 10 and 90.");
    emu.reset();
    let token = token_for(&emu, ADELE).await;
    let post = |upn: &'static str, body: Value| {
        let (emu, token) = (&emu, token.clone());
        async move { graph(emu, Method::POST, &taps(upn), Some(&token), Some(body), &[]).await }
    };

    let r = post(GUEST, json!({})).await;
    assert_graph_error(
        &r,
        400,
        "badRequest",
        "Temporary Access Pass cannot be added to an external guest user.",
    );

    let converged = "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].";
    assert_eq!(
        post(NESTOR, json!({})).await.0,
        StatusCode::CREATED,
        "not excluded by default"
    );
    let mut p = emu.policy();
    p.exclude_targets.push(ExcludeTarget {
        target_type: "group".into(),
        id: seed::GROUP_TAP_EXCLUDED.into(),
    });
    emu.set_policy(p.clone());
    assert_graph_error(&post(NESTOR, json!({})).await, 400, "badRequest", converged);
    assert_eq!(post(PRADEEP, json!({})).await.0, StatusCode::CREATED);
    // Include only New Hires: Pradeep is in it, Johanna is not.
    p.include_targets[0].id = seed::GROUP_NEW_HIRES.into();
    emu.set_policy(p.clone());
    assert_eq!(post(PRADEEP, json!({})).await.0, StatusCode::CREATED);
    assert_graph_error(
        &post(JOHANNA, json!({})).await,
        400,
        "badRequest",
        converged,
    );
    p.state = PolicyState::Disabled;
    emu.set_policy(p);
    assert_graph_error(
        &post(PRADEEP, json!({})).await,
        400,
        "badRequest",
        converged,
    );
    // Existing passes become unusable while the policy is off.
    let (_, _, l) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(l["value"][0]["methodUsabilityReason"], "DisabledByPolicy");
    assert_eq!(l["value"][0]["isUsable"], false);
    emu.shutdown().await;
}

#[tokio::test]
async fn one_time_policy_and_defaults() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let mut p = emu.policy();
    p.is_usable_once = true;
    p.default_length = 12;
    p.default_lifetime_in_minutes = 90;
    emu.set_policy(p);
    let r = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({"isUsableOnce": false})),
        &[],
    )
    .await;
    assert_graph_error(&r, 400, "badRequest", "isUsableOnce cannot be false");
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["isUsableOnce"], true);
    assert_eq!(v["lifetimeInMinutes"], 90);
    assert_eq!(
        v["temporaryAccessPass"]
            .as_str()
            .expect("pass")
            .chars()
            .count(),
        12
    );
    assert!(emu.mark_pass_used(PRADEEP));
    let (_, _, l) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(l["value"][0]["methodUsabilityReason"], "OneTimeUsed");

    emu.force_leading_plus(true);
    let (_, _, v) = graph(&emu, Method::POST, &taps(JOHANNA), Some(&token), None, &[]).await;
    assert!(v["temporaryAccessPass"]
        .as_str()
        .expect("pass")
        .starts_with('+'));
    let r = graph(
        &emu,
        Method::POST,
        &taps(JOHANNA),
        Some(&token),
        Some(json!({"startDateTime": "soon"})),
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn usability_follows_the_emulator_clock() {
    let emu = start().await;
    emu.set_token_lifetime(Duration::from_secs(24 * 3600));
    let token = token_for(&emu, ADELE).await;
    let start = emu.now() + time::Duration::minutes(60);
    let start = start
        .format(&time::format_description::well_known::Rfc3339)
        .expect("fmt");
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({"startDateTime": start, "lifetimeInMinutes": 60})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["methodUsabilityReason"], "NotYetValid");
    assert_eq!(v["isUsable"], false);
    let reason = || {
        let (emu, token) = (&emu, token.clone());
        async move {
            graph(emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[])
                .await
                .2["value"][0]["methodUsabilityReason"]
                .clone()
        }
    };
    assert_eq!(reason().await, "NotYetValid");
    emu.advance_clock(Duration::from_secs(61 * 60));
    assert_eq!(reason().await, "EnabledByPolicy");
    emu.advance_clock(Duration::from_secs(60 * 60));
    assert_eq!(reason().await, "Expired");
    emu.shutdown().await;
}

#[tokio::test]
async fn roles_decide_who_may_issue_for_whom() {
    let emu = start().await;
    let adele = token_for(&emu, ADELE).await;
    let megan = token_for(&emu, MEGAN).await;
    let grady = token_for(&emu, GRADY).await;
    let lynne = token_for(&emu, LYNNE).await;
    let diego = token_for(&emu, DIEGO).await;
    let insufficient = "Insufficient privileges to complete the operation.";

    // Authentication Administrator: not for admins (User Administrator, Helpdesk Administrator).
    let r = graph(&emu, Method::POST, &taps(ISAIAH), Some(&adele), None, &[]).await;
    assert_graph_error(&r, 403, "Authorization_RequestDenied", insufficient);
    let r = graph(
        &emu,
        Method::POST,
        &taps("patti.fernandez@contoso.onmicrosoft.com"),
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    // Privileged Authentication Administrator: admins too.
    assert_eq!(
        graph(&emu, Method::POST, &taps(ISAIAH), Some(&megan), None, &[])
            .await
            .0,
        StatusCode::CREATED
    );
    assert_eq!(
        graph(&emu, Method::POST, &taps(ADELE), Some(&megan), None, &[])
            .await
            .0,
        StatusCode::CREATED
    );
    // Nobody for themselves, on /users/{self} or /me.
    let r = graph(&emu, Method::POST, &taps(MEGAN), Some(&megan), None, &[]).await;
    assert_graph_error(
        &r,
        403,
        "accessDenied",
        "cannot create a Temporary Access Pass for yourself",
    );
    let r = graph(
        &emu,
        Method::POST,
        "/me/authentication/temporaryAccessPassMethods",
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    // Global Reader reads (without the secret) but never issues.
    let (s, _, l) = graph(&emu, Method::GET, &taps(ISAIAH), Some(&grady), None, &[]).await;
    assert_eq!(s, StatusCode::OK);
    assert!(l["value"][0]["temporaryAccessPass"].is_null());
    let r = graph(&emu, Method::POST, &taps(PRADEEP), Some(&grady), None, &[]).await;
    assert_graph_error(&r, 403, "Authorization_RequestDenied", insufficient);
    // Authentication Policy Administrator and users without a role cannot issue.
    assert_eq!(
        graph(&emu, Method::POST, &taps(PRADEEP), Some(&lynne), None, &[])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        graph(&emu, Method::POST, &taps(PRADEEP), Some(&diego), None, &[])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        graph(&emu, Method::GET, &taps(PRADEEP), Some(&diego), None, &[])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // Unknown target: 404.
    let r = graph(
        &emu,
        Method::POST,
        &taps("ghost@contoso.onmicrosoft.com"),
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        404,
        "Request_ResourceNotFound",
        "ghost@contoso.onmicrosoft.com",
    );
    // /me reads one's own pass (Adele got one from Megan) and may delete it.
    let (s, _, mine) = graph(
        &emu,
        Method::GET,
        "/me/authentication/temporaryAccessPassMethods",
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let id = mine["value"][0]["id"]
        .as_str()
        .expect("own pass")
        .to_string();
    let r = graph(
        &emu,
        Method::DELETE,
        &format!("/me/authentication/temporaryAccessPassMethods/{id}"),
        Some(&adele),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::NO_CONTENT);
    emu.shutdown().await;
}

#[tokio::test]
async fn missing_write_scope_is_access_denied() {
    let emu = start_with(false).await;
    // Alex (Global Administrator) consents for himself to reading only.
    let v = tokens_for(
        &emu,
        ALEX,
        &["User.Read.All", "UserAuthenticationMethod.Read.All"],
    )
    .await;
    let token = v["access_token"].as_str().expect("at");
    let r = graph(&emu, Method::POST, &taps(PRADEEP), Some(token), None, &[]).await;
    assert_graph_error(&r, 403, "accessDenied", "Request Authorization failed");
    assert_eq!(
        graph(&emu, Method::GET, &taps(PRADEEP), Some(token), None, &[])
            .await
            .0,
        StatusCode::OK
    );
    // scp carries every consented permission; with that switched off, only the requested ones.
    emu.update_settings(|s| s.all_consented_scopes_in_token = false);
    let v = tokens_for(&emu, ALEX, &["User.Read.All"]).await;
    let r = graph(
        &emu,
        Method::GET,
        &taps(PRADEEP),
        v["access_token"].as_str(),
        None,
        &[],
    )
    .await;
    assert_graph_error(&r, 403, "accessDenied", "Request Authorization failed");
    emu.shutdown().await;
}

#[tokio::test]
async fn delete_then_404() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let (_, _, v) = graph(&emu, Method::POST, &taps(PRADEEP), Some(&token), None, &[]).await;
    let one = format!("{}/{}", taps(PRADEEP), v["id"].as_str().expect("id"));
    let (s, _, body) = graph(&emu, Method::DELETE, &one, Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(body.is_null());
    assert!(emu.passes(PRADEEP).is_empty());
    assert!(emu.events().iter().any(|e| matches!(e, Event::PassDeleted { method_id, .. } if method_id == v["id"].as_str().expect("id"))));
    let r = graph(&emu, Method::DELETE, &one, Some(&token), None, &[]).await;
    assert_graph_error(&r, 404, "itemNotFound", "");
    let r = graph(&emu, Method::GET, &one, Some(&token), None, &[]).await;
    assert_eq!(r.0, StatusCode::NOT_FOUND);
    let (_, _, l) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(l["value"], json!([]));
    emu.shutdown().await;
}

#[tokio::test]
async fn methods_list_has_password_seeded_methods_and_tap() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let path = format!("/users/{JOHANNA}/authentication/methods");
    let (s, _, v) = graph(&emu, Method::GET, &path, Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let types: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|m| m["@odata.type"].as_str())
        .collect();
    assert_eq!(
        types,
        vec![
            "#microsoft.graph.passwordAuthenticationMethod",
            "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "#microsoft.graph.phoneAuthenticationMethod",
        ]
    );
    graph(&emu, Method::POST, &taps(PRADEEP), Some(&token), None, &[]).await;
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}/authentication/methods"),
        Some(&token),
        None,
        &[],
    )
    .await;
    let methods = v["value"].as_array().expect("value");
    assert_eq!(methods.len(), 2);
    assert_eq!(
        methods[1]["@odata.type"],
        "#microsoft.graph.temporaryAccessPassAuthenticationMethod"
    );
    assert!(methods[1]["temporaryAccessPass"].is_null());
    emu.shutdown().await;
}

#[tokio::test]
async fn policy_get_and_patch_permissions() {
    let emu = start().await;
    let path = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";
    // Adele (Authentication Administrator) is not a documented policy reader: see
    // tests/documented.rs for her 403 and the switch.
    for upn in [GRADY, LYNNE, MEGAN, ALEX] {
        let token = token_for(&emu, upn).await;
        let (s, _, v) = graph(&emu, Method::GET, path, Some(&token), None, &[]).await;
        assert_eq!(s, StatusCode::OK, "{upn}: {v}");
        assert_eq!(
            v["@odata.type"],
            "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"
        );
        assert_eq!(v["id"], "TemporaryAccessPass");
        assert_eq!(v["state"], "enabled");
        assert_eq!(
            (
                v["defaultLifetimeInMinutes"].as_u64(),
                v["minimumLifetimeInMinutes"].as_u64(),
                v["maximumLifetimeInMinutes"].as_u64()
            ),
            (Some(60), Some(60), Some(480))
        );
        assert_eq!(v["defaultLength"], 8);
        assert_eq!(v["isUsableOnce"], false);
        assert_eq!(
            v["includeTargets"],
            json!([{"targetType": "group", "id": "all_users", "isRegistrationRequired": false}])
        );
        assert_eq!(v["excludeTargets"], json!([]));
    }
    let diego = token_for(&emu, DIEGO).await;
    let r = graph(&emu, Method::GET, path, Some(&diego), None, &[]).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );

    // PATCH needs Policy.ReadWrite.AuthenticationMethod (not in the default admin consent).
    let lynne = token_for(&emu, LYNNE).await;
    let body = json!({"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "maximumLifetimeInMinutes": 600});
    assert_eq!(
        graph(
            &emu,
            Method::PATCH,
            path,
            Some(&lynne),
            Some(body.clone()),
            &[]
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let mut b = Browser::new();
    let code = b
        .sign_in(
            &emu,
            ALEX,
            &scope(&emu, &["Policy.ReadWrite.AuthenticationMethod"]),
            true,
        )
        .await;
    let (_, v) = redeem(&emu, &code).await;
    let alex = v["access_token"].as_str().expect("at");
    assert_eq!(
        graph(&emu, Method::PATCH, path, Some(alex), Some(body), &[])
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(emu.policy().maximum_lifetime_in_minutes, 600);
    let r = graph(
        &emu,
        Method::PATCH,
        path,
        Some(alex),
        Some(json!({"maximumLifetimeInMinutes": 600})),
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST, "@odata.type is required");
    let bad = json!({"@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "defaultLength": 4});
    let r = graph(&emu, Method::PATCH, path, Some(alex), Some(bad), &[]).await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);
    assert_eq!(emu.policy().default_length, 8);
    emu.shutdown().await;
}

/// Graph's narrow TAP permission ("Create temporaryAccessPassMethod", "List
/// temporaryAccessPassMethods", "Delete temporaryAccessPassAuthenticationMethod" list
/// `UserAuthMethod-TAP.ReadWrite.All`): creates, lists and deletes passes, but does not list
/// every method ("List methods" names only `UserAuthenticationMethod.*`).
#[tokio::test]
async fn the_narrow_tap_write_permission_covers_passes_and_nothing_else() {
    let emu = start_with(false).await;
    let token = org_token_for(
        &emu,
        ALEX,
        &["User.Read.All", "UserAuthMethod-TAP.ReadWrite.All"],
    )
    .await;
    let scp = claims(&token)["scp"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        scp.contains("UserAuthMethod-TAP.ReadWrite.All")
            && !scp.contains("UserAuthenticationMethod"),
        "{scp}"
    );
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let id = v["id"].as_str().expect("id").to_string();
    let (s, _, l) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(
        (s, l["value"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(1))
    );
    let methods = format!("/users/{PRADEEP}/authentication/methods");
    let (s, _, v) = graph(&emu, Method::GET, &methods, Some(&token), None, &[]).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the TAP permission listed every method: {v}"
    );
    let one = format!("{}/{id}", taps(PRADEEP));
    let (s, _, v) = graph(&emu, Method::DELETE, &one, Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{v}");
    emu.shutdown().await;
}

/// `UserAuthMethod-TAP.Read.All` reads passes ("List temporaryAccessPassMethods") and writes none.
#[tokio::test]
async fn the_narrow_tap_read_permission_reads_passes_only() {
    let emu = start_with(false).await;
    let token = org_token_for(
        &emu,
        ALEX,
        &["User.Read.All", "UserAuthMethod-TAP.Read.All"],
    )
    .await;
    let (s, _, v) = graph(&emu, Method::GET, &taps(PRADEEP), Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, _, v) = graph(
        &emu,
        Method::POST,
        &taps(PRADEEP),
        Some(&token),
        Some(json!({})),
        &[],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "a read permission created a pass: {v}"
    );
    let methods = format!("/users/{PRADEEP}/authentication/methods");
    assert_eq!(
        graph(&emu, Method::GET, &methods, Some(&token), None, &[])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    emu.shutdown().await;
}

/// "Get temporaryAccessPassAuthenticationMethodConfiguration" lists
/// `Policy.Read.AuthenticationMethod` (and the write one), not `Policy.Read.All`: refused by
/// default, accepted with `policyReadAllReadsTapPolicy`.
#[tokio::test]
async fn the_tap_policy_is_read_with_the_authentication_method_policy_permission() {
    let path = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass";
    let emu = start_with(false).await;
    let broad = org_token_for(&emu, ALEX, &["Policy.Read.All"]).await;
    let r = graph(&emu, Method::GET, path, Some(&broad), None, &[]).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN, "{}", r.2);
    emu.update_settings(|s| s.policy_read_all_reads_tap_policy = true);
    let (s, _, v) = graph(&emu, Method::GET, path, Some(&broad), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    emu.shutdown().await;

    let emu = start_with(false).await;
    let narrow = org_token_for(&emu, ALEX, &["Policy.Read.AuthenticationMethod"]).await;
    let (s, _, v) = graph(&emu, Method::GET, path, Some(&narrow), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["id"], "TemporaryAccessPass");
    emu.shutdown().await;
}
