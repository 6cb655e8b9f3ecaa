//! Failure lockouts: a client that keeps failing a credential check on one
//! account is refused on that account for a while; everyone else is not.

use http::request::Parts;

use super::{Limit, RateLimit};
use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::observe::LimitKey;
use crate::user::AuthUser;

/// The failed checks of one credential (a password, a one-time code) by one
/// client on one account, from [`Auth::lockout`].
///
/// Only failures count, and only the client's own: someone else's wrong
/// guesses can never lock the owner out, and a client that has not failed
/// on an account is never refused the right credential. A client that has
/// failed [`max`](Limit::max) times within the window is refused on that
/// account, right credential or not, until the window ends.
///
/// Use it the same way for an account that exists and one that does not, so
/// that neither the answers nor their timing tell them apart:
///
/// 1. [`check`](Self::check) before the credential is verified;
/// 2. [`record_failure`](Self::record_failure) after it was verified and
///    found wrong, never for malformed requests;
/// 3. [`clear`](Self::clear) after it was found right (optional).
///
/// ```
/// use nanoauth::{Endpoint, EndpointRequest, Error, Reply};
/// use nanoauth::{BasicUser, adapter::memory::MemoryAdapter};
///
/// type Request = EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>;
///
/// /// A plugin's endpoint checking a one-time code for `userId`.
/// async fn verify_code(request: Request) -> Result<Reply, Error> {
///     #[derive(serde::Deserialize)]
///     #[serde(rename_all = "camelCase")]
///     struct Body { user_id: String, code: String }
///     let body: Body = request.json()?;
///
///     let lockout = request.auth().lockout("one-time-code", &body.user_id, request.parts());
///     lockout.check().await?;
///     if body.code != "123456" {
///         lockout.record_failure().await?;
///         return Err(Error::InvalidCredentials);
///     }
///     lockout.clear().await?;
///     Ok(Reply::success())
/// }
///
/// let endpoint = Endpoint::post("/one-time-code/verify", verify_code);
/// ```
#[derive(Debug)]
pub struct Lockout<'a> {
    limits: &'a RateLimit,
    /// The store key and its limit; `None` when rate limits are off.
    counted: Option<(String, Limit)>,
    /// The kind of credential, for reporting a refusal (the key also holds
    /// the client and the account, which are not reported).
    check: String,
    now: u64,
}

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// Counts one use of `bucket` (a plugin's own name for what is limited:
    /// `"api-key:<id>"`) under `limit`, in the configured rate-limit store
    /// (shared between instances when the store is), and refuses once the
    /// window is full. Does nothing while rate limits are off.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth::rate_limit::Limit;
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) -> Result<(), nanoauth::Error> {
    /// auth.count_use("api-key:key_1", Limit::new(100, 60)).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the limit, with the seconds until the
    /// window ends; [`Error::Adapter`] when the store cannot count (limits
    /// fail closed).
    pub async fn count_use(&self, bucket: &str, limit: Limit) -> Result<(), Error> {
        let limits = &self.config().rate_limit;
        if !limits.enabled {
            return Ok(());
        }
        let hit = limits
            .store
            .hit(&format!("use:{bucket}"), limit.window_secs, self.now())
            .await?;
        if hit.count > limit.max {
            crate::observe::rate_limited(LimitKey::Use(bucket), None, None);
            return Err(Error::RateLimited {
                retry_after_secs: hit.resets_in_secs.max(1),
            });
        }
        Ok(())
    }

    /// The failure lockout of `check` (a name for the kind of credential:
    /// `"password"`, `"one-time-code"`) on `account` (a normalised email,
    /// a user id), for the client `parts` come from. See [`Lockout`]; the
    /// limit is [`RateLimit::failure_limit`] (10 failures per 10 minutes by
    /// default).
    ///
    /// The client is the one the per-client limits count (trusted proxies,
    /// IPv6 /64). A request without a [`ClientAddr`](crate::ClientAddr)
    /// counts for the account alone: guessing stays bounded, but then any
    /// client's failures lock every client without an address out.
    pub fn lockout(&self, check: &str, account: &str, parts: &Parts) -> Lockout<'_> {
        let limits = &self.config().rate_limit;
        let counted = limits.enabled.then(|| {
            let client = limits.client_of(parts);
            // The account goes last: it is the one part a client may choose
            // freely, and it cannot reach into the others.
            let key = format!(
                "failures:{check}:{}:{account}",
                client.as_ref().map_or("-", |client| client.as_str())
            );
            (key, limits.failure_limit_of(check))
        });
        Lockout {
            limits,
            counted,
            check: check.to_owned(),
            now: self.now(),
        }
    }
}

impl Lockout<'_> {
    /// Refuses while this client is locked out of this account.
    ///
    /// # Errors
    /// 1. [`Error::RateLimited`], with the seconds until the window ends,
    ///    once the client has failed the limit's `max` times in it.
    /// 2. [`Error::Adapter`] when the store cannot answer: a lockout fails
    ///    closed.
    pub async fn check(&self) -> Result<(), Error> {
        let Some((key, limit)) = &self.counted else {
            return Ok(());
        };
        match self.limits.store.peek(key, self.now).await? {
            Some(failures) if failures.count >= limit.max => {
                crate::observe::rate_limited(LimitKey::Failures(&self.check), None, None);
                Err(Error::RateLimited {
                    retry_after_secs: failures.resets_in_secs.max(1),
                })
            }
            _ => Ok(()),
        }
    }

    /// Counts one failed check. The first failure starts the window.
    ///
    /// # Errors
    /// [`Error::Adapter`] when the store cannot count.
    pub async fn record_failure(&self) -> Result<(), Error> {
        if let Some((key, limit)) = &self.counted {
            self.limits
                .store
                .hit(key, limit.window_secs, self.now)
                .await?;
        }
        Ok(())
    }

    /// Forgets this client's failures on this account, after a right
    /// credential.
    ///
    /// # Errors
    /// [`Error::Adapter`] when the store cannot clear.
    pub async fn clear(&self) -> Result<(), Error> {
        if let Some((key, _)) = &self.counted {
            self.limits.store.clear(key).await?;
        }
        Ok(())
    }
}
