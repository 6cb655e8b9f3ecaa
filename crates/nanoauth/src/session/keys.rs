//! Signing keys derived from the application's secrets.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

use crate::utils::jwt::Hs256Key;

/// Secrets shorter than this are refused: HS256 wants a key at least as long
/// as its output (RFC 7518 §3.2).
pub const MIN_SECRET_LEN: usize = 32;

/// The session-token keys: the first signs, all verify.
///
/// Each key is derived from a configured secret with HKDF-SHA-256 (RFC 5869)
/// under a purpose label, so the same secret can later feed other purposes
/// without one key ever serving two. Each key's `kid` is a short hash of the
/// derived key: stable across restarts, revealing nothing about the secret,
/// and it lets verification pick the right key during a rotation.
#[derive(Clone)]
pub(crate) struct KeyRing {
    keys: Vec<Hs256Key>,
    /// HKDF state of each secret, in order, for plugins' own purposes.
    roots: Vec<Hkdf<Sha256>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("keys", &self.keys.len())
            .finish_non_exhaustive()
    }
}

const SESSION_KEY_INFO: &[u8] = b"nanoauth session token v1";
/// Prefixed to a plugin's purpose label, so that no purpose can name the
/// session key's label.
const PURPOSE_KEY_INFO: &[u8] = b"nanoauth purpose key v1:";

impl KeyRing {
    /// Derives one key per secret. The caller has checked there is at least
    /// one secret and each is long enough.
    pub(crate) fn derive(secrets: &[Vec<u8>]) -> Self {
        let keys = secrets
            .iter()
            .map(|secret| {
                let mut key = [0u8; 32];
                // 32 bytes is far below HKDF-SHA-256's 8160-byte output limit.
                let _ = Hkdf::<Sha256>::new(None, secret).expand(SESSION_KEY_INFO, &mut key);
                let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(key)[..6]);
                Hs256Key::new(key).with_kid(kid)
            })
            .collect();
        let roots = secrets
            .iter()
            .map(|secret| Hkdf::<Sha256>::new(None, secret))
            .collect();
        Self { keys, roots }
    }

    /// One 32-byte key per secret, in the secrets' order, for `purpose`.
    pub(crate) fn purpose_keys(&self, purpose: &str) -> Vec<[u8; 32]> {
        self.roots
            .iter()
            .map(|root| {
                let mut key = [0u8; 32];
                // Two info parts, concatenated by HKDF: the prefix, then the label.
                let _ = root.expand_multi_info(&[PURPOSE_KEY_INFO, purpose.as_bytes()], &mut key);
                key
            })
            .collect()
    }

    /// The key new tokens are signed with.
    pub(crate) fn signing(&self) -> Option<&Hs256Key> {
        self.keys.first()
    }

    /// Every key a token may have been signed with.
    pub(crate) fn verifying(&self) -> &[Hs256Key] {
        &self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kids_are_stable_and_distinct() {
        let a = KeyRing::derive(&[vec![1; 32], vec![2; 32]]);
        let b = KeyRing::derive(&[vec![1; 32]]);
        assert_eq!(a.verifying()[0].kid(), b.verifying()[0].kid());
        assert_ne!(a.verifying()[0].kid(), a.verifying()[1].kid());
    }

    #[test]
    fn purpose_keys_follow_the_secrets_and_differ_by_purpose() {
        let ring = KeyRing::derive(&[vec![1; 32], vec![2; 32]]);
        let totp = ring.purpose_keys("two-factor totp");
        assert_eq!(totp.len(), 2);
        assert_ne!(totp[0], totp[1]);
        assert_ne!(totp[0], ring.purpose_keys("two-factor codes")[0]);
        assert_eq!(
            totp[1],
            KeyRing::derive(&[vec![2; 32]]).purpose_keys("two-factor totp")[0]
        );
    }
}
