//! The provider's OpenID discovery document: fetched once, checked, and the only source of endpoints.

use serde::Deserialize;

use super::AuthError;

/// The fields of `/.well-known/openid-configuration` this page uses.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct ProviderMetadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    #[serde(default)]
    pub end_session_endpoint: Option<String>,
    #[serde(default)]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `prompt` values the provider accepts (OpenID Connect discovery; Entra does not publish it).
    #[serde(default)]
    pub prompt_values_supported: Option<Vec<String>>,
}

/// Returns the discovery URL of `authority` (no trailing slash expected).
pub fn discovery_url(authority: &str) -> String {
    format!(
        "{}/.well-known/openid-configuration",
        authority.trim_end_matches('/')
    )
}

impl ProviderMetadata {
    /// Parses a discovery document and checks it against the configured `authority`.
    ///
    /// The issuer must equal the authority (trailing slashes ignored). PKCE S256 must be
    /// listed when the provider lists its methods at all: Entra ID publishes no
    /// `code_challenge_methods_supported` yet documents S256, so an absent list is accepted
    /// and S256 is always sent.
    pub fn parse(authority: &str, url: &str, text: &str) -> Result<ProviderMetadata, AuthError> {
        let meta: ProviderMetadata =
            serde_json::from_str(text).map_err(|e| AuthError::Discovery {
                url: url.to_owned(),
                reason: format!("the document is not a valid OpenID configuration ({e})"),
            })?;
        if meta.issuer.trim_end_matches('/') != authority.trim_end_matches('/') {
            if let Some(by_id) = tenant_id_authority(authority, &meta.issuer) {
                return Err(AuthError::TenantByDomain {
                    configured: authority.to_owned(),
                    found: meta.issuer,
                    authority: by_id,
                });
            }
            return Err(AuthError::IssuerMismatch {
                expected: authority.to_owned(),
                found: meta.issuer,
            });
        }
        if let Some(methods) = &meta.code_challenge_methods_supported {
            if !methods.iter().any(|m| m == "S256") {
                return Err(AuthError::PkceUnsupported);
            }
        }
        Ok(meta)
    }

    /// Checks a discovery document of `authority` fetched from it just now.
    pub fn from_document(authority: &str, text: &str) -> Result<ProviderMetadata, AuthError> {
        ProviderMetadata::parse(authority, &discovery_url(authority), text)
    }

    /// Checks a copy of the discovery document kept in sessionStorage (issue 12 point 13).
    ///
    /// The copy decides where the browser goes for sign-in and sign-out, top-level navigations
    /// the CSP does not govern, and anything that can write to this origin's storage could have
    /// rewritten it. So on top of [`ProviderMetadata::from_document`], its authorize and
    /// sign-out endpoints must be on the authority's own scheme, host and port.
    pub fn from_kept_copy(authority: &str, text: &str) -> Result<ProviderMetadata, AuthError> {
        let meta = ProviderMetadata::from_document(authority, text)?;
        if !meta.navigations_stay_on(authority) {
            return Err(AuthError::Discovery {
                url: discovery_url(authority),
                reason: "the copy kept in this tab sends sign-in or sign-out to another host"
                    .into(),
            });
        }
        Ok(meta)
    }

    /// Returns true if and only if the authorize endpoint and the sign-out endpoint (when
    /// published) have the scheme, host and port of `authority`. Only such documents are kept
    /// in sessionStorage; others are fetched afresh each time.
    pub fn navigations_stay_on(&self, authority: &str) -> bool {
        let origin = |u: &str| url::Url::parse(u).ok().map(|u| u.origin());
        let Some(home) = origin(authority).filter(url::Origin::is_tuple) else {
            return false;
        };
        std::iter::once(Some(self.authorization_endpoint.as_str()))
            .chain(std::iter::once(self.end_session_endpoint.as_deref()))
            .flatten()
            .all(|e| origin(e).as_ref() == Some(&home))
    }

    /// Returns true unless the provider lists the `prompt` values it supports and `prompt` is
    /// not among them.
    pub fn supports_prompt(&self, prompt: &str) -> bool {
        self.prompt_values_supported
            .as_ref()
            .is_none_or(|list| list.iter().any(|p| p == prompt))
    }

    /// Fetches the discovery document of `authority` as text, unchecked.
    pub async fn fetch_document(authority: &str) -> Result<String, AuthError> {
        let url = discovery_url(authority);
        let fail = |reason: String| AuthError::Discovery {
            url: url.clone(),
            reason,
        };
        let response = gloo_net::http::Request::get(&url)
            .send()
            .await
            .map_err(|_| fail("no answer (check the authority URL, your network, and that the host allows this page's origin)".into()))?;
        if !response.ok() {
            return Err(fail(format!("HTTP {}", response.status())));
        }
        response.text().await.map_err(|e| fail(e.to_string()))
    }
}

/// Returns the authority that names the tenant by id, when `authority` names it by a domain name
/// and `issuer` differs from it only there: same scheme, host and port, the same path but for
/// one segment, and that segment of the issuer a GUID (what Entra ID's discovery answers for
/// `https://login.microsoftonline.com/contoso.com/v2.0`).
pub fn tenant_id_authority(authority: &str, issuer: &str) -> Option<String> {
    let a = url::Url::parse(authority.trim_end_matches('/')).ok()?;
    let i = url::Url::parse(issuer.trim_end_matches('/')).ok()?;
    if a.origin() != i.origin() {
        return None;
    }
    let a_parts: Vec<&str> = a.path_segments()?.collect();
    let i_parts: Vec<&str> = i.path_segments()?.collect();
    if a_parts.len() != i_parts.len() {
        return None;
    }
    let differing: Vec<usize> = (0..a_parts.len())
        .filter(|&n| !a_parts[n].eq_ignore_ascii_case(i_parts[n]))
        .collect();
    let [n] = differing[..] else {
        return None;
    };
    let is_guid = uuid_like(i_parts[n]);
    let is_domain = a_parts[n].contains('.') && !uuid_like(a_parts[n]);
    (is_guid && is_domain).then(|| issuer.trim_end_matches('/').to_owned())
}

fn uuid_like(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTH: &str = "https://login.example.com/tenant/v2.0";

    fn doc(issuer: &str, methods: &str) -> String {
        format!(
            r#"{{"issuer":"{issuer}","authorization_endpoint":"https://login.example.com/a","token_endpoint":"https://login.example.com/t"{methods},"jwks_uri":"x"}}"#
        )
    }

    #[test]
    fn endpoints_come_from_the_document() {
        let m = ProviderMetadata::parse(AUTH, "u", &doc(AUTH, "")).unwrap();
        assert_eq!(m.token_endpoint, "https://login.example.com/t");
        assert_eq!(m.end_session_endpoint, None);
        assert_eq!(
            discovery_url("https://x/y/"),
            "https://x/y/.well-known/openid-configuration"
        );
    }

    #[test]
    fn issuer_must_match_authority() {
        let err =
            ProviderMetadata::parse(AUTH, "u", &doc("https://evil.example.com/tenant/v2.0", ""))
                .unwrap_err();
        assert!(matches!(err, AuthError::IssuerMismatch { .. }));
        assert!(ProviderMetadata::parse(&format!("{AUTH}/"), "u", &doc(AUTH, "")).is_ok());
    }

    #[test]
    fn s256_required_when_methods_are_listed() {
        assert_eq!(
            ProviderMetadata::parse(
                AUTH,
                "u",
                &doc(AUTH, r#","code_challenge_methods_supported":["plain"]"#)
            ),
            Err(AuthError::PkceUnsupported)
        );
        assert!(ProviderMetadata::parse(
            AUTH,
            "u",
            &doc(
                AUTH,
                r#","code_challenge_methods_supported":["plain","S256"]"#
            )
        )
        .is_ok());
    }

    const TENANT: &str = "7d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31";

    /// Issue 11 point 12: Entra's discovery for a domain-name authority answers with the tenant
    /// id; the error names the authority to put in config.json.
    #[test]
    fn a_domain_name_authority_is_answered_with_the_id_authority() {
        let by_id = format!("https://login.microsoftonline.com/{TENANT}/v2.0");
        let err = ProviderMetadata::parse(
            "https://login.microsoftonline.com/contoso.com/v2.0",
            "u",
            &doc(&by_id, ""),
        )
        .unwrap_err();
        assert_eq!(
            err,
            AuthError::TenantByDomain {
                configured: "https://login.microsoftonline.com/contoso.com/v2.0".into(),
                found: by_id.clone(),
                authority: by_id.clone(),
            }
        );
        // Another host, another path, or a non-GUID issuer stays a plain mismatch.
        for (authority, issuer) in [
            ("https://login.example.com/contoso.com/v2.0", by_id.as_str()),
            (
                "https://login.microsoftonline.com/contoso.com/v1.0",
                by_id.as_str(),
            ),
            (
                "https://login.microsoftonline.com/contoso.com/v2.0",
                "https://login.microsoftonline.com/fabrikam.com/v2.0",
            ),
            (
                "https://login.microsoftonline.com/1d3c1e0a-4b2f-4f6e-9c1d-2a5b8e9f0c31/v2.0",
                by_id.as_str(),
            ),
        ] {
            assert!(
                matches!(
                    ProviderMetadata::parse(authority, "u", &doc(issuer, "")),
                    Err(AuthError::IssuerMismatch { .. })
                ),
                "{authority} / {issuer}"
            );
        }
    }

    /// Issue 12 point 13: a kept copy whose authorize or sign-out endpoint leaves the
    /// authority's origin is refused; a fresh document is not held to it (e.g. Amazon Cognito
    /// signs in on another host than its issuer).
    #[test]
    fn a_kept_copy_pointing_elsewhere_is_refused() {
        let good = r#"{"issuer":"https://login.example.com/tenant/v2.0","authorization_endpoint":"https://login.example.com/tenant/authorize","token_endpoint":"https://tokens.example.net/t","end_session_endpoint":"https://login.example.com/tenant/logout"}"#;
        assert!(ProviderMetadata::from_kept_copy(AUTH, good).is_ok());
        for tampered in [
            good.replace(
                "https://login.example.com/tenant/authorize",
                "https://evil.example/authorize",
            ),
            good.replace(
                "https://login.example.com/tenant/logout",
                "https://evil.example/logout",
            ),
            good.replace(
                "https://login.example.com/tenant/authorize",
                "http://login.example.com/tenant/authorize",
            ),
            good.replace(
                "https://login.example.com/tenant/authorize",
                "https://login.example.com:8443/tenant/authorize",
            ),
            good.replace(
                "https://login.example.com/tenant/authorize",
                "javascript:alert(1)",
            ),
        ] {
            assert!(
                matches!(
                    ProviderMetadata::from_kept_copy(AUTH, &tampered),
                    Err(AuthError::Discovery { .. })
                ),
                "{tampered}"
            );
            let fresh = ProviderMetadata::from_document(AUTH, &tampered);
            assert!(fresh.is_ok_and(|m| !m.navigations_stay_on(AUTH)));
        }
    }

    #[test]
    fn prompt_values_are_honoured_when_listed() {
        let m = ProviderMetadata::parse(AUTH, "u", &doc(AUTH, "")).unwrap();
        assert!(m.supports_prompt("select_account"));
        let m = ProviderMetadata::parse(
            AUTH,
            "u",
            &doc(
                AUTH,
                r#","prompt_values_supported":["none","login","consent"]"#,
            ),
        )
        .unwrap();
        assert!(!m.supports_prompt("select_account"));
        assert!(m.supports_prompt("none"));
    }

    #[test]
    fn broken_document_is_reported() {
        assert!(matches!(
            ProviderMetadata::parse(AUTH, "u", "{\"issuer\":1}"),
            Err(AuthError::Discovery { .. })
        ));
    }
}
