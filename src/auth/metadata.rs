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

    /// Checks a discovery document of `authority` read earlier (kept for the session).
    pub fn from_document(authority: &str, text: &str) -> Result<ProviderMetadata, AuthError> {
        ProviderMetadata::parse(authority, &discovery_url(authority), text)
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

    #[test]
    fn broken_document_is_reported() {
        assert!(matches!(
            ProviderMetadata::parse(AUTH, "u", "{\"issuer\":1}"),
            Err(AuthError::Discovery { .. })
        ));
    }
}
