//! The secret parts of a sign-in attempt (PKCE verifier, `state`, `nonce`) from the browser's WebCrypto.
//!
//! `crypto.getRandomValues` through `web-sys` instead of `oauth2`'s `new_random` constructors:
//! those pull `rand` (a ChaCha generator, thread-local state and `getrandom`'s JavaScript shims)
//! into the wasm for 64 random bytes per sign-in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::AuthError;

/// Random bytes behind a PKCE code verifier: 32, as RFC 7636 section 4.1 recommends, giving 43
/// base64url characters.
pub const VERIFIER_BYTES: usize = 32;
/// Random bytes behind `state` and behind `nonce`: 16 each (128 bits), as `oauth2` used.
pub const TOKEN_BYTES: usize = 16;
/// All the random bytes one attempt needs.
pub const ATTEMPT_BYTES: usize = VERIFIER_BYTES + 2 * TOKEN_BYTES;

/// The three secrets of one attempt, each base64url without padding (RFC 7636's unreserved set).
#[derive(Clone, PartialEq, Eq)]
pub struct AttemptSecrets {
    pub verifier: String,
    pub state: String,
    pub nonce: String,
}

impl std::fmt::Debug for AttemptSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttemptSecrets(..)")
    }
}

impl AttemptSecrets {
    /// Returns fresh secrets from the platform's cryptographically secure generator.
    pub fn generate() -> Result<AttemptSecrets, AuthError> {
        let mut bytes = [0u8; ATTEMPT_BYTES];
        fill(&mut bytes)?;
        Ok(AttemptSecrets::from_bytes(&bytes))
    }

    /// Returns the secrets encoded from `bytes`: the first 32 make the verifier, the next 16
    /// the state, the last 16 the nonce.
    pub fn from_bytes(bytes: &[u8; ATTEMPT_BYTES]) -> AttemptSecrets {
        let (verifier, rest) = bytes.split_at(VERIFIER_BYTES);
        let (state, nonce) = rest.split_at(TOKEN_BYTES);
        AttemptSecrets {
            verifier: URL_SAFE_NO_PAD.encode(verifier),
            state: URL_SAFE_NO_PAD.encode(state),
            nonce: URL_SAFE_NO_PAD.encode(nonce),
        }
    }
}

/// Fills `bytes` from `crypto.getRandomValues` (at most 65,536 bytes per call, the Web Crypto limit).
#[cfg(target_arch = "wasm32")]
fn fill(bytes: &mut [u8]) -> Result<(), AuthError> {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(bytes).ok())
        .map(|_| ())
        .ok_or(AuthError::NoRandomness)
}

/// Fills `bytes` from the operating system (native builds exist only for the unit tests).
#[cfg(not(target_arch = "wasm32"))]
fn fill(bytes: &mut [u8]) -> Result<(), AuthError> {
    use std::io::Read as _;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(bytes))
        .map_err(|_| AuthError::NoRandomness)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 section 4.1: 43 to 128 characters of `[A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"`.
    fn is_rfc7636_verifier(v: &str) -> bool {
        (43..=128).contains(&v.len())
            && v.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c))
    }

    #[test]
    fn verifier_is_43_unreserved_chars_and_state_and_nonce_22() {
        for fill_byte in [0x00, 0xff, 0xfb, 0x3e] {
            let s = AttemptSecrets::from_bytes(&[fill_byte; ATTEMPT_BYTES]);
            assert_eq!(s.verifier.len(), 43, "{}", s.verifier);
            assert!(is_rfc7636_verifier(&s.verifier), "{}", s.verifier);
            assert_eq!(s.state.len(), 22);
            assert_eq!(s.nonce.len(), 22);
            for token in [&s.state, &s.nonce] {
                assert!(token
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"-_".contains(&c)));
            }
        }
    }

    #[test]
    fn each_secret_comes_from_its_own_bytes() {
        let mut bytes = [0u8; ATTEMPT_BYTES];
        bytes[VERIFIER_BYTES..VERIFIER_BYTES + TOKEN_BYTES].fill(1);
        bytes[VERIFIER_BYTES + TOKEN_BYTES..].fill(2);
        let s = AttemptSecrets::from_bytes(&bytes);
        assert_eq!(s.verifier, "A".repeat(43));
        assert_eq!(s.state, URL_SAFE_NO_PAD.encode([1u8; TOKEN_BYTES]));
        assert_eq!(s.nonce, URL_SAFE_NO_PAD.encode([2u8; TOKEN_BYTES]));
        assert_ne!(s.state, s.nonce);
    }

    #[test]
    fn rfc7636_appendix_b_bytes_give_its_verifier() {
        // The octets of RFC 7636 appendix B, which encode to its example verifier.
        let octets: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let mut bytes = [0u8; ATTEMPT_BYTES];
        bytes[..VERIFIER_BYTES].copy_from_slice(&octets);
        let s = AttemptSecrets::from_bytes(&bytes);
        assert_eq!(s.verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    #[test]
    fn generated_secrets_differ_and_are_well_formed() {
        let a = AttemptSecrets::generate().unwrap();
        let b = AttemptSecrets::generate().unwrap();
        assert!(is_rfc7636_verifier(&a.verifier));
        assert_ne!(a.verifier, b.verifier);
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, b.nonce);
        assert!(!format!("{a:?}").contains(&a.verifier));
    }
}
