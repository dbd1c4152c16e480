//! Integration tests of Graph's common behaviour (auth, CORS, error envelope, request ids) and
//! of the users endpoints.

use std::time::Duration;

use crate::support::flow::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const EVENTUAL: &[(&str, &str)] = &[("ConsistencyLevel", "eventual")];

#[tokio::test]
async fn bearer_token_is_required_valid_and_unexpired() {
    let emu = start().await;
    let r = graph(&emu, Method::GET, "/users", None, None, &[]).await;
    assert_graph_error(
        &r,
        401,
        "InvalidAuthenticationToken",
        "Access token is empty.",
    );
    assert!(r.1["www-authenticate"]
        .to_str()
        .expect("ascii")
        .starts_with("Bearer "));

    let token = token_for(&emu, ADELE).await;
    let mut tampered = token.clone();
    tampered.pop();
    tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
    let r = graph(&emu, Method::GET, "/users", Some(&tampered), None, &[]).await;
    assert_graph_error(
        &r,
        401,
        "InvalidAuthenticationToken",
        "Access token validation failure",
    );

    assert_eq!(
        graph(&emu, Method::GET, "/me", Some(&token), None, &[])
            .await
            .0,
        StatusCode::OK
    );
    emu.advance_clock(Duration::from_secs(3600));
    let r = graph(&emu, Method::GET, "/me", Some(&token), None, &[]).await;
    assert_graph_error(
        &r,
        401,
        "InvalidAuthenticationToken",
        "Access token has expired or is not yet valid.",
    );
    assert!(r.1.contains_key("www-authenticate"));
    emu.shutdown().await;
}

#[tokio::test]
async fn token_lifetime_is_settable() {
    let emu = start().await;
    emu.set_token_lifetime(Duration::from_secs(600));
    let v = tokens_for(&emu, ADELE, TAP_PERMS).await;
    assert_eq!(v["expires_in"], 600);
    let token = v["access_token"].as_str().expect("at");
    emu.advance_clock(Duration::from_secs(601));
    assert_eq!(
        graph(&emu, Method::GET, "/me", Some(token), None, &[])
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn cors_preflight_and_headers_on_every_response() {
    let emu = start().await;
    let resp = http()
        .request(
            Method::OPTIONS,
            format!(
                "{}/v1.0/users/x/authentication/temporaryAccessPassMethods",
                emu.graph_url()
            ),
        )
        .header("origin", "http://127.0.0.1:5555")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .expect("preflight");
    assert!(resp.status().is_success());
    let h = resp.headers();
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:5555");
    let methods = h["access-control-allow-methods"].to_str().expect("m");
    for m in ["GET", "POST", "PATCH", "DELETE"] {
        assert!(methods.contains(m));
    }
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .expect("h")
        .to_lowercase();
    for x in [
        "authorization",
        "content-type",
        "consistencylevel",
        "client-request-id",
    ] {
        assert!(allowed.contains(x), "{allowed}");
    }

    let token = token_for(&emu, ADELE).await;
    let r = graph(
        &emu,
        Method::GET,
        "/me",
        Some(&token),
        None,
        &[
            ("origin", "http://127.0.0.1:5555"),
            ("client-request-id", "abc-123"),
        ],
    )
    .await;
    assert_eq!(r.0, StatusCode::OK);
    assert_eq!(r.1["access-control-allow-origin"], "http://127.0.0.1:5555");
    assert!(r.1["access-control-expose-headers"]
        .to_str()
        .expect("e")
        .contains("request-id"));
    assert_eq!(r.1["client-request-id"], "abc-123");
    assert!(uuid::Uuid::parse_str(r.1["request-id"].to_str().expect("id")).is_ok());
    // Errors carry the same headers and echo the client-request-id in innerError.
    let r = graph(
        &emu,
        Method::GET,
        "/users/nobody@contoso.onmicrosoft.com",
        Some(&token),
        None,
        &[("origin", "http://x.test"), ("client-request-id", "c-9")],
    )
    .await;
    assert_graph_error(
        &r,
        404,
        "Request_ResourceNotFound",
        "Resource 'nobody@contoso.onmicrosoft.com' does not exist",
    );
    assert_eq!(r.2["error"]["innerError"]["client-request-id"], "c-9");
    assert_eq!(r.1["access-control-allow-origin"], "http://x.test");
    emu.shutdown().await;
}

#[tokio::test]
async fn search_needs_consistency_level_and_matches_word_prefixes() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let q = "/users?$search=%22displayName:pra%22%20OR%20%22userPrincipalName:pra%22";
    let r = graph(&emu, Method::GET, q, Some(&token), None, &[]).await;
    assert_graph_error(&r, 400, "Request_UnsupportedQuery", "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'");

    let (s, _, v) = graph(&emu, Method::GET, q, Some(&token), None, EVENTUAL).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<&str> = v["value"]
        .as_array()
        .expect("value")
        .iter()
        .filter_map(|u| u["displayName"].as_str())
        .collect();
    assert_eq!(names, vec!["Pradeep Gupta"]);
    assert!(v["@odata.context"]
        .as_str()
        .expect("ctx")
        .ends_with("/v1.0/$metadata#users"));

    // Substrings inside a word do not match.
    let (_, _, v) = graph(
        &emu,
        Method::GET,
        "/users?$search=%22displayName:adeep%22",
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(v["value"].as_array().expect("value").len(), 0);
    // Bad syntax is a 400.
    let r = graph(
        &emu,
        Method::GET,
        "/users?$search=displayName:pra",
        Some(&token),
        None,
        EVENTUAL,
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);
    emu.shutdown().await;
}

#[tokio::test]
async fn filter_select_top_paging_and_count() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let (s, _, v) = graph(&emu, Method::GET, "/users?$filter=startswith(userPrincipalName,'jo')&$select=id,displayName,userType,accountEnabled", Some(&token), None, &[]).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let users = v["value"].as_array().expect("value");
    let names: Vec<&str> = users
        .iter()
        .filter_map(|u| u["displayName"].as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "Johanna Lorenz",
            "Joni Sherman",
            "Jordan Miller (Fabrikam)",
            "José Álvarez"
        ]
    );
    let keys: Vec<&String> = users[0].as_object().expect("obj").keys().collect();
    assert_eq!(
        keys,
        vec!["id", "displayName", "userType", "accountEnabled"]
    );
    assert!(v["@odata.context"]
        .as_str()
        .expect("ctx")
        .ends_with("#users(id,displayName,userType,accountEnabled)"));
    let guest = users
        .iter()
        .find(|u| u["userType"] == "Guest")
        .expect("guest");
    assert_eq!(guest["accountEnabled"], true);

    let r = graph(
        &emu,
        Method::GET,
        "/users?$select=id,shoeSize",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        400,
        "Request_BadRequest",
        "Could not find a property named 'shoeSize'",
    );
    let r = graph(&emu, Method::GET, "/users?$top=0", Some(&token), None, &[]).await;
    assert_graph_error(&r, 400, "Request_BadRequest", "Invalid page size specified");
    let r = graph(
        &emu,
        Method::GET,
        "/users?$filter=endswith(mail,'x')",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(r.0, StatusCode::BAD_REQUEST);

    // Paging: follow the whole nextLink (with the header again) until done.
    let mut url = format!(
        "{}/v1.0/users?$top=7&$count=true&$select=id",
        emu.graph_url()
    );
    let mut seen = vec![];
    let mut pages = 0;
    let mut count = None;
    loop {
        let (s, _, v) = graph(&emu, Method::GET, &url, Some(&token), None, EVENTUAL).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        pages += 1;
        if count.is_none() {
            count = v["@odata.count"].as_u64();
        }
        seen.extend(
            v["value"]
                .as_array()
                .expect("value")
                .iter()
                .map(|u| u["id"].as_str().expect("id").to_string()),
        );
        match v["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&emu.graph_url()) && next.contains("$skiptoken="));
                url = next.to_string();
            }
            None => break,
        }
        assert!(pages < 60, "paging terminates");
    }
    let total = count.expect("@odata.count") as usize;
    assert!(total >= 30);
    assert_eq!(seen.len(), total);
    assert_eq!(pages, total.div_ceil(7));
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), total, "no user twice");
    let r = graph(
        &emu,
        Method::GET,
        "/users?$count=true",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(
        r.0,
        StatusCode::BAD_REQUEST,
        "$count needs ConsistencyLevel"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn get_user_by_upn_and_id_and_me() {
    let emu = start().await;
    let token = token_for(&emu, ADELE).await;
    let id = emu.user_id(PRADEEP).expect("id");
    let (s, _, by_upn) = graph(
        &emu,
        Method::GET,
        &format!("/users/{PRADEEP}"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(by_upn["id"], id);
    assert_eq!(by_upn["displayName"], "Pradeep Gupta");
    assert!(by_upn["@odata.context"]
        .as_str()
        .expect("ctx")
        .ends_with("$metadata#users/$entity"));
    assert!(
        by_upn.get("accountEnabled").is_none(),
        "v1.0 default property set"
    );
    let (_, _, by_id) = graph(
        &emu,
        Method::GET,
        &format!("/users/{id}?$select=accountEnabled,userType"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(by_id["accountEnabled"], true);
    assert_eq!(by_id["userType"], "Member");
    let guest = GUEST.replace('#', "%23");
    let (s, _, g) = graph(
        &emu,
        Method::GET,
        &format!("/users/{guest}?$select=userType,mail"),
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    assert_eq!(
        (g["userType"].as_str(), g["mail"].as_str()),
        (Some("Guest"), Some("jordan.miller@fabrikam.com"))
    );
    // beta returns the full set.
    let url = format!("{}/beta/users/{id}", emu.graph_url());
    let (_, _, beta) = graph(&emu, Method::GET, &url, Some(&token), None, &[]).await;
    assert_eq!(beta["accountEnabled"], true);

    let (_, _, me) = graph(&emu, Method::GET, "/me", Some(&token), None, &[]).await;
    assert_eq!(me["userPrincipalName"], ADELE);
    let r = graph(
        &emu,
        Method::GET,
        "/users/00000000-0000-4000-8000-000000000000",
        Some(&token),
        None,
        &[],
    )
    .await;
    assert_graph_error(
        &r,
        404,
        "Request_ResourceNotFound",
        "does not exist or one of its queried reference-property objects are not present.",
    );
    let r = graph(&emu, Method::GET, "/devices", Some(&token), None, &[]).await;
    assert_graph_error(
        &r,
        400,
        "BadRequest",
        "Resource not found for the segment 'devices'.",
    );
    // Groups exist now, but need a group-read permission this token lacks.
    let r = graph(&emu, Method::GET, "/groups", Some(&token), None, &[]).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn reading_users_needs_a_user_read_scope() {
    let emu = start_with(false).await;
    // Diego consents to Mail.Send only (user-consentable): his token cannot list users.
    let v = tokens_for(&emu, DIEGO, &["Mail.Send"]).await;
    let token = v["access_token"].as_str().expect("at");
    let r = graph(&emu, Method::GET, "/users", Some(token), None, &[]).await;
    assert_graph_error(
        &r,
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    );
    let r = graph(&emu, Method::GET, "/me", Some(token), None, &[]).await;
    assert_eq!(r.0, StatusCode::FORBIDDEN);
    emu.shutdown().await;
}

#[tokio::test]
async fn scp_lists_every_consented_permission_unless_switched_off() {
    let emu = start().await;
    let v = tokens_for(&emu, ADELE, &["User.Read.All"]).await;
    let scp = claims(v["access_token"].as_str().expect("at"))["scp"]
        .as_str()
        .expect("scp")
        .to_string();
    assert!(
        scp.contains("UserAuthMethod-TAP.ReadWrite.All"),
        "Entra puts all consented permissions in scp: {scp}"
    );
    emu.update_settings(|s| s.all_consented_scopes_in_token = false);
    let v = tokens_for(&emu, ADELE, &["User.Read.All"]).await;
    assert_eq!(
        claims(v["access_token"].as_str().expect("at"))["scp"],
        "User.Read.All"
    );
    let _: Value = v;
    emu.shutdown().await;
}
