//! better-auth's password hashes: scrypt, stored as `salt:key` in hex.
//!
//! better-auth 1.x (`@better-auth/utils/password`) draws 16 random bytes,
//! writes them as 32 lowercase hex characters, and passes *that hex string*
//! (its 32 ASCII bytes, not the 16 bytes it encodes) as the scrypt salt,
//! with N = 16384, r = 16, p = 1 and a 64-byte key, over the
//! NFKC-normalised password. The stored form is `{salt}:{hex(key)}`.
//!
//! Only that exact shape is recognised (32 + 1 + 128 lowercase hex
//! characters), so a column holding something else that merely contains a
//! colon is never mistaken for one. Used only when an application opts in
//! ([`PasswordHasher::accept_better_auth_scrypt`](super::PasswordHasher::accept_better_auth_scrypt)).

use subtle::ConstantTimeEq as _;

/// scrypt's cost: log2(N) with N = 16384.
const LOG_N: u8 = 14;
/// scrypt's block size.
const R: u32 = 16;
/// scrypt's parallelism.
const P: u32 = 1;
/// The derived key's length in bytes.
const KEY_LEN: usize = 64;
/// The salt as stored: 16 random bytes written as hex.
const SALT_HEX_LEN: usize = 32;

/// A parsed better-auth hash: the salt exactly as scrypt gets it (the hex
/// text) and the expected key.
pub(super) struct BetterAuthHash<'a> {
    salt: &'a str,
    key: [u8; KEY_LEN],
}

impl<'a> BetterAuthHash<'a> {
    /// Parses `salt:key`; `None` for anything not of better-auth's shape.
    pub(super) fn parse(stored: &'a str) -> Option<Self> {
        let (salt, key_hex) = stored.split_once(':')?;
        if salt.len() != SALT_HEX_LEN || !is_lower_hex(salt) || key_hex.len() != KEY_LEN * 2 {
            return None;
        }
        let mut key = [0u8; KEY_LEN];
        for (byte, pair) in key.iter_mut().zip(key_hex.as_bytes().chunks_exact(2)) {
            *byte = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Some(Self { salt, key })
    }

    /// Whether `normalized` (the NFKC form of the password) derives the
    /// stored key. Costs one scrypt run (about 75 ms and 16 MiB); the
    /// comparison is constant-time.
    pub(super) fn matches(&self, normalized: &str) -> Result<bool, super::PasswordError> {
        let params = scrypt::Params::new(LOG_N, R, P).map_err(|_| super::PasswordError)?;
        let mut derived = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        scrypt::scrypt(
            normalized.as_bytes(),
            self.salt.as_bytes(),
            &params,
            derived.as_mut_slice(),
        )
        .map_err(|_| super::PasswordError)?;
        Ok(bool::from(derived.as_slice().ct_eq(&self.key)))
    }
}

fn is_lower_hex(text: &str) -> bool {
    text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// better-auth writes lowercase hex (`Buffer::toString("hex")`); uppercase
/// is not its output and is refused like any other stranger.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_better_auths_exact_shape_parses() {
        let salt = "0123456789abcdef0123456789abcdef";
        let key = "ab".repeat(64);
        assert!(BetterAuthHash::parse(&format!("{salt}:{key}")).is_some());
        // Uppercase, short parts, extra parts, PHC strings: not better-auth's.
        assert!(BetterAuthHash::parse(&format!("{}:{key}", salt.to_uppercase())).is_none());
        assert!(BetterAuthHash::parse(&format!("{salt}:{}", key.to_uppercase())).is_none());
        assert!(BetterAuthHash::parse(&format!("abcd:{key}")).is_none());
        assert!(BetterAuthHash::parse(&format!("{salt}:abcd")).is_none());
        assert!(BetterAuthHash::parse(&format!("{salt}:{key}:00")).is_none());
        assert!(BetterAuthHash::parse("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA").is_none());
    }
}
