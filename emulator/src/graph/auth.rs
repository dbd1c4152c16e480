//! Bearer token validation for Graph (signature, lifetime on the emulator clock, audience,
//! issuer) and the caller it yields: user, effective permissions and roles.
//!
//! Like real Graph, authorisation uses the caller's LIVE directory roles, not the token's
//! `wids` snapshot (`Settings::roles_from_token` switches to the snapshot). Permissions are the
//! token's `scp` minus any the tenant no longer grants (`Settings::live_consent_check`, on by
//! default [choice]): withdrawing consent takes effect on existing tokens at once.

use std::collections::BTreeSet;

use axum::http::{header, HeaderMap, StatusCode};

use super::response::GraphError;
use crate::model::User;
use crate::scopes::GRAPH_APP_ID;
use crate::state::AppState;

/// The signed-in caller of a Graph request.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The user (current directory data).
    pub user: User,
    /// Bare permission names in effect: `scp`, less withdrawn grants (see the module doc).
    pub scp: BTreeSet<String>,
    /// Role template ids from the token's `wids` (a snapshot taken at sign-in).
    pub wids: Vec<String>,
    /// Role template ids Graph authorises by: the user's live roles (or `wids`, see above).
    pub roles: Vec<String>,
}

impl Caller {
    /// True if and only if `scp` holds any of `names` (case-insensitive).
    pub fn has_scope(&self, names: &[&str]) -> bool {
        self.scp
            .iter()
            .any(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
    }

    /// True if and only if the caller holds any of `roles` (live roles by default).
    pub fn has_role(&self, roles: &[&str]) -> bool {
        self.roles.iter().any(|w| roles.contains(&w.as_str()))
    }
}

fn unauthorized(st: &AppState, message: &str) -> GraphError {
    let mut e = GraphError::new(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        message,
    );
    e.www_authenticate = Some(format!(
        "Bearer realm=\"\", authorization_uri=\"{}/common/oauth2/authorize\", client_id=\"{GRAPH_APP_ID}\", error=\"invalid_token\", error_description=\"{}\"",
        st.login_url,
        message.replace('"', "'")
    ));
    e
}

/// Validates `Authorization: Bearer <jwt>` and loads the caller.
pub fn authenticate(st: &AppState, headers: &HeaderMap) -> Result<Caller, GraphError> {
    let raw = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") && !t.trim().is_empty() => {
            t.trim()
        }
        _ => return Err(unauthorized(st, "Access token is empty.")),
    };
    if st.lock().settings.refuse_every_token {
        return Err(unauthorized(
            st,
            "Access token validation failure. The session has been revoked.",
        ));
    }
    let claims = st
        .signer
        .verify(token)
        .map_err(|_| unauthorized(st, "Access token validation failure. Invalid signature."))?;
    let now = st.clock.now().unix_timestamp();
    let exp = claims["exp"].as_i64().unwrap_or(0);
    let nbf = claims["nbf"].as_i64().unwrap_or(i64::MAX);
    if now >= exp || now < nbf {
        return Err(unauthorized(
            st,
            "Access token has expired or is not yet valid.",
        ));
    }
    if claims["aud"].as_str() != Some(st.graph_url.as_str()) {
        return Err(unauthorized(
            st,
            "Access token validation failure. Invalid audience.",
        ));
    }
    if claims["iss"].as_str() != Some(st.access_token_issuer().as_str()) {
        return Err(unauthorized(
            st,
            "Access token validation failure. Invalid issuer.",
        ));
    }
    let oid = claims["oid"].as_str().unwrap_or("");
    let (user, granted, settings) = {
        let inner = st.lock();
        let user = inner.tenant.find_user(oid).cloned();
        let granted = user
            .as_ref()
            .map(|u| inner.tenant.granted_scopes(&u.id))
            .unwrap_or_default();
        (user, granted, inner.settings.clone())
    };
    let user = user.ok_or_else(|| {
        unauthorized(
            st,
            "Access token validation failure. The user no longer exists.",
        )
    })?;
    let scp = claims["scp"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .filter(|s| {
            !settings.live_consent_check || granted.iter().any(|g| g.eq_ignore_ascii_case(s))
        })
        .map(String::from)
        .collect();
    let wids: Vec<String> = claims["wids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|w| w.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    let roles = if settings.roles_from_token {
        wids.clone()
    } else {
        user.wids()
    };
    Ok(Caller {
        user,
        scp,
        wids,
        roles,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwt::Signer;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn state() -> AppState {
        AppState::new(
            Signer::generate().expect("key"),
            "http://127.0.0.1:1".into(),
            "http://127.0.0.1:2".into(),
            None,
            None,
            vec![],
            true,
        )
    }

    fn call(st: &AppState, claims: serde_json::Value) -> Result<Caller, GraphError> {
        let token = st.signer.sign(&claims).expect("sign");
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).expect("hv"),
        );
        authenticate(st, &h)
    }

    #[test]
    fn audience_issuer_and_lifetime_are_checked() {
        let st = state();
        let now = st.clock.now().unix_timestamp();
        let oid = st.lock().tenant.users[0].id.clone();
        let good = json!({"aud": "http://127.0.0.1:2", "iss": st.access_token_issuer(), "nbf": now, "exp": now + 60,
            "oid": oid, "scp": "User.Read.All Group.Read.All", "wids": ["x"]});
        let caller = call(&st, good.clone()).expect("valid");
        assert!(caller.has_scope(&["user.read.all"]));
        assert!(!caller.has_scope(&["Group.Read.All"]), "never consented");
        assert!(!caller.has_role(&["x"]), "live roles, not the token's wids");
        assert_eq!(caller.wids, vec!["x"]);
        st.lock().settings.roles_from_token = true;
        assert!(call(&st, good.clone()).expect("valid").has_role(&["x"]));

        let mut wrong_aud = good.clone();
        wrong_aud["aud"] = json!("https://graph.microsoft.com");
        let e = call(&st, wrong_aud).expect_err("aud");
        assert_eq!(
            (e.status, e.message.as_str()),
            (
                StatusCode::UNAUTHORIZED,
                "Access token validation failure. Invalid audience."
            )
        );

        let mut wrong_iss = good.clone();
        wrong_iss["iss"] = json!("https://sts.windows.net/other/");
        assert!(call(&st, wrong_iss).is_err());

        let mut future = good;
        future["nbf"] = json!(now + 30);
        let e = call(&st, future).expect_err("nbf");
        assert_eq!(e.message, "Access token has expired or is not yet valid.");
        assert!(e.www_authenticate.is_some());
    }
}
