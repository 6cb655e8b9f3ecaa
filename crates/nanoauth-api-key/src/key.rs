//! The key itself: a versioned, recognisable format, and what is stored.

use nanoauth::utils::token::{RandomError, TokenHash, random_token};

/// Every key starts with this: secret scanners and people recognise it.
pub const PREFIX: &str = "na_";
/// The format version in the key (`na_v1_...`): a later format can be
/// told apart, and keys of this one keep working.
const VERSION: &str = "v1_";
/// How much of the key lists show (the prefix, version and 6 characters).
const VISIBLE: usize = PREFIX.len() + VERSION.len() + 6;

/// A new key: `na_v1_` and 256 random bits in base64url.
pub(crate) fn generate() -> Result<String, RandomError> {
    Ok(format!("{PREFIX}{VERSION}{}", random_token()?))
}

/// Whether `text` has the shape of one of our keys (cheap, before a lookup).
pub(crate) fn looks_like_key(text: &str) -> bool {
    text.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_prefix(VERSION))
        .is_some_and(|secret| {
            secret.len() == 43
                && secret
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        })
}

/// The storage key: SHA-256 of the whole key (256 random bits need no slow
/// hash), so a database dump holds no working key.
pub(crate) fn storage_key(key: &str) -> String {
    TokenHash::of(key).to_hex()
}

/// The start of the key, shown in lists.
pub(crate) fn visible_start(key: &str) -> String {
    key.chars().take(VISIBLE).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_recognisable_and_distinct() -> Result<(), RandomError> {
        let (a, b) = (generate()?, generate()?);
        assert!(a.starts_with("na_v1_"));
        assert_eq!(a.len(), 6 + 43);
        assert!(looks_like_key(&a));
        assert_ne!(a, b);
        assert_eq!(visible_start(&a).len(), 12);
        assert!(!looks_like_key("na_v2_abc"));
        assert!(!looks_like_key(&format!("{a}x")));
        assert!(!looks_like_key("Bearer something"));
        assert_ne!(storage_key(&a), storage_key(&b));
        Ok(())
    }
}
