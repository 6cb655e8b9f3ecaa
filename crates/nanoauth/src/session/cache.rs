//! Session checks without a database round trip: recently confirmed
//! sessions, kept in this process for a bounded time.
//!
//! A session token is verified (HMAC) on every request; what the cache
//! saves is the adapter's part, reading the session and its user. The price
//! is the revocation delay: a session revoked through *another* process (or
//! straight in the database) keeps working here until its entry is older
//! than the cache's time to live. Revocations made through this `Auth`
//! (sign-out, revoking sessions, a password reset or change) or announced
//! to it (`Auth::forget_cached`) drop the entries at once, and keep checks
//! that read the store before them from caching what they read. Off by
//! default; see `AuthBuilder::session_cache`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockWriteGuard};

use crate::session::SessionRecord;
use crate::utils::token::TokenHash;

/// Independent locks, chosen by the token hash's first byte, so that
/// concurrent checks of different sessions rarely touch the same lock.
const SHARDS: usize = 16;

/// How many revocations each shard remembers, per kind, before it forgets
/// them all and refuses every insert begun before that point instead.
const TOMBSTONES_PER_SHARD: usize = 1024;

/// Confirmed sessions and their users, by token hash.
///
/// # Revocations win over checks in flight
/// A check reads the session from the adapter, then caches it. A revocation
/// that runs in between (forget, delete, forget) would otherwise be undone
/// by that late insert, and the revoked session served for a whole `ttl`.
/// So a check takes a [`Ticket`] (the revocation count) before it asks the
/// adapter; each revocation takes the next count and leaves a tombstone
/// with it, for the token or for the user, in the shards it sweeps; and an
/// insert whose ticket is older than a tombstone that covers it is dropped.
/// Tombstones are bounded: a shard that has too many forgets them and
/// raises the `floor` below which every ticket is refused, which costs at
/// most a few cache misses.
#[derive(Debug)]
pub(crate) struct SessionCache<U> {
    ttl: u64,
    max_entries_per_shard: usize,
    shards: [RwLock<Shard<U>>; SHARDS],
    /// How many revocations there have been: tickets and tombstones.
    revocations: AtomicU64,
    /// Inserts with a ticket below this are refused.
    floor: AtomicU64,
}

/// What a check holds from before it asked the adapter, to show that its
/// answer is not older than a revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Ticket(u64);

#[derive(Debug)]
struct Shard<U> {
    entries: ByHash<Entry<U>>,
    /// The revocation that last dropped each token.
    revoked_sessions: ByHash<u64>,
    /// The revocation that last dropped each user's sessions.
    revoked_users: HashMap<String, RevokedUser>,
}

#[derive(Debug, Clone)]
struct Entry<U> {
    user: U,
    record: SessionRecord,
    /// When the adapter last confirmed the session (Unix seconds).
    confirmed_at: u64,
}

#[derive(Debug, Clone, Copy)]
struct RevokedUser {
    revocation: u64,
    /// The session that revocation kept (revoke the *other* sessions).
    kept: Option<TokenHash>,
}

/// A map keyed by token hash.
type ByHash<V> = HashMap<TokenHash, V, BuildHasherDefault<HashBits>>;

/// Hashes a [`TokenHash`] by taking 8 of its bytes. They are already the
/// output of SHA-256 over a secret the server drew at random, which no
/// client chooses, so hashing them again (SipHash, the default, keyed
/// against flooding) would buy nothing on every lookup.
#[derive(Debug, Default)]
struct HashBits(u64);

impl Hasher for HashBits {
    fn write(&mut self, bytes: &[u8]) {
        // A token hash is written as its length, then its 32 bytes. Bytes
        // 8 to 15: the first one chooses the shard, so within a shard its
        // bits would all be alike.
        let mut bits = [0u8; 8];
        let part = bytes.get(8..16).unwrap_or(bytes);
        let n = part.len().min(8);
        bits[..n].copy_from_slice(&part[..n]);
        self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(bits);
    }

    fn write_usize(&mut self, _length: usize) {}

    fn finish(&self) -> u64 {
        self.0
    }
}

impl<U> Shard<U> {
    fn new() -> Self {
        Self {
            entries: ByHash::default(),
            revoked_sessions: ByHash::default(),
            revoked_users: HashMap::new(),
        }
    }

    /// Whether a revocation numbered above `ticket` covers `record`.
    fn revoked_since(&self, ticket: Ticket, record: &SessionRecord) -> bool {
        let session = self
            .revoked_sessions
            .get(&record.token_hash)
            .is_some_and(|&revocation| revocation > ticket.0);
        let user = self
            .revoked_users
            .get(&record.user_id)
            .is_some_and(|revoked| {
                revoked.revocation > ticket.0 && revoked.kept != Some(record.token_hash)
            });
        session || user
    }
}

impl<U: Clone> SessionCache<U> {
    /// Entries live `ttl` seconds; at most about `max_entries` are kept.
    pub(crate) fn new(ttl: u64, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries_per_shard: max_entries.div_ceil(SHARDS).max(1),
            shards: std::array::from_fn(|_| RwLock::new(Shard::new())),
            revocations: AtomicU64::new(0),
            floor: AtomicU64::new(0),
        }
    }

    fn shard(&self, hash: &TokenHash) -> &RwLock<Shard<U>> {
        &self.shards[usize::from(hash.as_bytes()[0]) % SHARDS]
    }

    fn write(shard: &RwLock<Shard<U>>) -> RwLockWriteGuard<'_, Shard<U>> {
        shard.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The session and user confirmed for `hash` less than `ttl` seconds
    /// ago, if the session has not expired since.
    pub(crate) fn get(&self, hash: &TokenHash, now: u64) -> Option<(U, SessionRecord)> {
        let shard = self
            .shard(hash)
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = shard.entries.get(hash)?;
        let fresh = now < entry.confirmed_at.saturating_add(self.ttl);
        (fresh && now < entry.record.expires_at).then(|| (entry.user.clone(), entry.record.clone()))
    }

    /// Taken by a check before it asks the adapter, and handed to
    /// [`insert`](Self::insert) with the adapter's answer.
    pub(crate) fn ticket(&self) -> Ticket {
        Ticket(self.revocations.load(Ordering::SeqCst))
    }

    /// Remembers that the adapter confirmed this session at `now`, unless a
    /// revocation of the session or its user came after `ticket` was taken.
    /// Returns whether it was cached.
    pub(crate) fn insert(
        &self,
        ticket: Ticket,
        user: &U,
        record: &SessionRecord,
        now: u64,
    ) -> bool {
        let mut shard = Self::write(self.shard(&record.token_hash));
        // Read under the shard lock that every revocation of this shard
        // takes to leave its tombstone or raise the floor.
        if ticket.0 < self.floor.load(Ordering::SeqCst) || shard.revoked_since(ticket, record) {
            return false;
        }
        if shard.entries.len() >= self.max_entries_per_shard {
            // Full: drop what is stale; if nothing is, start over. A cache
            // miss costs one lookup, never correctness.
            let ttl = self.ttl;
            shard
                .entries
                .retain(|_, entry| now < entry.confirmed_at.saturating_add(ttl));
            if shard.entries.len() >= self.max_entries_per_shard {
                shard.entries.clear();
            }
        }
        shard.entries.insert(
            record.token_hash,
            Entry {
                user: user.clone(),
                record: record.clone(),
                confirmed_at: now,
            },
        );
        true
    }

    /// The number of a new revocation: above every ticket taken so far.
    fn next_revocation(&self) -> u64 {
        self.revocations.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Refuses every ticket taken so far. Called under a shard's lock, it
    /// makes that shard's tombstones redundant: each was left by a
    /// revocation numbered at most the current count.
    fn raise_floor(&self) {
        let latest = self.revocations.load(Ordering::SeqCst);
        self.floor.fetch_max(latest, Ordering::SeqCst);
    }

    /// Forgets one session, and keeps checks in flight from caching it.
    pub(crate) fn forget(&self, hash: &TokenHash) {
        let revocation = self.next_revocation();
        let mut shard = Self::write(self.shard(hash));
        shard.entries.remove(hash);
        if shard.revoked_sessions.len() >= TOMBSTONES_PER_SHARD {
            self.raise_floor();
            shard.revoked_sessions.clear();
        }
        shard.revoked_sessions.insert(*hash, revocation);
    }

    /// Forgets everything, and keeps checks in flight from caching anything.
    pub(crate) fn clear(&self) {
        self.next_revocation();
        for shard in &self.shards {
            let mut shard = Self::write(shard);
            self.raise_floor();
            shard.entries.clear();
            shard.revoked_sessions.clear();
            shard.revoked_users.clear();
        }
    }

    /// Forgets every session of `user_id` except `keep`, and keeps checks in
    /// flight from caching them.
    pub(crate) fn forget_user(&self, user_id: &str, keep: Option<&TokenHash>) {
        let revocation = self.next_revocation();
        for shard in &self.shards {
            let mut shard = Self::write(shard);
            shard
                .entries
                .retain(|hash, entry| entry.record.user_id != user_id || Some(hash) == keep);
            if shard.revoked_users.len() >= TOMBSTONES_PER_SHARD
                && !shard.revoked_users.contains_key(user_id)
            {
                self.raise_floor();
                shard.revoked_users.clear();
            }
            // A session kept by this revocation but not by an earlier one
            // the tombstone still stands for is kept by neither.
            let kept = match shard.revoked_users.get(user_id) {
                Some(earlier) if earlier.kept != keep.copied() => None,
                _ => keep.copied(),
            };
            shard
                .revoked_users
                .insert(user_id.to_owned(), RevokedUser { revocation, kept });
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
        cache.insert(cache.ticket(), &"user", &session, 100);
        assert!(cache.get(&session.token_hash, 159).is_some());
        assert!(
            cache.get(&session.token_hash, 160).is_none(),
            "older than the ttl"
        );

        let ending = record("b", "u1", 130);
        cache.insert(cache.ticket(), &"user", &ending, 100);
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
            cache.insert(cache.ticket(), &"user", session, 100);
        }
        cache.forget(&a.token_hash);
        assert!(cache.get(&a.token_hash, 100).is_none());
        assert!(cache.get(&b.token_hash, 100).is_some());

        cache.insert(cache.ticket(), &"user", &a, 100);
        cache.forget_user("u1", Some(&b.token_hash));
        assert!(cache.get(&a.token_hash, 100).is_none());
        assert!(cache.get(&b.token_hash, 100).is_some(), "kept");
        assert!(cache.get(&c.token_hash, 100).is_some(), "another user's");
    }

    #[test]
    fn a_full_cache_stays_bounded() {
        let cache = SessionCache::new(60, SHARDS);
        for n in 0..1_000 {
            cache.insert(
                cache.ticket(),
                &"user",
                &record(&n.to_string(), "u", 1_000),
                100,
            );
        }
        let total: usize = cache
            .shards
            .iter()
            .map(|shard| shard.read().map(|s| s.entries.len()).unwrap_or_default())
            .sum();
        assert!(total <= SHARDS, "{total} entries");
    }

    #[test]
    fn a_check_that_began_before_a_revocation_caches_nothing() {
        let cache = SessionCache::new(60, 100);
        let (a, b) = (record("a", "u1", 1_000), record("b", "u1", 1_000));
        let before = cache.ticket();
        cache.forget(&a.token_hash);
        assert!(!cache.insert(before, &"user", &a, 100), "revoked since");
        assert!(cache.get(&a.token_hash, 100).is_none());
        assert!(cache.insert(before, &"user", &b, 100), "another token");
        assert!(
            cache.insert(cache.ticket(), &"user", &a, 100),
            "a check that began after the revocation read the store after it"
        );
    }

    #[test]
    fn a_revocation_of_a_user_blocks_checks_in_flight_but_the_kept_session() {
        let cache = SessionCache::new(60, 100);
        let (a, b, c) = (
            record("a", "u1", 1_000),
            record("b", "u1", 1_000),
            record("c", "u2", 1_000),
        );
        let before = cache.ticket();
        cache.forget_user("u1", Some(&b.token_hash));
        assert!(!cache.insert(before, &"user", &a, 100));
        assert!(cache.insert(before, &"user", &b, 100), "kept");
        assert!(cache.insert(before, &"user", &c, 100), "another user's");

        // A second revocation that keeps nothing covers the kept one too.
        let before = cache.ticket();
        cache.forget_user("u1", None);
        assert!(!cache.insert(before, &"user", &b, 100));
    }

    #[test]
    fn clearing_blocks_every_check_in_flight() {
        let cache = SessionCache::new(60, 100);
        let a = record("a", "u1", 1_000);
        let before = cache.ticket();
        cache.clear();
        assert!(!cache.insert(before, &"user", &a, 100));
        assert!(cache.insert(cache.ticket(), &"user", &a, 100));
    }

    #[test]
    fn tombstones_stay_bounded_and_still_block() {
        let cache = SessionCache::new(60, 100);
        let a = record("a", "u1", 1_000);
        let before = cache.ticket();
        cache.forget(&a.token_hash);
        // Far more revocations than any shard remembers.
        for n in 0..(TOMBSTONES_PER_SHARD * SHARDS * 2) {
            cache.forget(&TokenHash::of(&n.to_string()));
            cache.forget_user(&n.to_string(), None);
        }
        for shard in &cache.shards {
            let shard = shard.read().unwrap_or_else(PoisonError::into_inner);
            assert!(shard.revoked_sessions.len() <= TOMBSTONES_PER_SHARD);
            assert!(shard.revoked_users.len() <= TOMBSTONES_PER_SHARD);
        }
        assert!(!cache.insert(before, &"user", &a, 100), "still refused");
        assert!(cache.insert(cache.ticket(), &"user", &a, 100));
    }
}
