//! Rate limits: per client on credential endpoints, per account on
//! endpoints that send mail, and lockouts after failed credential checks.
//!
//! Fixed windows counted in a [`RateLimitStore`]: in memory by default, or
//! shared between instances (Redis, in `nanoauth-redis`). Per-client and
//! per-account limits count every attempt, successful or not, so an
//! attacker learns nothing from which attempts were limited. A
//! [`Lockout`] counts only failures, and only per client and account, so
//! that nobody can lock an account's owner out by failing on purpose.

mod client;
mod lockout;
mod memory;
mod store;

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use http::request::Parts;

use crate::adapter::AdapterError;
use client::{ClientKey, client_ip};

pub use lockout::Lockout;
pub use memory::MemoryRateLimitStore;
pub use store::{Hit, Limit, RateLimitStore};

/// One path's limits. A path ending in `/*` covers every path below it
/// (`/signin/*` is every sign-in provider).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    path: String,
    per_ip: Option<Limit>,
    per_account: Option<Limit>,
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        match self.path.strip_suffix("/*") {
            Some(prefix) => path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/')),
            None => self.path == path,
        }
    }
}

/// Rate-limit configuration, given to `AuthBuilder::rate_limit`.
///
/// On by default, in memory, with these limits (paths under the base path):
///
/// | path | per client | per account, every request |
/// |---|---|---|
/// | `/signin/*` | 3 / 10 s | – |
/// | `/signup/*` | 3 / 10 s | – |
/// | `/change-password` | 3 / 10 s | – |
/// | `/request-password-reset` | 3 / 60 s | 3 / 10 min |
/// | `/signin/magic-link` | 3 / 60 s | 3 / 10 min |
/// | `/send-verification-email` | 3 / 60 s | 3 / 10 min |
///
/// Paths without a rule are not limited. The per-account limits are for
/// endpoints that send mail (a mail already sent stays valid, so every
/// request counts); the account is the `email` field of the JSON body,
/// normalised. Counting every request per account would let anyone lock an
/// account out, so credential checks are guarded by [`Lockout`]s instead:
/// after 10 wrong passwords on one account within 10 minutes
/// ([`failure_limit`](Self::failure_limit)), the client that sent them is
/// refused on that account, right password or not, until the window ends.
/// Other clients still sign in.
///
/// ```
/// use nanoauth::rate_limit::{Limit, RateLimit};
///
/// let limits = RateLimit::default()
///     .ip_limit("/signin/*", Limit::new(5, 60))
///     .failure_limit("password", Limit::new(5, 900))
///     .trusted_proxy("10.0.0.1".parse().unwrap());
/// ```
///
/// # The client
/// A client is the connection's peer address, which the integration puts
/// in the request's extensions as a [`ClientAddr`](crate::ClientAddr);
/// behind [trusted proxies](Self::trusted_proxy), the address they saw. An
/// IPv6 client is counted by its /64, and `::ffff:a.b.c.d` is `a.b.c.d`.
///
/// - **axum** (`nanoauth-axum`): serve the app with
///   `into_make_service_with_connect_info::<SocketAddr>()`; `.nanoauth(auth)`
///   turns axum's `ConnectInfo` into a `ClientAddr`.
/// - **actix-web** (`nanoauth-actix`): done for you, from the socket's peer.
/// - **hyper**: insert `ClientAddr(peer)` with the address `accept` gave,
///   as `crates/nanoauth/examples/hyper.rs` does.
/// - **Cloudflare Workers**: `CF-Connecting-IP` is set by Cloudflare (a
///   client cannot forge it): `ClientAddr(SocketAddr::new(ip, 0))`, as
///   `examples/cloudflare-worker` does.
///
/// ```
/// use std::net::SocketAddr;
/// use nanoauth::ClientAddr;
///
/// # let peer: SocketAddr = "203.0.113.7:50000".parse().unwrap();
/// let mut request = http::Request::post("/api/auth/signin/email").body(String::new()).unwrap();
/// request.extensions_mut().insert(ClientAddr(peer));
/// ```
///
/// A request without one cannot be told apart from any other such request.
/// Rather than share one bucket (where one client could lock everybody out),
/// the per-client limits then do not apply, and a [`Lockout`] counts for the
/// account alone. The first such request emits
/// [`Event::ClientAddrMissing`](crate::Event::ClientAddrMissing) (an
/// `OnError` event), once per `Auth`, so that the gap shows in the logs.
#[derive(Clone)]
pub struct RateLimit {
    store: Arc<dyn RateLimitStore>,
    rules: Vec<Rule>,
    /// Per credential check; the others get [`DEFAULT_FAILURE_LIMIT`].
    failure_limits: Vec<(String, Limit)>,
    trusted_proxies: Vec<IpAddr>,
    enabled: bool,
    /// Whether a request without a peer address was reported already.
    missing_peer_reported: Arc<AtomicBool>,
}

/// Ten wrong passwords (or codes) per client and account in ten minutes.
const DEFAULT_FAILURE_LIMIT: Limit = Limit::new(10, 600);

impl Default for RateLimit {
    fn default() -> Self {
        let rule = |path: &str, per_ip, per_account| Rule {
            path: path.to_owned(),
            per_ip: Some(per_ip),
            per_account,
        };
        // Mail, once sent, works: every request to send it counts.
        let mail = Some(Limit::new(3, 600));
        Self {
            store: Arc::new(MemoryRateLimitStore::new()),
            rules: vec![
                rule("/signin/magic-link", Limit::new(3, 60), mail),
                rule("/signin/*", Limit::new(3, 10), None),
                rule("/signup/*", Limit::new(3, 10), None),
                rule("/change-password", Limit::new(3, 10), None),
                rule("/request-password-reset", Limit::new(3, 60), mail),
                rule("/send-verification-email", Limit::new(3, 60), mail),
            ],
            failure_limits: Vec::new(),
            trusted_proxies: Vec::new(),
            enabled: true,
            missing_peer_reported: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("enabled", &self.enabled)
            .field("rules", &self.rules)
            .field("failure_limits", &self.failure_limits)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// The limit that was exceeded, for the 429 answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exceeded {
    pub(crate) retry_after_secs: u64,
}

/// Per-request limiting fails closed: a store that cannot count is an
/// adapter error (503), never a free pass.
pub(crate) type Checked = Result<Result<(), Exceeded>, AdapterError>;

impl RateLimit {
    /// No limits at all, and no lockouts.
    ///
    /// # Security
    /// Only for benchmarks and tests of other behaviour: without limits,
    /// passwords can be guessed as fast as the server hashes.
    pub fn danger_disabled() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Counts in `store` (share one between instances).
    pub fn store(mut self, store: impl RateLimitStore) -> Self {
        self.store = Arc::new(store);
        self
    }

    /// Sets the per-client limit of `path` (add `/*` for a whole subtree):
    /// per IPv4 address, or per IPv6 /64.
    pub fn ip_limit(mut self, path: &str, limit: Limit) -> Self {
        self.rule_mut(path).per_ip = Some(limit);
        self
    }

    /// Sets the per-account limit of `path` (the body's `email`), counted
    /// on every request.
    ///
    /// # Security
    /// Anyone can send requests naming any account: a per-account limit on
    /// a path that checks credentials lets them lock its owner out. Use it
    /// for paths that send mail; credential checks use a [`Lockout`].
    pub fn account_limit(mut self, path: &str, limit: Limit) -> Self {
        self.rule_mut(path).per_account = Some(limit);
        self
    }

    /// Sets how many failed `check`s (`"password"`, or a plugin's own name)
    /// one client may make on one account per window before its
    /// [`Lockout`] refuses it (default: 10 per 10 minutes for every check).
    ///
    /// ```
    /// use nanoauth::rate_limit::{Limit, RateLimit};
    ///
    /// let limits = RateLimit::default().failure_limit("password", Limit::new(5, 900));
    /// ```
    pub fn failure_limit(mut self, check: &str, limit: Limit) -> Self {
        self.failure_limits.retain(|(name, _)| name != check);
        self.failure_limits.push((check.to_owned(), limit));
        self
    }

    /// Trusts `X-Forwarded-For` when the connection comes from `proxy`.
    ///
    /// The header is then read from the right, as the proxies appended to
    /// it: the client is the first address that is not a trusted proxy. An
    /// entry that is not a plain IP address (`ip:port`, `[v6]`, garbage)
    /// ends the walk, since everything left of it was written by the
    /// client; the client is then the last address the walk reached (the
    /// proxy itself, at worst). Without trusted proxies the header is
    /// ignored, so a client cannot pick its own bucket.
    pub fn trusted_proxy(mut self, proxy: IpAddr) -> Self {
        self.trusted_proxies.push(proxy.to_canonical());
        self
    }

    fn rule_mut(&mut self, path: &str) -> &mut Rule {
        let index = match self.rules.iter().position(|rule| rule.path == path) {
            Some(index) => index,
            None => {
                // More specific paths first: exact rules before wildcards.
                self.rules.insert(
                    0,
                    Rule {
                        path: path.to_owned(),
                        per_ip: None,
                        per_account: None,
                    },
                );
                0
            }
        };
        &mut self.rules[index]
    }

    fn rule(&self, path: &str) -> Option<&Rule> {
        if !self.enabled {
            return None;
        }
        self.rules.iter().find(|rule| rule.matches(path))
    }

    /// Whether `path` has a per-account limit (the body must then be read
    /// for its `email` before the endpoint runs).
    pub(crate) fn limits_accounts(&self, path: &str) -> bool {
        self.rule(path)
            .is_some_and(|rule| rule.per_account.is_some())
    }

    /// Counts an attempt from the request's client on `path`. A request
    /// without a known client is not counted: see [`RateLimit`]. The client
    /// is worked out only for paths with a per-client limit, so the session
    /// check pays nothing for it.
    /// Counts a request of this client to `path`: under the application's
    /// rule for the path, or else under the limit the endpoint declared
    /// (counted per route pattern).
    pub(crate) async fn check_client(
        &self,
        path: &str,
        declared: Option<(&str, Limit)>,
        parts: &Parts,
        now: u64,
    ) -> Checked {
        if !self.enabled {
            return Ok(Ok(()));
        }
        let (bucket, limit) = match self
            .rule(path)
            .and_then(|rule| rule.per_ip.map(|l| (rule, l)))
        {
            Some((rule, limit)) => (rule.path.as_str(), limit),
            None => match declared {
                Some((pattern, limit)) => (pattern, limit),
                None => return Ok(Ok(())),
            },
        };
        let Some(client) = self.client_of(parts) else {
            return Ok(Ok(()));
        };
        self.count(&format!("ip:{bucket}:{}", client.as_str()), limit, now)
            .await
    }

    /// Counts an attempt on `account` (a normalised email) on `path`.
    pub(crate) async fn check_account(&self, path: &str, account: &str, now: u64) -> Checked {
        let Some(limit) = self
            .rule(path)
            .and_then(|rule| rule.per_account.map(|l| (rule, l)))
        else {
            return Ok(Ok(()));
        };
        let (rule, limit) = limit;
        self.count(&format!("account:{}:{account}", rule.path), limit, now)
            .await
    }

    async fn count(&self, key: &str, limit: Limit, now: u64) -> Checked {
        let hit = self.store.hit(key, limit.window_secs, now).await?;
        Ok(if hit.count > limit.max {
            Err(Exceeded {
                retry_after_secs: hit.resets_in_secs.max(1),
            })
        } else {
            Ok(())
        })
    }

    /// The request's client, as limits count it; `None` without a peer
    /// address.
    pub(crate) fn client_of(&self, parts: &Parts) -> Option<ClientKey> {
        client_ip(parts, &self.trusted_proxies).map(ClientKey::of)
    }

    /// True the first time it is asked, with limits on: a request without a
    /// peer address is reported once per `Auth`, not on every request.
    pub(crate) fn first_missing_peer(&self) -> bool {
        self.enabled && !self.missing_peer_reported.swap(true, Ordering::Relaxed)
    }

    fn failure_limit_of(&self, check: &str) -> Limit {
        self.failure_limits
            .iter()
            .find(|(name, _)| name == check)
            .map_or(DEFAULT_FAILURE_LIMIT, |(_, limit)| *limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_rules_cover_subpaths_only() {
        let rule = Rule {
            path: "/signin/*".into(),
            per_ip: None,
            per_account: None,
        };
        assert!(rule.matches("/signin/email"));
        assert!(!rule.matches("/signin"));
        assert!(!rule.matches("/signinx/email"));
        let limits = RateLimit::default();
        assert_eq!(
            limits.rule("/signin/magic-link").map(|r| r.path.as_str()),
            Some("/signin/magic-link")
        );
        assert_eq!(
            limits.rule("/signin/email").map(|r| r.path.as_str()),
            Some("/signin/*")
        );
        assert!(limits.rule("/session").is_none());
        assert!(RateLimit::danger_disabled().rule("/signin/email").is_none());
    }

    #[test]
    fn sign_in_is_not_limited_per_account_but_mail_is() {
        let limits = RateLimit::default();
        assert!(!limits.limits_accounts("/signin/email"));
        assert!(!limits.limits_accounts("/signin/social"));
        assert!(limits.limits_accounts("/signin/magic-link"));
        assert!(limits.limits_accounts("/request-password-reset"));
        assert!(limits.limits_accounts("/send-verification-email"));
    }

    #[test]
    fn failure_limits_are_per_check() {
        let limits = RateLimit::default().failure_limit("code", Limit::new(3, 60));
        assert_eq!(limits.failure_limit_of("code"), Limit::new(3, 60));
        assert_eq!(limits.failure_limit_of("password"), DEFAULT_FAILURE_LIMIT);
        let limits = limits.failure_limit("code", Limit::new(4, 60));
        assert_eq!(limits.failure_limit_of("code"), Limit::new(4, 60));
    }

    #[test]
    fn trusted_proxies_are_kept_canonical() {
        let mapped = "::ffff:10.0.0.1".parse().unwrap_or_else(|_| unreachable!());
        let limits = RateLimit::default().trusted_proxy(mapped);
        assert_eq!(
            limits.trusted_proxies,
            vec![
                "10.0.0.1"
                    .parse::<IpAddr>()
                    .unwrap_or_else(|_| unreachable!())
            ]
        );
    }

    #[test]
    fn a_missing_peer_is_reported_once() {
        let limits = RateLimit::default();
        let clone = limits.clone();
        assert!(limits.first_missing_peer());
        assert!(!clone.first_missing_peer(), "clones share the report");
        assert!(!RateLimit::danger_disabled().first_missing_peer());
    }
}
