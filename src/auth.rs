//! Sign-in: OpenID discovery, authorization code + PKCE (S256) through the `oauth2` crate, callback
//! and ID-token checks, and the in-memory session that renews its access token.
//!
//! Architecture invariant: nothing here knows about Graph or views. Tokens live in Rust memory
//! only ([`session::Session`]); the only things written to storage are a pending attempt's
//! state, nonce and verifier (see [`crate::storage`]).

pub mod attempt;
pub mod http;
pub mod id_token;
pub mod metadata;
pub mod random;
pub mod session;

use thiserror::Error;

/// Everything that can go wrong while signing in or renewing a token.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    /// The discovery document could not be fetched or read.
    #[error("could not read the sign-in configuration at {url}: {reason}")]
    Discovery { url: String, reason: String },
    /// The discovery document's issuer differs from the configured authority.
    #[error("issuer {found} differs from the configured authority {expected}")]
    IssuerMismatch { expected: String, found: String },
    /// The provider says it does not support PKCE with S256.
    #[error("the provider does not support PKCE S256")]
    PkceUnsupported,
    /// A callback arrived that no pending sign-in attempt of this tab expects (replayed or forged).
    #[error("unknown sign-in attempt")]
    UnknownAttempt,
    /// The pending attempt is older than ten minutes.
    #[error("the sign-in attempt expired")]
    AttemptExpired,
    /// The callback's `state` is missing or differs.
    #[error("state mismatch")]
    StateMismatch,
    /// The callback's `iss` parameter differs from the issuer (RFC 9207).
    #[error("issuer parameter mismatch")]
    IssParamMismatch,
    /// The callback carried tokens in the URL (implicit flow), which this page never asks for.
    #[error("tokens in the callback URL")]
    TokensInUrl,
    /// The ID token's nonce differs from the attempt's.
    #[error("nonce mismatch")]
    NonceMismatch,
    /// The ID token is malformed or its claims are wrong (issuer, audience, times).
    #[error("invalid ID token: {0}")]
    IdToken(String),
    /// The provider answered with an OAuth error (callback or token endpoint).
    #[error("{error}: {description}")]
    Provider {
        error: String,
        description: String,
        /// `AADSTSnnnn` code when the description carries one.
        code: Option<u32>,
    },
    /// The request never got an answer (network, CORS, TLS).
    #[error("network error: {0}")]
    Network(String),
    /// Renewal is impossible without the user: sign in again.
    #[error("sign-in required")]
    SignInRequired,
    /// The authority names the tenant by a domain name, and its discovery answers with the
    /// tenant's id (Entra ID): `authority` is what config.json should say.
    #[error("the issuer {found} names the tenant by id; use the authority {authority}")]
    TenantByDomain {
        configured: String,
        found: String,
        authority: String,
    },
    /// The admin cancelled: `consent` when on the consent page (AADSTS65004), else the sign-in.
    /// `description` is the provider's text, if any (shown as text, never HTML).
    #[error("cancelled: {description}")]
    Cancelled { consent: bool, description: String },
    /// The browser gave no cryptographically secure random bytes (`crypto.getRandomValues`)
    /// for the attempt's verifier, state and nonce.
    #[error("no secure random numbers")]
    NoRandomness,
}

impl AuthError {
    /// Builds a [`AuthError::Provider`] from an OAuth `error` and `error_description`.
    pub fn provider(error: &str, description: Option<&str>) -> AuthError {
        let description = description.unwrap_or_default().to_owned();
        AuthError::Provider {
            error: error.to_owned(),
            code: aadsts_code(&description),
            description,
        }
    }
}

/// Returns the number of the first `AADSTSnnnn` in `text`, if any.
pub fn aadsts_code(text: &str) -> Option<u32> {
    let start = text.find("AADSTS")? + "AADSTS".len();
    let digits: String = text[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aadsts_codes_are_found() {
        assert_eq!(
            aadsts_code("AADSTS700084: The refresh token was issued"),
            Some(700084)
        );
        assert_eq!(aadsts_code("x\r\nAADSTS50058: silent"), Some(50058));
        assert_eq!(aadsts_code("nothing here"), None);
        assert_eq!(aadsts_code("AADSTS"), None);
    }

    #[test]
    fn provider_error_keeps_code() {
        let e = AuthError::provider("invalid_grant", Some("AADSTS70008: expired"));
        assert_eq!(
            e,
            AuthError::Provider {
                error: "invalid_grant".into(),
                description: "AADSTS70008: expired".into(),
                code: Some(70008)
            }
        );
    }
}
