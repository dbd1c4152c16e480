//! ID token checks (OpenID Connect Core 3.1.3.7): nonce, issuer, audience and times.
//!
//! The signature is not checked: the token came straight from the token endpoint over TLS,
//! as msal-browser also reasons. The claims also name the signed-in account.

use base64::Engine as _;
use serde::Deserialize;

use super::AuthError;

/// Clock skew tolerated on `exp` and `iat`, in seconds.
pub const SKEW_SECONDS: f64 = 300.0;

/// The claims this page reads from an ID token.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct IdClaims {
    #[serde(default)]
    pub iss: String,
    #[serde(default)]
    pub aud: Audience,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub exp: Option<f64>,
    #[serde(default)]
    pub iat: Option<f64>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub preferred_username: Option<String>,
    #[serde(default)]
    pub oid: Option<String>,
    #[serde(default)]
    pub sub: Option<String>,
    #[serde(default)]
    pub tid: Option<String>,
    /// Directory role template ids (Entra only, and only when the app registration's
    /// `groupMembershipClaims` asks for them); `None` when the claim is absent, which means
    /// "roles unknown", never "no role".
    #[serde(default)]
    pub wids: Option<Vec<String>>,
    /// `email` (OpenID Connect standard claim, with the `email` scope).
    #[serde(default)]
    pub email: Option<String>,
    /// Entra's optional `login_hint` claim: the only value `logout_hint` may carry.
    #[serde(default)]
    pub login_hint: Option<String>,
}

/// `aud` is a string or a list of strings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Default for Audience {
    fn default() -> Self {
        Audience::Many(Vec::new())
    }
}

impl Audience {
    /// Returns true if and only if `client_id` is one of the audiences.
    pub fn contains(&self, client_id: &str) -> bool {
        match self {
            Audience::One(a) => a == client_id,
            Audience::Many(list) => list.iter().any(|a| a == client_id),
        }
    }
}

/// Decodes the claims of a JWT without checking its signature.
pub fn decode_claims<T: serde::de::DeserializeOwned>(jwt: &str) -> Result<T, AuthError> {
    let payload = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| AuthError::IdToken("not a JWT".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| AuthError::IdToken("payload is not base64url".into()))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| AuthError::IdToken(format!("claims unreadable ({e})")))
}

/// Checks `jwt` as the ID token answering the attempt with `nonce`, and returns its claims.
pub fn verify(
    jwt: &str,
    issuer: &str,
    client_id: &str,
    nonce: &str,
    now_ms: f64,
) -> Result<IdClaims, AuthError> {
    let claims: IdClaims = decode_claims(jwt)?;
    if claims.nonce.as_deref() != Some(nonce) {
        return Err(AuthError::NonceMismatch);
    }
    if claims.iss.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err(AuthError::IdToken(format!(
            "issuer {} is not {issuer}",
            claims.iss
        )));
    }
    if !claims.aud.contains(client_id) {
        return Err(AuthError::IdToken(
            "the token was issued to another application".into(),
        ));
    }
    let now = now_ms / 1000.0;
    match claims.exp {
        Some(exp) if exp + SKEW_SECONDS >= now => {}
        _ => {
            return Err(AuthError::IdToken(
                "the token has expired (is this computer's clock right?)".into(),
            ))
        }
    }
    if let Some(iat) = claims.iat {
        if iat - SKEW_SECONDS > now {
            return Err(AuthError::IdToken(
                "the token is issued in the future (is this computer's clock right?)".into(),
            ));
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"ES256"}"#), b64(claims))
    }

    const NOW: f64 = 1_800_000_000_000.0;

    fn token(nonce: &str, iss: &str, aud: &str, exp: u64) -> String {
        jwt(&format!(
            r#"{{"iss":"{iss}","aud":{aud},"nonce":"{nonce}","exp":{exp},"iat":1800000000,"name":"Adele Vance","preferred_username":"adele@contoso.com","oid":"o1","wids":["c4e39bd9-1100-46d3-8c65-fb160da0071f"]}}"#
        ))
    }

    #[test]
    fn good_token_gives_the_account() {
        let c = verify(
            &token("n", "https://i/v2.0", "\"cid\"", 1_800_003_600),
            "https://i/v2.0",
            "cid",
            "n",
            NOW,
        )
        .unwrap();
        assert_eq!(c.preferred_username.as_deref(), Some("adele@contoso.com"));
        assert_eq!(c.wids.as_ref().map(Vec::len), Some(1));
        assert!(verify(
            &token("n", "https://i/v2.0", "[\"x\",\"cid\"]", 1_800_003_600),
            "https://i/v2.0",
            "cid",
            "n",
            NOW
        )
        .is_ok());
    }

    #[test]
    fn nonce_mismatch_is_refused() {
        let t = token("other", "https://i/v2.0", "\"cid\"", 1_800_003_600);
        assert_eq!(
            verify(&t, "https://i/v2.0", "cid", "n", NOW),
            Err(AuthError::NonceMismatch)
        );
    }

    #[test]
    fn issuer_audience_and_expiry_are_checked() {
        let t = token("n", "https://evil/v2.0", "\"cid\"", 1_800_003_600);
        assert!(matches!(
            verify(&t, "https://i/v2.0", "cid", "n", NOW),
            Err(AuthError::IdToken(_))
        ));
        let t = token("n", "https://i/v2.0", "\"other\"", 1_800_003_600);
        assert!(matches!(
            verify(&t, "https://i/v2.0", "cid", "n", NOW),
            Err(AuthError::IdToken(_))
        ));
        let t = token("n", "https://i/v2.0", "\"cid\"", 1_799_999_000);
        assert!(matches!(
            verify(&t, "https://i/v2.0", "cid", "n", NOW),
            Err(AuthError::IdToken(_))
        ));
        // Within the skew is fine.
        let t = token("n", "https://i/v2.0", "\"cid\"", 1_799_999_900);
        assert!(verify(&t, "https://i/v2.0", "cid", "n", NOW).is_ok());
    }

    #[test]
    fn garbage_is_not_a_token() {
        assert!(matches!(
            verify("abc", "i", "c", "n", NOW),
            Err(AuthError::IdToken(_))
        ));
        assert!(matches!(
            verify("a.!!!.c", "i", "c", "n", NOW),
            Err(AuthError::IdToken(_))
        ));
    }
}
