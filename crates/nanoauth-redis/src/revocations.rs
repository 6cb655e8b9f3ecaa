//! Revocations announced through Redis, applied to every process's session
//! cache at once.
//!
//! With [`AuthBuilder::session_cache`](nanoauth::AuthBuilder::session_cache)
//! on, a process serves a session it checked recently from memory, so a
//! revocation made by another process would reach it only when the entry
//! expires. [`RedisSessions`](crate::RedisSessions) announces every deleted
//! session on the `{prefix}revocations` channel (in the same Lua script as
//! the delete); [`follow_revocations`] listens there and drops the sessions
//! from this process's cache as they are announced.

use std::time::Duration;

use futures_util::StreamExt as _;
use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, Auth, AuthUser, CachedSessions};

use crate::store::RedisStore;

/// The pause before listening again after the subscription broke. Until
/// the follower listens again, a session revoked elsewhere can still be
/// served from this process's cache (it was cached after the drop), so the
/// pause is short: an attempt against a Redis that is down is refused at
/// once and costs next to nothing.
const RECONNECT_PAUSE: Duration = Duration::from_millis(50);

/// Listens for revocations announced on `store`'s channel and applies them
/// to `auth`'s session cache, until the returned follower is dropped.
///
/// On a Redis Cluster ([`RedisStore::connect_cluster`]), it listens on one
/// node (any node hears what every other node publishes) and moves to the
/// next node it was given when that one goes away.
///
/// While the subscription is down (Redis restarting, say), announcements
/// are missed; so whenever it is (re)established, and whenever it breaks,
/// the whole cache is dropped: sessions are then checked against the store
/// again, never trusted past a revocation.
///
/// ```no_run
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_redis::{RedisSessions, RedisStore, follow_revocations};
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
/// let adapter = RedisSessions::new(MemoryAdapter::<BasicUser>::new(), store.clone());
/// let auth = Auth::builder(adapter)
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .session_cache(60)
///     .build()?;
/// // Keep it as long as the application runs.
/// let _follower = follow_revocations(&store, auth.clone());
/// # Ok(()) }
/// ```
///
/// # Panics
/// Outside a tokio runtime (it spawns the listening task).
#[must_use = "the follower stops listening when dropped"]
pub fn follow_revocations<U, A>(store: &RedisStore, auth: Auth<U, A>) -> RevocationFollower
where
    U: AuthUser,
    A: Adapter<U>,
{
    let clients = store.subscribers().to_vec();
    let channel = store.keys().revocations();
    let task = tokio::spawn(async move {
        // On a cluster, a `PUBLISH` on any node reaches the subscribers of
        // every node: listening on one is enough, and when it breaks the
        // next seed node is tried.
        for client in clients.iter().cycle() {
            if let Ok(mut pubsub) = client.get_async_pubsub().await
                && pubsub.subscribe(&channel).await.is_ok()
            {
                // What was announced before now was not heard.
                auth.forget_cached(CachedSessions::All);
                let mut messages = pubsub.on_message();
                while let Some(message) = messages.next().await {
                    if let Ok(text) = message.get_payload::<String>() {
                        apply(&auth, &text);
                    }
                }
            }
            // The subscription broke: announcements are being missed.
            auth.forget_cached(CachedSessions::All);
            tokio::time::sleep(RECONNECT_PAUSE).await;
        }
    });
    RevocationFollower { task }
}

/// Applies one announcement: `s:<token hash hex>` or `u:<user id>`.
fn apply<U: AuthUser, A: Adapter<U>>(auth: &Auth<U, A>, announcement: &str) {
    match announcement.split_once(':') {
        Some(("s", hex)) => match TokenHash::from_hex(hex) {
            Some(hash) => auth.forget_cached(CachedSessions::One(&hash)),
            None => auth.forget_cached(CachedSessions::All),
        },
        Some(("u", user_id)) => auth.forget_cached(CachedSessions::OfUser(user_id)),
        // Not ours to read: be safe rather than stale.
        _ => auth.forget_cached(CachedSessions::All),
    }
}

/// The task of [`follow_revocations`]; it stops when this is dropped.
#[derive(Debug)]
pub struct RevocationFollower {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RevocationFollower {
    fn drop(&mut self) {
        self.task.abort();
    }
}
