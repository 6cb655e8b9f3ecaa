//! # NanoAuth on Redis
//!
//! Redis as secondary storage for [NanoAuth](nanoauth): users stay in the
//! application's database (any [`Adapter`](nanoauth::Adapter), usually SQL),
//! while sessions and single-use verification tokens live in Redis, where
//! each one expires by itself.
//!
//! ```no_run
//! use nanoauth::adapter::memory::MemoryAdapter;
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth::{Auth, BasicUser};
//! use nanoauth_redis::{RedisCounters, RedisSessions, RedisStore};
//!
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = RedisStore::builder("redis://127.0.0.1:6379")
//!     .prefix("myapp:")
//!     .connect()
//!     .await?;
//! // Users in the application's own adapter (an SQL one in practice).
//! let adapter = RedisSessions::new(MemoryAdapter::<BasicUser>::new(), store.clone());
//! let auth = Auth::builder(adapter)
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .build()?;
//!
//! // The same connection counts requests, for rate limiting.
//! let counters = RedisCounters::new(store);
//! let attempts = counters.increment("sign-in:203.0.113.7", 60).await?;
//! # Ok(()) }
//! ```
//!
//! ## The pieces
//! - [`RedisStore`]: one connection (reconnecting by itself) and one key
//!   prefix, built from a URL with [`RedisStore::builder`], or from some
//!   nodes of a Redis Cluster with [`RedisStore::cluster_builder`].
//! - [`RedisSessions`]: the [`Adapter`](nanoauth::Adapter) to give `Auth`:
//!   users from the inner adapter, sessions and verification tokens in
//!   Redis; [`RedisSessions::inner`] reaches the inner adapter's own methods.
//! - [`RedisCounters`]: atomic fixed-window counters, for rate limiting.
//! - [`follow_revocations`]: with the core's session cache on, applies the
//!   revocations every process announces (each deleted session is published
//!   on `{prefix}revocations`) to this process's cache at once.
//!
//! ## Keys
//! | key | type | holds | expires |
//! |---|---|---|---|
//! | `{prefix}session:{token_hash_hex}` | string | the session as JSON | at its `expires_at` |
//! | `{prefix}user-sessions:{user_id}` | sorted set | token hash hex, scored by expiry | with the user's last session |
//! | `{prefix}verification:{purpose}:{token_hash_hex}` | string | the token record as JSON | at its `expires_at` |
//! | `{prefix}counter:{key}` | integer | a count | at the end of its window |
//! | `{prefix}revocations` | pub/sub channel | `s:{token_hash_hex}`, `u:{user_id}` per revocation | (not stored) |
//!
//! On a Redis Cluster the session keys and the users' indexes carry the hash
//! tag `{sessions}` after the prefix (`{prefix}{sessions}:session:…`,
//! `{prefix}{sessions}:user-sessions:…`): a session is found by its token
//! hash alone and a user's sessions by the user id alone, while each write
//! script changes a session and its owner's index together, atomically; so
//! they all share the tag's one slot (one primary and its replicas hold
//! every session of the prefix). Verification tokens and counters, one key
//! each, spread over the cluster. Revocations are plain `PUBLISH`es, which a
//! cluster delivers to the subscribers of every node.
//!
//! The prefix defaults to `nanoauth:`. Only SHA-256 hashes of tokens are
//! stored, never the tokens themselves. Expiry follows the Redis server's
//! clock: a session or token already past its `expires_at` there is not
//! stored.
//!
//! Redis deletes expired sessions and tokens by itself, so
//! [`Auth::purge_expired`](nanoauth::Auth::purge_expired) reports zero for
//! them; it still trims the entries of users' session indexes that name
//! sessions already gone (an index lives as long as its user's last
//! session), walking the keyspace with `SCAN`.
//!
//! ## Failures
//! A server that cannot be reached, times out or is failing over gives
//! [`AdapterError::Unavailable`](nanoauth::AdapterError::Unavailable), which
//! the core answers `503 DATABASE_UNAVAILABLE`; the connection comes back by
//! itself. Anything else is [`AdapterError::Other`](nanoauth::AdapterError::Other).
//!
//! ## Requirements
//! Redis 6.2 or later, or Valkey, as a single primary
//! ([`RedisStore::connect`]) or a Redis Cluster
//! ([`RedisStore::connect_cluster`]), and a tokio runtime. This crate has no
//! features.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod codec;
mod connection;
mod counters;
mod error;
mod expiry;
mod keys;
mod purge;
mod revocations;
mod sessions;
mod store;
mod verification;

pub use counters::{Counter, RedisCounters};
pub use revocations::{RevocationFollower, follow_revocations};
pub use sessions::RedisSessions;
pub use store::{RedisStore, RedisStoreBuilder};

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
