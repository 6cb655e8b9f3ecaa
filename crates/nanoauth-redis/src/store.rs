//! The connection: one Redis server, one key prefix.

use std::time::Duration;

use nanoauth::AdapterError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::connection::Connection;
use crate::error::from_redis;
use crate::keys::{DEFAULT_PREFIX, Keys};

/// A connection to one Redis server and the key prefix everything is stored
/// under. Cloning is cheap and shares the connection, so sessions
/// ([`RedisSessions`](crate::RedisSessions)) and counters
/// ([`RedisCounters`](crate::RedisCounters)) can use one store.
///
/// The connection is multiplexed and reconnects by itself: while Redis is
/// down, operations fail with [`AdapterError::Unavailable`] (answered 503)
/// and work again once it is back, with no restart of the application.
///
/// Needs Redis 6.2 or later (or Valkey) for `EXAT` and `GETDEL`, and a
/// single primary: the Lua scripts touch keys of several users' slots, which
/// Redis Cluster refuses.
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
    /// For the dedicated pub/sub connection of a revocation follower.
    client: redis::Client,
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
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_owned(),
            connection_timeout: DEFAULT_CONNECTION_TIMEOUT,
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            reconnect_retries: DEFAULT_RECONNECT_RETRIES,
        }
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

    pub(crate) fn client(&self) -> &redis::Client {
        &self.client
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
    url: String,
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
    ///    or when called outside a tokio runtime.
    pub async fn connect(self) -> Result<RedisStore, AdapterError> {
        let (client, config, keys) = self.parts()?;
        let connection = ConnectionManager::new_with_config(client.clone(), config)
            .await
            .map_err(from_redis)?;
        Ok(RedisStore {
            connection: Connection::new(connection),
            client,
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
        let (client, config, keys) = self.parts()?;
        let connection =
            ConnectionManager::new_lazy_with_config(client.clone(), config).map_err(from_redis)?;
        Ok(RedisStore {
            connection: Connection::new(connection),
            client,
            keys,
        })
    }

    fn parts(self) -> Result<(redis::Client, ConnectionManagerConfig, Keys), AdapterError> {
        // The connection manager spawns a task on creation, which panics
        // outside a tokio runtime; refuse instead.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(AdapterError::other(
                "nanoauth-redis must connect from within a tokio runtime",
            ));
        }
        let client = redis::Client::open(self.url.as_str()).map_err(from_redis)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connection_timeout))
            .set_response_timeout(Some(self.response_timeout))
            .set_number_of_retries(self.reconnect_retries)
            .set_max_delay(MAX_RECONNECT_DELAY);
        Ok((client, config, Keys::new(self.prefix)))
    }
}

/// The URL can hold a password, so it is not shown.
impl std::fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("url", &"[redacted]")
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
    }
}
