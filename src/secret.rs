//! [`Secret`]: text that must not outlive its use, such as a Temporary Access Pass.
//!
//! Best effort only: the bytes this type owns are overwritten with zeros when it is dropped,
//! but copies made elsewhere are not (the JSON text Graph answered with, the JavaScript strings
//! the DOM and the clipboard hold, a hand-over message built from it). It keeps the pass out of
//! debug prints and shortens how long the page's own copy lives in wasm memory.

use serde::{Deserialize, Deserializer};

/// A string whose `Debug` never shows it and whose memory is zeroed on drop.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value` (its buffer is moved, not copied).
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The secret itself, for the few places that must show or send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Number of characters (for a masked view of the same length).
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Secret, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        wipe(&mut std::mem::take(&mut self.0).into_bytes());
    }
}

/// Overwrites every byte of `bytes`' allocation (its spare capacity too) with zeros, in writes
/// the compiler may not remove.
fn wipe(bytes: &mut Vec<u8>) {
    let (ptr, capacity) = (bytes.as_mut_ptr(), bytes.capacity());
    for i in 0..capacity {
        // SAFETY: `ptr` points to an allocation of `capacity` bytes owned by `bytes`, borrowed
        // mutably for this whole loop; `u8` has no invalid values.
        unsafe { std::ptr::write_volatile(ptr.add(i), 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let s = Secret::new("Xy3!kQ9+".to_owned());
        assert_eq!(format!("{s:?}"), "Secret(<hidden>)");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(Secret(<hidden>))");
        assert_eq!(format!("{s:#?}"), "Secret(<hidden>)");
        assert_eq!(s.expose(), "Xy3!kQ9+");
        assert_eq!(s.chars(), 8);
    }

    #[test]
    fn deserializes_from_a_json_string() {
        let s: Secret = serde_json::from_str(r#""+ab\u0021""#).unwrap();
        assert_eq!(s.expose(), "+ab!");
    }

    #[test]
    fn wipe_zeroes_the_whole_allocation() {
        let mut bytes = Vec::with_capacity(32);
        bytes.extend_from_slice(b"Xy3!kQ9+");
        bytes.truncate(4); // "kQ9+" now sits in the spare capacity
        wipe(&mut bytes);
        // SAFETY: `wipe` wrote every byte of the allocation, so all of it is initialised.
        let all = unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.capacity()) };
        assert!(all.len() >= 32 && all.iter().all(|b| *b == 0), "{all:?}");
    }
}
