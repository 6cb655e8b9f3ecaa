//! Random tokens, identifiers and their at-rest hashes.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The operating system's random number generator failed.
///
/// This practically never happens on a working machine; it is an error rather
/// than a panic so that a request can never reach one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomError;

impl std::fmt::Display for RandomError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the operating system's random number generator failed")
    }
}

impl std::error::Error for RandomError {}

/// Returns `N` bytes from the operating system's CSPRNG.
///
/// ```
/// let bytes: [u8; 16] = nanoauth::utils::token::random_bytes()?;
/// assert_ne!(bytes, [0; 16]);
/// # Ok::<(), nanoauth::utils::token::RandomError>(())
/// ```
///
/// # Errors
/// [`RandomError`] when the operating system cannot provide randomness.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|_| RandomError)?;
    Ok(bytes)
}

/// A URL-safe secret token of 256 bits (43 base64url characters).
///
/// ```
/// let token = nanoauth::utils::token::random_token()?;
/// assert_eq!(token.len(), 43);
/// # Ok::<(), nanoauth::utils::token::RandomError>(())
/// ```
///
/// # Errors
/// [`RandomError`] when the operating system cannot provide randomness.
pub fn random_token() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<32>()?))
}

/// A URL-safe random identifier of 128 bits (22 base64url characters), for
/// values that must be unique but are not secret (user and session ids).
///
/// # Errors
/// [`RandomError`] when the operating system cannot provide randomness.
pub fn random_id() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<16>()?))
}

/// SHA-256 of a secret token, as stored at rest instead of the token itself.
///
/// A database dump then holds nothing that can be presented back to us: the
/// token has 256 bits of entropy, so no salt or slow hash is needed.
///
/// ```
/// use nanoauth::utils::token::TokenHash;
/// let a = TokenHash::of("secret");
/// assert_eq!(a, TokenHash::of("secret"));
/// assert_ne!(a, TokenHash::of("other"));
/// assert_eq!(a.to_hex().len(), 64);
/// ```
#[derive(Clone, Copy, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// Hashes `token`.
    pub fn of(token: &str) -> Self {
        Self(Sha256::digest(token.as_bytes()).into())
    }

    /// Rebuilds a hash from its 32 raw bytes (as read back from storage).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses the lowercase hex form written by [`TokenHash::to_hex`].
    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            let text = std::str::from_utf8(pair).ok()?;
            *byte = u8::from_str_radix(text, 16).ok()?;
        }
        Some(Self(out))
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, 64 characters: the form SQL adapters store.
    pub fn to_hex(&self) -> String {
        use std::fmt::Write as _;
        self.0.iter().fold(String::with_capacity(64), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }
}

/// Constant time, so that comparing hashes leaks nothing through timing.
impl PartialEq for TokenHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl std::hash::Hash for TokenHash {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The hash is not the secret, but there is no reason to print it either.
        f.write_str("TokenHash(..)")
    }
}

/// Compares two byte strings in constant time (for equal lengths).
///
/// ```
/// use nanoauth::utils::token::constant_time_eq;
/// assert!(constant_time_eq(b"abc", b"abc"));
/// assert!(!constant_time_eq(b"abc", b"abd"));
/// ```
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_url_safe() -> Result<(), RandomError> {
        let a = random_token()?;
        let b = random_token()?;
        assert_ne!(a, b);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_eq!(random_id()?.len(), 22);
        Ok(())
    }

    #[test]
    fn hex_round_trips() {
        let hash = TokenHash::of("abc");
        assert_eq!(TokenHash::from_hex(&hash.to_hex()), Some(hash));
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            hash.to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(TokenHash::from_hex("zz"), None);
        assert_eq!(TokenHash::from_hex(&"g".repeat(64)), None);
    }
}
