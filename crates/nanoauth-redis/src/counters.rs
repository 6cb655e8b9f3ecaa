//! Fixed-window counters, for rate limiting.

use std::sync::LazyLock;

use nanoauth::AdapterError;
use redis::Script;

use crate::error::from_redis;
use crate::store::RedisStore;

// INCR and the first EXPIRE in one script: a crash between the two must not
// leave a counter that never resets.
static INCREMENT: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/increment.lua")));
// GET and PTTL in one script: the window must not end between the two.
static PEEK: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/peek.lua")));

/// Counters under `{prefix}counter:{key}`, each counting within a fixed
/// window that starts at its first increment. Atomic: concurrent increments,
/// from any number of processes, each see a distinct count.
///
/// ```no_run
/// use nanoauth_redis::{RedisCounters, RedisStore};
///
/// # async fn example() -> Result<(), nanoauth::AdapterError> {
/// let counters = RedisCounters::new(RedisStore::connect("redis://127.0.0.1:6379").await?);
/// let counter = counters.increment("sign-in:203.0.113.7", 60).await?;
/// if counter.count > 10 {
///     println!("too many attempts; retry in {} s", counter.resets_in_secs);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedisCounters {
    store: RedisStore,
}

impl RedisCounters {
    /// Counters in `store` (and under its prefix).
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// let store = nanoauth_redis::RedisStore::connect("redis://127.0.0.1:6379").await?;
    /// let counters = nanoauth_redis::RedisCounters::new(store);
    /// # Ok(()) }
    /// ```
    pub fn new(store: RedisStore) -> Self {
        Self { store }
    }

    /// Adds one to the counter `key` and returns its new value. The first
    /// increment starts a window of `window_secs` seconds; when it ends the
    /// counter is gone and the next increment starts again at 1.
    ///
    /// ```no_run
    /// # async fn example(counters: nanoauth_redis::RedisCounters) -> Result<(), nanoauth::AdapterError> {
    /// let counter = counters.increment("password-reset:ada@example.com", 3600).await?;
    /// assert!(counter.count >= 1);
    /// assert!(counter.resets_in_secs <= 3600);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 1. [`AdapterError::Unavailable`] when Redis cannot be reached.
    /// 2. [`AdapterError::Other`] when `window_secs` is 0, or the key holds
    ///    something other than a counter.
    pub async fn increment(&self, key: &str, window_secs: u64) -> Result<Counter, AdapterError> {
        if window_secs == 0 {
            // EXPIRE 0 deletes the key: the counter would never count.
            return Err(AdapterError::other(
                "a counter's window must be at least one second",
            ));
        }
        let mut invocation = INCREMENT.prepare_invoke();
        invocation
            .key(self.store.keys().counter(key))
            .arg(window_secs);
        let (count, resets_in_ms): (u64, i64) = invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        Ok(Counter {
            count,
            resets_in_secs: u64::try_from(resets_in_ms).unwrap_or(0).div_ceil(1000),
        })
    }

    /// The counter `key` as it stands, without counting; `None` when it has
    /// no open window.
    ///
    /// ```no_run
    /// # async fn example(counters: nanoauth_redis::RedisCounters) -> Result<(), nanoauth::AdapterError> {
    /// if let Some(counter) = counters.get("failures:203.0.113.7").await? {
    ///     println!("{} so far", counter.count);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// 1. [`AdapterError::Unavailable`] when Redis cannot be reached.
    /// 2. [`AdapterError::Other`] when the key holds something other than a
    ///    counter.
    pub async fn get(&self, key: &str) -> Result<Option<Counter>, AdapterError> {
        let mut invocation = PEEK.prepare_invoke();
        invocation.key(self.store.keys().counter(key));
        let counter: Option<(u64, i64)> = invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        Ok(counter.map(|(count, resets_in_ms)| Counter {
            count,
            resets_in_secs: u64::try_from(resets_in_ms).unwrap_or(0).div_ceil(1000),
        }))
    }

    /// Deletes the counter `key`: the next increment starts again at 1.
    ///
    /// ```no_run
    /// # async fn example(counters: nanoauth_redis::RedisCounters) -> Result<(), nanoauth::AdapterError> {
    /// counters.reset("failures:203.0.113.7").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`AdapterError::Unavailable`] when Redis cannot be reached.
    pub async fn reset(&self, key: &str) -> Result<(), AdapterError> {
        redis::cmd("DEL")
            .arg(self.store.keys().counter(key))
            .query_async::<()>(&mut self.store.connection())
            .await
            .map_err(from_redis)
    }
}

/// A counter's value after an increment.
///
/// ```no_run
/// # async fn example(counters: nanoauth_redis::RedisCounters) -> Result<(), nanoauth::AdapterError> {
/// let nanoauth_redis::Counter { count, resets_in_secs, .. } = counters.increment("k", 60).await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counter {
    /// How many increments this window has seen, this one included.
    pub count: u64,
    /// Seconds until the window ends and the count starts again (rounded
    /// up): the value of a `Retry-After` header.
    pub resets_in_secs: u64,
}

/// Shared rate-limit counts for every instance of the application:
/// `RateLimit::default().store(RedisCounters::new(store))`. Windows follow
/// Redis's clock, so the `Auth` clock's `now` is not used.
impl nanoauth::rate_limit::RateLimitStore for RedisCounters {
    fn hit<'a>(
        &'a self,
        key: &'a str,
        window_secs: u64,
        _now: u64,
    ) -> nanoauth::BoxFuture<'a, Result<nanoauth::rate_limit::Hit, AdapterError>> {
        Box::pin(async move {
            let counter = self.increment(key, window_secs).await?;
            Ok(nanoauth::rate_limit::Hit::new(
                counter.count,
                counter.resets_in_secs,
            ))
        })
    }

    fn peek<'a>(
        &'a self,
        key: &'a str,
        _now: u64,
    ) -> nanoauth::BoxFuture<'a, Result<Option<nanoauth::rate_limit::Hit>, AdapterError>> {
        Box::pin(async move {
            let counter = self.get(key).await?;
            Ok(counter.map(|counter| {
                nanoauth::rate_limit::Hit::new(counter.count, counter.resets_in_secs)
            }))
        })
    }

    fn clear<'a>(&'a self, key: &'a str) -> nanoauth::BoxFuture<'a, Result<(), AdapterError>> {
        Box::pin(self.reset(key))
    }
}
