//! The key layout: every key this crate reads or writes is named here.
//!
//! ```text
//! {prefix}session:{token_hash_hex}              string: the session as JSON, EXAT its expiry
//! {prefix}user-sessions:{user_id}               sorted set: token hash hex scored by expiry
//! {prefix}verification:{purpose}:{token_hash}   string: the token record as JSON, EXAT its expiry
//! {prefix}counter:{key}                         integer: a fixed-window counter
//! {prefix}revocations                           pub/sub channel: revoked sessions
//! ```
//!
//! The variable part always comes last, and a token hash is exactly 64 hex
//! characters, so no two distinct inputs can name the same key even when a
//! user id or purpose contains `:`.
//!
//! On a Redis Cluster, the session keys and the users' indexes carry the
//! hash tag `{sessions}` after the prefix:
//!
//! ```text
//! {prefix}{sessions}:session:{token_hash_hex}
//! {prefix}{sessions}:user-sessions:{user_id}
//! ```
//!
//! A session is found by its token hash alone (`validate_token`) and a
//! user's sessions by the user id alone (`list_sessions`), while every write
//! script touches a session and its owner's index (and, when a hash changes
//! owner, the former owner's index) atomically: the only grouping every
//! script's keys share is all of them, so they all live in the tag's one
//! slot. Verification tokens and counters are single-key and spread over
//! the cluster. On a single server the tag is left out, so the keys stay
//! those of earlier versions.

use nanoauth::utils::token::TokenHash;

/// The prefix used when none is configured.
pub(crate) const DEFAULT_PREFIX: &str = "nanoauth:";

/// Builds the keys under one prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Keys {
    prefix: String,
    /// `{sessions}:` on a cluster (see the module's documentation), else empty.
    sessions_tag: &'static str,
}

/// The hash tag that puts every session key and index in one cluster slot.
const SESSIONS_TAG: &str = "{sessions}:";

impl Keys {
    pub(crate) fn new(prefix: String) -> Self {
        Self {
            prefix,
            sessions_tag: "",
        }
    }

    /// The layout for a Redis Cluster: sessions and indexes in one slot.
    pub(crate) fn cluster(prefix: String) -> Self {
        Self {
            prefix,
            sessions_tag: SESSIONS_TAG,
        }
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(crate) fn is_cluster(&self) -> bool {
        !self.sessions_tag.is_empty()
    }

    pub(crate) fn session(&self, token_hash: &TokenHash) -> String {
        format!("{}{}", self.session_prefix(), token_hash.to_hex())
    }

    /// The channel revocations are announced on.
    pub(crate) fn revocations(&self) -> String {
        format!("{}revocations", self.prefix)
    }

    /// What the Lua scripts prepend to an index member to find its session.
    pub(crate) fn session_prefix(&self) -> String {
        format!("{}{}session:", self.prefix, self.sessions_tag)
    }

    pub(crate) fn user_sessions(&self, user_id: &str) -> String {
        format!("{}{user_id}", self.user_sessions_prefix())
    }

    /// What the Lua scripts prepend to a stored record's `user_id` to find
    /// the index it belongs to.
    pub(crate) fn user_sessions_prefix(&self) -> String {
        format!("{}{}user-sessions:", self.prefix, self.sessions_tag)
    }

    /// The `SCAN .. MATCH` pattern of every user's index: the prefix's glob
    /// characters escaped, so that a prefix such as `app[1]:` matches itself.
    pub(crate) fn user_sessions_pattern(&self) -> String {
        let mut pattern = String::new();
        for c in self.user_sessions_prefix().chars() {
            if matches!(c, '*' | '?' | '[' | ']' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('*');
        pattern
    }

    pub(crate) fn verification(&self, purpose: &str, token_hash: &TokenHash) -> String {
        format!(
            "{}verification:{purpose}:{}",
            self.prefix,
            token_hash.to_hex()
        )
    }

    pub(crate) fn counter(&self, key: &str) -> String {
        format!("{}counter:{key}", self.prefix)
    }
}

impl Default for Keys {
    fn default() -> Self {
        Self::new(DEFAULT_PREFIX.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_documented() {
        let keys = Keys::default();
        let hash = TokenHash::of("abc");
        let hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(keys.session(&hash), format!("nanoauth:session:{hex}"));
        assert_eq!(keys.user_sessions("u1"), "nanoauth:user-sessions:u1");
        assert_eq!(
            keys.verification("magic-link", &hash),
            format!("nanoauth:verification:magic-link:{hex}")
        );
        assert_eq!(keys.counter("ip:1.2.3.4"), "nanoauth:counter:ip:1.2.3.4");
    }

    #[test]
    fn the_cluster_layout_tags_sessions_and_indexes() {
        let keys = Keys::cluster("app:".to_owned());
        let hash = TokenHash::of("abc");
        let hex = hash.to_hex();
        assert_eq!(
            keys.session(&hash),
            format!("app:{{sessions}}:session:{hex}")
        );
        assert_eq!(keys.user_sessions("u1"), "app:{sessions}:user-sessions:u1");
        assert_eq!(
            keys.user_sessions_pattern(),
            "app:{sessions}:user-sessions:*"
        );
        // Single-key records are not tagged: they spread over the cluster.
        assert_eq!(
            keys.verification("magic-link", &hash),
            format!("app:verification:magic-link:{hex}")
        );
        assert_eq!(keys.counter("k"), "app:counter:k");
        assert_eq!(keys.revocations(), "app:revocations");
    }

    #[test]
    fn the_index_pattern_escapes_the_prefix() {
        assert_eq!(
            Keys::default().user_sessions_pattern(),
            "nanoauth:user-sessions:*"
        );
        assert_eq!(
            Keys::new("a*b?[c]\\:".to_owned()).user_sessions_pattern(),
            "a\\*b\\?\\[c\\]\\\\:user-sessions:*"
        );
    }

    #[test]
    fn script_prefixes_match_the_keys() {
        let keys = Keys::new("app:".to_owned());
        let hash = TokenHash::of("abc");
        assert_eq!(
            format!("{}{}", keys.session_prefix(), hash.to_hex()),
            keys.session(&hash)
        );
        assert_eq!(
            format!("{}{}", keys.user_sessions_prefix(), "o'brien:1"),
            keys.user_sessions("o'brien:1")
        );
    }
}
