//! ES256 JSON Web Tokens built by hand on ring: the emulator's signing key, token signing,
//! signature verification and the JWKS document.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED,
    ECDSA_P256_SHA256_FIXED_SIGNING,
};
use serde_json::{json, Value};

/// What can go wrong with keys and tokens.
#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    /// ring could not create or use the key.
    #[error("signing key error")]
    Key,
    /// The token is not three base64url JSON parts.
    #[error("token is not a well-formed JWT")]
    Malformed,
    /// Header alg/kid do not match this emulator's key, or the signature is wrong.
    #[error("token signature is invalid")]
    BadSignature,
}

/// The emulator's ECDSA P-256 key, generated at start.
pub struct Signer {
    key: EcdsaKeyPair,
    kid: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Generates a fresh key pair; its `kid` is derived from the public key.
    pub fn generate() -> Result<Signer, JwtError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|_| JwtError::Key)?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|_| JwtError::Key)?;
        let digest = ring::digest::digest(&ring::digest::SHA256, key.public_key().as_ref());
        let kid = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..12]);
        Ok(Signer { key, kid, rng })
    }

    /// The key id published in the JWKS and put in every token header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs `claims` as a compact JWT with header `{"typ":"JWT","alg":"ES256","kid":..}`.
    pub fn sign(&self, claims: &Value) -> Result<String, JwtError> {
        let header = json!({"typ": "JWT", "alg": "ES256", "kid": self.kid});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|_| JwtError::Key)?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(sig.as_ref())
        ))
    }

    /// Checks the header (ES256, our kid) and the signature; returns the claims. Does not look
    /// at any claim: expiry and audience are the caller's business.
    pub fn verify(&self, token: &str) -> Result<Value, JwtError> {
        let mut parts = token.split('.');
        let (Some(h), Some(c), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed);
        };
        let decode = |p: &str| URL_SAFE_NO_PAD.decode(p).map_err(|_| JwtError::Malformed);
        let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| JwtError::Malformed)?;
        let claims: Value = serde_json::from_slice(&decode(c)?).map_err(|_| JwtError::Malformed)?;
        let sig = decode(s)?;
        if header["alg"] != "ES256" || header["kid"] != self.kid.as_str() {
            return Err(JwtError::BadSignature);
        }
        let public =
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.key.public_key().as_ref());
        let signed = &token[..h.len() + 1 + c.len()];
        public
            .verify(signed.as_bytes(), &sig)
            .map_err(|_| JwtError::BadSignature)?;
        Ok(claims)
    }

    /// The JWKS document: one EC P-256 key.
    pub fn jwks(&self) -> Value {
        // The public key is the uncompressed SEC1 point: 0x04 || x (32 bytes) || y (32 bytes).
        let point = self.key.public_key().as_ref();
        let (x, y) = point
            .get(1..33)
            .zip(point.get(33..65))
            .unwrap_or((&[], &[]));
        json!({"keys": [{
            "kty": "EC",
            "crv": "P-256",
            "use": "sig",
            "alg": "ES256",
            "kid": self.kid,
            "x": URL_SAFE_NO_PAD.encode(x),
            "y": URL_SAFE_NO_PAD.encode(y),
        }]})
    }
}

/// Decodes the claims of a JWT without checking anything (for tests and diagnostics).
pub fn decode_claims_unverified(token: &str) -> Option<Value> {
    let part = token.split('.').nth(1)?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_then_verify_round_trips_and_tampering_fails() {
        let s = Signer::generate().expect("key");
        let t = s.sign(&json!({"sub": "x", "n": 1})).expect("sign");
        assert_eq!(s.verify(&t).expect("valid")["n"], 1);
        let mut parts: Vec<String> = t.split('.').map(String::from).collect();
        parts[1] = URL_SAFE_NO_PAD.encode(json!({"sub": "x", "n": 2}).to_string());
        assert!(matches!(
            s.verify(&parts.join(".")),
            Err(JwtError::BadSignature)
        ));
        let other = Signer::generate().expect("key");
        assert!(other.verify(&t).is_err());
        assert!(matches!(s.verify("a.b"), Err(JwtError::Malformed)));
    }

    #[test]
    fn jwks_has_p256_coordinates() {
        let s = Signer::generate().expect("key");
        let k = &s.jwks()["keys"][0];
        assert_eq!(k["kty"], "EC");
        assert_eq!(k["kid"], s.kid());
        let x = URL_SAFE_NO_PAD
            .decode(k["x"].as_str().expect("x"))
            .expect("b64");
        assert_eq!(x.len(), 32);
    }
}
