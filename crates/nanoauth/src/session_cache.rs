//! Session checks without a database round trip: recently confirmed
//! sessions, kept in this process for a bounded time.
//!
//! A session token is verified (HMAC) on every request; what the cache
//! saves is the adapter's part, reading the session and its user. The price
//! is the revocation delay: a session revoked through *another* process (or
//! straight in the database) keeps working here until its entry is older
//! than the cache's time to live. Revocations made through this `Auth`
//! (sign-out, revoking sessions, a password reset or change) drop the
//! entries at once. Off by default; see `AuthBuilder::session_cache`.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use crate::session::SessionRecord;
use crate::utils::token::TokenHash;

/// Independent locks, chosen by the token hash's first byte, so that
/// concurrent checks of different sessions rarely touch the same lock.
const SHARDS: usize = 16;

/// Confirmed sessions and their users, by token hash.
#[derive(Debug)]
pub(crate) struct SessionCache<U> {
    ttl: u64,
    max_entries_per_shard: usize,
    shards: [RwLock<HashMap<TokenHash, Entry<U>>>; SHARDS],
}

#[derive(Debug, Clone)]
struct Entry<U> {
    user: U,
    record: SessionRecord,
    /// When the adapter last confirmed the session (Unix seconds).
    confirmed_at: u64,
}

impl<U: Clone> SessionCache<U> {
    /// Entries live `ttl` seconds; at most about `max_entries` are kept.
    pub(crate) fn new(ttl: u64, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries_per_shard: max_entries.div_ceil(SHARDS).max(1),
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
        }
    }

    fn shard(&self, hash: &TokenHash) -> &RwLock<HashMap<TokenHash, Entry<U>>> {
        &self.shards[usize::from(hash.as_bytes()[0]) % SHARDS]
    }

    /// The session and user confirmed for `hash` less than `ttl` seconds
    /// ago, if the session has not expired since.
    pub(crate) fn get(&self, hash: &TokenHash, now: u64) -> Option<(U, SessionRecord)> {
        let shard = self
            .shard(hash)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = shard.get(hash)?;
        let fresh = now < entry.confirmed_at.saturating_add(self.ttl);
        (fresh && now < entry.record.expires_at).then(|| (entry.user.clone(), entry.record.clone()))
    }

    /// Remembers that the adapter confirmed this session at `now`.
    pub(crate) fn insert(&self, user: &U, record: &SessionRecord, now: u64) {
        let mut shard = self
            .shard(&record.token_hash)
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        if shard.len() >= self.max_entries_per_shard {
            // Full: drop what is stale; if nothing is, start over. A cache
            // miss costs one lookup, never correctness.
            let ttl = self.ttl;
            shard.retain(|_, entry| now < entry.confirmed_at.saturating_add(ttl));
            if shard.len() >= self.max_entries_per_shard {
                shard.clear();
            }
        }
        shard.insert(
            record.token_hash,
            Entry {
                user: user.clone(),
                record: record.clone(),
                confirmed_at: now,
            },
        );
    }

    /// Forgets one session.
    pub(crate) fn forget(&self, hash: &TokenHash) {
        self.shard(hash)
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(hash);
    }

    /// Forgets everything.
    pub(crate) fn clear(&self) {
        for shard in &self.shards {
            shard
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
        }
    }

    /// Forgets every session of `user_id` except `keep`.
    pub(crate) fn forget_user(&self, user_id: &str, keep: Option<&TokenHash>) {
        for shard in &self.shards {
            shard
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|hash, entry| entry.record.user_id != user_id || Some(hash) == keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(secret: &str, user: &str, expires_at: u64) -> SessionRecord {
        SessionRecord::new(
            format!("id-{secret}"),
            TokenHash::of(secret),
            user.to_owned(),
            0,
            0,
            expires_at,
            None,
            None,
        )
    }

    #[test]
    fn entries_live_for_the_ttl_and_never_past_the_session() {
        let cache = SessionCache::new(60, 100);
        let session = record("a", "u1", 1_000);
        cache.insert(&"user", &session, 100);
        assert!(cache.get(&session.token_hash, 159).is_some());
        assert!(
            cache.get(&session.token_hash, 160).is_none(),
            "older than the ttl"
        );

        let ending = record("b", "u1", 130);
        cache.insert(&"user", &ending, 100);
        assert!(cache.get(&ending.token_hash, 129).is_some());
        assert!(
            cache.get(&ending.token_hash, 130).is_none(),
            "the session expired"
        );
    }

    #[test]
    fn forgetting_drops_one_session_or_all_of_a_user() {
        let cache = SessionCache::new(60, 100);
        let (a, b, c) = (
            record("a", "u1", 1_000),
            record("b", "u1", 1_000),
            record("c", "u2", 1_000),
        );
        for session in [&a, &b, &c] {
            cache.insert(&"user", session, 100);
        }
        cache.forget(&a.token_hash);
        assert!(cache.get(&a.token_hash, 100).is_none());
        assert!(cache.get(&b.token_hash, 100).is_some());

        cache.insert(&"user", &a, 100);
        cache.forget_user("u1", Some(&b.token_hash));
        assert!(cache.get(&a.token_hash, 100).is_none());
        assert!(cache.get(&b.token_hash, 100).is_some(), "kept");
        assert!(cache.get(&c.token_hash, 100).is_some(), "another user's");
    }

    #[test]
    fn a_full_cache_stays_bounded() {
        let cache = SessionCache::new(60, SHARDS);
        for n in 0..1_000 {
            cache.insert(&"user", &record(&n.to_string(), "u", 1_000), 100);
        }
        let total: usize = cache
            .shards
            .iter()
            .map(|shard| shard.read().map(|s| s.len()).unwrap_or_default())
            .sum();
        assert!(total <= SHARDS, "{total} entries");
    }
}
