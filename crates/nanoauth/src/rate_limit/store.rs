//! What a limit is, and the store that counts attempts against it.

use crate::adapter::AdapterError;
use crate::runtime::BoxFuture;

/// At most `max` attempts per `window_secs`.
///
/// ```
/// use nanoauth::rate_limit::Limit;
///
/// let five_a_minute = Limit::new(5, 60);
/// assert_eq!(five_a_minute.max, 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Attempts allowed per window.
    pub max: u64,
    /// The window, in seconds.
    pub window_secs: u64,
}

impl Limit {
    /// `max` attempts per `window_secs` seconds.
    pub const fn new(max: u64, window_secs: u64) -> Self {
        Self { max, window_secs }
    }
}

/// A window's count: after one more attempt ([`RateLimitStore::hit`]) or as
/// it stands ([`RateLimitStore::peek`]).
///
/// ```
/// use nanoauth::rate_limit::Hit;
///
/// let hit = Hit::new(3, 42);
/// assert_eq!((hit.count, hit.resets_in_secs), (3, 42));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Hit {
    /// Attempts in the current window (after a hit, this one included).
    pub count: u64,
    /// Seconds until the window ends.
    pub resets_in_secs: u64,
}

impl Hit {
    /// A hit: `count` attempts, window ending in `resets_in_secs`.
    pub fn new(count: u64, resets_in_secs: u64) -> Self {
        Self {
            count,
            resets_in_secs,
        }
    }
}

/// Where attempts are counted. Implementations must count atomically: of
/// `n` concurrent hits on one key, each sees a different count.
///
/// Keys include client addresses and account names an attacker chooses, so
/// a store must expire ended windows without scanning every key on each
/// hit (a memory store), or let the database expire them (Redis).
///
/// ```
/// use nanoauth::{BoxFuture, AdapterError};
/// use nanoauth::rate_limit::{Hit, RateLimitStore};
///
/// /// Never limits (for illustration only).
/// #[derive(Debug)]
/// struct Unlimited;
///
/// impl RateLimitStore for Unlimited {
///     fn hit<'a>(&'a self, _key: &'a str, window_secs: u64, _now: u64)
///         -> BoxFuture<'a, Result<Hit, AdapterError>> {
///         Box::pin(async move { Ok(Hit::new(1, window_secs)) })
///     }
///
///     fn peek<'a>(&'a self, _key: &'a str, _now: u64)
///         -> BoxFuture<'a, Result<Option<Hit>, AdapterError>> {
///         Box::pin(async { Ok(None) })
///     }
///
///     fn clear<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<(), AdapterError>> {
///         Box::pin(async { Ok(()) })
///     }
/// }
/// ```
pub trait RateLimitStore: Send + Sync + std::fmt::Debug + 'static {
    /// Counts one attempt on `key` in a window of `window_secs` that starts
    /// with the key's first attempt; `now` is the `Auth` clock's time (stores
    /// with their own clock may ignore it).
    fn hit<'a>(
        &'a self,
        key: &'a str,
        window_secs: u64,
        now: u64,
    ) -> BoxFuture<'a, Result<Hit, AdapterError>>;

    /// The count of `key`'s open window without adding to it, or `None`
    /// when the key has no open window. Failure lockouts read it before a
    /// credential is checked.
    fn peek<'a>(
        &'a self,
        key: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Hit>, AdapterError>>;

    /// Ends `key`'s window, if it has one: the next hit starts at 1. A
    /// failure lockout is cleared this way after a right credential.
    fn clear<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), AdapterError>>;
}
