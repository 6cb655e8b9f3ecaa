//! The connection: one Redis server or a Redis Cluster, one key prefix.

use std::time::Duration;

use nanoauth::AdapterError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};

use crate::connection::Connection;
use crate::error::from_redis;
use crate::keys::{DEFAULT_PREFIX, Keys};

/// A connection to one Redis server, or to a Redis Cluster, and the key
/// prefix everything is stored under. Cloning is cheap and shares the connection, so sessions
/// ([`RedisSessions`](crate::RedisSessions)) and counters
/// ([`RedisCounters`](crate::RedisCounters)) can use one store.
///
/// The connection is multiplexed and reconnects by itself: while Redis is
/// down, operations fail with [`AdapterError::Unavailable`] (answered 503)
/// and work again once it is back, with no restart of the application.
///
/// Needs Redis 6.2 or later (or Valkey) for `EXAT` and `GETDEL`: a single
/// primary ([`connect`](Self::connect)) or a Redis Cluster
/// ([`connect_cluster`](Self::connect_cluster)), where the session keys
/// carry a hash tag so that each script's keys share one slot (see the
/// crate's documentation, Keys).
///
/// ```no_run
/// use nanoauth_redis::RedisStore;
///
/// # async fn example() -> Result<(), nanoauth::AdapterError> {
/// let store = RedisStore::connect("redis://127.0.0.1:6379").await?;
/// assert_eq!(store.prefix(), "nanoauth:");
/// store.ping().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: Connection,
    /// For the dedicated pub/sub connection of a revocation follower: the
    /// server, or each seed node of a cluster (any node hears every
    /// `PUBLISH` of the cluster), tried in turn.
    subscribers: Vec<redis::Client>,
    keys: Keys,
}

impl RedisStore {
    /// Connects to the server at `url` (`redis://[user:password@]host:port[/db]`)
    /// with the default prefix `nanoauth:` and default timeouts.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::connect("redis://127.0.0.1:6379/0").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`RedisStoreBuilder::connect`].
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        Self::builder(url).connect().await
    }

    /// Starts configuring a store: key prefix, timeouts, retries.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// use std::time::Duration;
    /// let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1:6379")
    ///     .prefix("myapp:auth:")
    ///     .response_timeout(Duration::from_millis(250))
    ///     .connect()
    ///     .await?;
    /// assert_eq!(store.prefix(), "myapp:auth:");
    /// # Ok(()) }
    /// ```
    pub fn builder(url: impl Into<String>) -> RedisStoreBuilder {
        RedisStoreBuilder {
            nodes: vec![url.into()],
            cluster: false,
            prefix: DEFAULT_PREFIX.to_owned(),
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            reconnect_retries: DEFAULT_RECONNECT_RETRIES,
        }
    }

    /// Connects to the Redis Cluster that `nodes` belong to (each
    /// `redis://[user:password@]host:port`; one reachable node is enough,
    /// the others are found from it), with the default prefix `nanoauth:`
    /// and default timeouts.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::connect_cluster([
    ///     "redis://10.0.0.1:6379",
    ///     "redis://10.0.0.2:6379",
    ///     "redis://10.0.0.3:6379",
    /// ])
    /// .await?;
    /// assert!(store.is_cluster());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`RedisStoreBuilder::connect`].
    pub async fn connect_cluster<I, S>(nodes: I) -> Result<Self, AdapterError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::cluster_builder(nodes).connect().await
    }

    /// Starts configuring a store on a Redis Cluster, given some of its
    /// nodes: key prefix, timeouts, retries, as with [`builder`](Self::builder).
    ///
    /// Session keys and users' indexes carry the hash tag `{sessions}`, so
    /// that every script's keys share one slot (so sessions live on that
    /// slot's primary and its replicas); verification tokens and counters
    /// spread over the cluster. A command follows the cluster's redirections
    /// (`MOVED`, `ASK`) while slots move, within its response timeout.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::cluster_builder(["redis://10.0.0.1:6379"])
    ///     .prefix("myapp:")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn cluster_builder<I, S>(nodes: I) -> RedisStoreBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        RedisStoreBuilder {
            nodes: nodes.into_iter().map(Into::into).collect(),
            cluster: true,
            ..Self::builder(String::new())
        }
    }

    /// Whether this store is on a Redis Cluster.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// assert!(!store.is_cluster());
    /// # Ok(()) }
    /// ```
    pub fn is_cluster(&self) -> bool {
        self.keys.is_cluster()
    }

    /// The prefix of every key this store writes.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1")
    ///     .prefix("staging:")
    ///     .connect()
    ///     .await?;
    /// assert_eq!(store.prefix(), "staging:");
    /// # Ok(()) }
    /// ```
    pub fn prefix(&self) -> &str {
        self.keys.prefix()
    }

    /// Round-trips a `PING`: a readiness check for health endpoints.
    ///
    /// ```no_run
    /// # async fn example(store: nanoauth_redis::RedisStore) {
    /// let ready = store.ping().await.is_ok();
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`AdapterError::Unavailable`] when the server cannot be reached.
    pub async fn ping(&self) -> Result<(), AdapterError> {
        redis::cmd("PING")
            .query_async::<()>(&mut self.connection())
            .await
            .map_err(from_redis)
    }

    /// A handle on the shared connection (cheap: the manager is an `Arc`).
    pub(crate) fn connection(&self) -> Connection {
        self.connection.clone()
    }

    pub(crate) fn keys(&self) -> &Keys {
        &self.keys
    }

    /// The clients a revocation follower subscribes through, in turn.
    pub(crate) fn subscribers(&self) -> &[redis::Client] {
        &self.subscribers
    }
}

/// The URL can hold a password, so only the prefix is shown.
impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.keys.prefix())
            .finish_non_exhaustive()
    }
}

// A request that waits on Redis holds a client waiting too: fail fast and let
// the 503 tell the client to retry, rather than queue behind a dead server.
const DEFAULT_CONNECTION_TIMEOUT: Duration = Duration::from_secs(1);
const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);
// No retries inside one operation: while Redis is down the store's health
// flag answers 503 at once and lets one operation at a time try again, which
// is the retrying, without holding every request for the backoff.
const DEFAULT_RECONNECT_RETRIES: usize = 0;
// Bounds the backoff between attempts to reconnect (it starts at 100 ms).
const MAX_RECONNECT_DELAY: Duration = Duration::from_secs(1);
// On a cluster, the attempts a command may make besides the first, on top of
// `reconnect_retries`: a redirection (`MOVED` while a slot moves, `ASK`
// during its migration, `TRYAGAIN`) is answered by another attempt; all of
// them within the response timeout.
const CLUSTER_REDIRECTIONS: u32 = 3;
// The pauses before those attempts (milliseconds; the driver's defaults
// start above a second, longer than the response timeout): short, so that
// a node that is down is answered 503 in a fraction of the timeout.
const CLUSTER_MIN_RETRY_WAIT_MS: u64 = 10;
const CLUSTER_MAX_RETRY_WAIT_MS: u64 = 100;

/// Configures a [`RedisStore`]; made by [`RedisStore::builder`].
///
/// ```no_run
/// # async fn example() -> Result<(), nanoauth::AdapterError> {
/// let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1:6379")
///     .prefix("myapp:")
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStoreBuilder {
    /// The server's URL, or the seed nodes of a cluster.
    nodes: Vec<String>,
    cluster: bool,
    prefix: String,
    connection_timeout: Duration,
    response_timeout: Duration,
    reconnect_retries: usize,
}

impl RedisStoreBuilder {
    /// The prefix of every key (default `nanoauth:`). Give each application,
    /// or each environment sharing one server, its own.
    ///
    /// ```
    /// let builder = nanoauth_redis::RedisStore::builder("redis://127.0.0.1").prefix("myapp:");
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one attempt to open a connection may take (default 1 s).
    ///
    /// ```
    /// # use std::time::Duration;
    /// let builder = nanoauth_redis::RedisStore::builder("redis://127.0.0.1")
    ///     .connection_timeout(Duration::from_millis(500));
    /// ```
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long a command may wait for its answer (default 1 s) before it
    /// fails with [`AdapterError::Unavailable`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// let builder = nanoauth_redis::RedisStore::builder("redis://127.0.0.1")
    ///     .response_timeout(Duration::from_millis(250));
    /// ```
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How many times to retry opening a connection, with exponential
    /// backoff from 100 ms, before the waiting operations fail (default 0).
    ///
    /// Once an operation has found Redis unreachable, the store answers
    /// [`AdapterError::Unavailable`] (503) at once to every other operation
    /// while one at a time tries Redis again; the first that succeeds
    /// reopens it. With no retries, a refused connection is answered within
    /// milliseconds; retries trade that for riding out very short blips.
    /// On a cluster a command has three more attempts, for the cluster's
    /// redirections, 10 to 100 ms apart; all within the response timeout.
    ///
    /// ```
    /// let builder = nanoauth_redis::RedisStore::builder("redis://127.0.0.1").reconnect_retries(5);
    /// ```
    pub fn reconnect_retries(mut self, retries: usize) -> Self {
        self.reconnect_retries = retries;
        self
    }

    /// Connects now, so that a wrong URL or a server that is down shows at
    /// start-up.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1:6379")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 1. [`AdapterError::Unavailable`] when the server cannot be reached.
    /// 2. [`AdapterError::Other`] for a malformed URL, refused credentials,
    ///    a Redis Cluster node given to [`RedisStore::builder`] (use
    ///    [`RedisStore::cluster_builder`]), or when called outside a tokio
    ///    runtime.
    pub async fn connect(self) -> Result<RedisStore, AdapterError> {
        let (target, subscribers, keys) = self.parts()?;
        let connection = match target {
            Target::Single(client, config) => {
                let mut manager = ConnectionManager::new_with_config(client, config)
                    .await
                    .map_err(from_redis)?;
                refuse_a_cluster_node(&mut manager).await?;
                Connection::single(manager)
            }
            Target::Cluster(client, config) => Connection::cluster(
                client
                    .get_async_connection_with_config(config)
                    .await
                    .map_err(from_redis)?,
            ),
        };
        Ok(RedisStore {
            connection,
            subscribers,
            keys,
        })
    }

    /// Returns at once and connects on first use: the application can start
    /// while Redis is still down, and its requests answer 503 until it is up.
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1:6379").connect_lazy()?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`AdapterError::Other`] for a malformed URL, or when called outside a
    /// tokio runtime.
    pub fn connect_lazy(self) -> Result<RedisStore, AdapterError> {
        let (target, subscribers, keys) = self.parts()?;
        let connection = match target {
            Target::Single(client, config) => Connection::single(
                ConnectionManager::new_lazy_with_config(client, config).map_err(from_redis)?,
            ),
            Target::Cluster(client, config) => {
                Connection::cluster(client.get_pending_async_connection_with_config(config))
            }
        };
        Ok(RedisStore {
            connection,
            subscribers,
            keys,
        })
    }

    fn parts(self) -> Result<(Target, Vec<redis::Client>, Keys), AdapterError> {
        // The connection manager spawns a task on creation, which panics
        // outside a tokio runtime; refuse instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(AdapterError::other(
                "nanoauth-redis must connect from within a tokio runtime",
            ));
        }
        let subscribers = self
            .nodes
            .iter()
            .map(|url| redis::Client::open(url.as_str()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(from_redis)?;
        let Some(first) = subscribers.first() else {
            return Err(AdapterError::other(
                "a Redis Cluster needs the URL of at least one of its nodes",
            ));
        };
        if !self.cluster {
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(self.connection_timeout))
                .set_response_timeout(Some(self.response_timeout))
                .set_number_of_retries(self.reconnect_retries)
                .set_max_delay(MAX_RECONNECT_DELAY);
            let target = Target::Single(first.clone(), config);
            return Ok((target, subscribers, Keys::new(self.prefix)));
        }
        let retries = u32::try_from(self.reconnect_retries)
            .unwrap_or(u32::MAX)
            .saturating_add(CLUSTER_REDIRECTIONS);
        let client = ClusterClient::builder(self.nodes.iter().map(String::as_str))
            .connection_timeout(self.connection_timeout)
            .response_timeout(self.response_timeout)
            .retries(retries)
            .min_retry_wait(CLUSTER_MIN_RETRY_WAIT_MS)
            .max_retry_wait(CLUSTER_MAX_RETRY_WAIT_MS)
            .build()
            .map_err(from_redis)?;
        // The client's timeouts, restated: a config given to a connection
        // replaces them.
        let config = ClusterConfig::new()
            .set_connection_timeout(self.connection_timeout)
            .set_response_timeout(self.response_timeout);
        let target = Target::Cluster(client, config);
        Ok((target, subscribers, Keys::cluster(self.prefix)))
    }
}

/// A single-server store on a Redis Cluster node would see its scripts
/// refused (`CROSSSLOT`, `MOVED`) on every request: say so at start-up
/// instead. A server that does not let this user run `INFO` (ACLs) is
/// taken for what it was said to be.
async fn refuse_a_cluster_node(manager: &mut ConnectionManager) -> Result<(), AdapterError> {
    let info: Result<String, _> = redis::cmd("INFO").arg("cluster").query_async(manager).await;
    match info {
        Ok(info) if info.lines().any(|line| line.trim() == "cluster_enabled:1") => {
            Err(AdapterError::other(
                "this Redis server is a Redis Cluster node: connect with \
                 RedisStore::cluster_builder (or connect_cluster) and its nodes' URLs",
            ))
        }
        _ => Ok(()),
    }
}

/// What [`RedisStoreBuilder::parts`] connects to.
enum Target {
    Single(redis::Client, ConnectionManagerConfig),
    Cluster(ClusterClient, ClusterConfig),
}

/// The URL can hold a password, so it is not shown.
impl std::fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &"[redacted]")
            .field("cluster", &self.cluster)
            .field("prefix", &self.prefix)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_retries", &self.reconnect_retries)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        let result = RedisStore::builder("redis://127.0.0.1:6379").connect_lazy();
        assert!(matches!(result, Err(AdapterError::Other(_))));
    }

    #[tokio::test]
    async fn a_malformed_url_is_an_error() {
        let result = RedisStore::builder("http://not-redis").connect_lazy();
        assert!(matches!(result, Err(AdapterError::Other(_))));
    }

    #[test]
    fn debug_hides_the_url() {
        let builder = RedisStore::builder("redis://user:hunter2@127.0.0.1");
        assert!(!format!("{builder:?}").contains("hunter2"));
        let builder = RedisStore::cluster_builder(["redis://user:hunter2@127.0.0.1"]);
        assert!(!format!("{builder:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn a_cluster_needs_a_node() {
        let result = RedisStore::cluster_builder(Vec::<String>::new()).connect_lazy();
        assert!(matches!(result, Err(AdapterError::Other(_))));
        let result =
            RedisStore::cluster_builder(["redis://127.0.0.1:1", "http://x"]).connect_lazy();
        assert!(matches!(result, Err(AdapterError::Other(_))));
    }

    #[tokio::test]
    async fn a_cluster_store_uses_the_cluster_layout() -> Result<(), AdapterError> {
        let store = RedisStore::cluster_builder(["redis://127.0.0.1:1"]).connect_lazy()?;
        assert!(store.is_cluster());
        assert_eq!(
            store.keys().user_sessions_prefix(),
            "nanoauth:{sessions}:user-sessions:"
        );
        let store = RedisStore::builder("redis://127.0.0.1:1").connect_lazy()?;
        assert!(!store.is_cluster());
        assert_eq!(
            store.keys().user_sessions_prefix(),
            "nanoauth:user-sessions:"
        );
        Ok(())
    }
}
