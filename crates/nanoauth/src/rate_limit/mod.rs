//! Rate limits on credential endpoints: per client IP and per account.
//!
//! Fixed windows counted in a [`RateLimitStore`]: in memory by default, or
//! shared between instances (Redis, in `nanoauth-redis`). Every attempt
//! counts, successful or not, so an attacker learns nothing from which
//! attempts were limited.

mod memory;
mod store;

use std::net::IpAddr;
use std::sync::Arc;

use http::request::Parts;

use crate::adapter::AdapterError;
use crate::session::ClientAddr;

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
/// | path | per client IP | per account (email) |
/// |---|---|---|
/// | `/signin/*` | 3 / 10 s | 10 / 10 min |
/// | `/signup/*` | 3 / 10 s | – |
/// | `/change-password` | 3 / 10 s | – |
/// | `/request-password-reset` | 3 / 60 s | 3 / 10 min |
/// | `/signin/magic-link` | 3 / 60 s | 3 / 10 min |
/// | `/send-verification-email` | 3 / 60 s | 3 / 10 min |
///
/// The account is the `email` field of the JSON body, normalised. Paths
/// without a rule are not limited.
///
/// ```
/// use nanoauth::rate_limit::{Limit, RateLimit};
///
/// let limits = RateLimit::default()
///     .ip_limit("/signin/*", Limit::new(5, 60))
///     .trusted_proxy("10.0.0.1".parse().unwrap());
/// ```
#[derive(Clone)]
pub struct RateLimit {
    store: Arc<dyn RateLimitStore>,
    rules: Vec<Rule>,
    trusted_proxies: Vec<IpAddr>,
    enabled: bool,
}

impl Default for RateLimit {
    fn default() -> Self {
        let rule = |path: &str, per_ip, per_account| Rule {
            path: path.to_owned(),
            per_ip: Some(per_ip),
            per_account,
        };
        Self {
            store: Arc::new(MemoryRateLimitStore::new()),
            rules: vec![
                rule(
                    "/signin/magic-link",
                    Limit::new(3, 60),
                    Some(Limit::new(3, 600)),
                ),
                rule("/signin/*", Limit::new(3, 10), Some(Limit::new(10, 600))),
                rule("/signup/*", Limit::new(3, 10), None),
                rule("/change-password", Limit::new(3, 10), None),
                rule(
                    "/request-password-reset",
                    Limit::new(3, 60),
                    Some(Limit::new(3, 600)),
                ),
                rule(
                    "/send-verification-email",
                    Limit::new(3, 60),
                    Some(Limit::new(3, 600)),
                ),
            ],
            trusted_proxies: Vec::new(),
            enabled: true,
        }
    }
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("enabled", &self.enabled)
            .field("rules", &self.rules)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("store", &self.store)
            .finish()
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
    /// No limits at all.
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

    /// Sets the per-IP limit of `path` (add `/*` for a whole subtree).
    pub fn ip_limit(mut self, path: &str, limit: Limit) -> Self {
        self.rule_mut(path).per_ip = Some(limit);
        self
    }

    /// Sets the per-account limit of `path` (the body's `email`).
    pub fn account_limit(mut self, path: &str, limit: Limit) -> Self {
        self.rule_mut(path).per_account = Some(limit);
        self
    }

    /// Trusts `X-Forwarded-For` when the connection comes from `proxy`: the
    /// client is then the right-most address in it that is not a trusted
    /// proxy. Without trusted proxies the header is ignored, so a client
    /// cannot pick its own bucket.
    pub fn trusted_proxy(mut self, proxy: IpAddr) -> Self {
        self.trusted_proxies.push(proxy);
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

    /// Counts an attempt from the request's client on `path`.
    pub(crate) async fn check_ip(&self, path: &str, parts: &Parts, now: u64) -> Checked {
        let Some(rule) = self.rule(path) else {
            return Ok(Ok(()));
        };
        let Some(limit) = rule.per_ip else {
            return Ok(Ok(()));
        };
        let client = self
            .client_ip(parts)
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        self.count(&format!("ip:{}:{client}", rule.path), limit, now)
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

    /// The client's address: the connection's peer, or, when the peer is a
    /// trusted proxy, the right-most untrusted `X-Forwarded-For` entry.
    fn client_ip(&self, parts: &Parts) -> Option<IpAddr> {
        let peer = parts.extensions.get::<ClientAddr>()?.0.ip();
        if !self.trusted_proxies.contains(&peer) {
            return Some(peer);
        }
        let forwarded: Vec<IpAddr> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|entry| entry.trim().parse().ok())
            .collect();
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !self.trusted_proxies.contains(ip))
            .or(Some(peer))
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
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let request = |peer: &str, forwarded: &str| {
            let mut request = http::Request::get("/")
                .header("x-forwarded-for", forwarded)
                .body(())
                .unwrap_or_default();
            request.extensions_mut().insert(ClientAddr(
                format!("{peer}:1234")
                    .parse()
                    .unwrap_or_else(|_| unreachable!()),
            ));
            request.into_parts().0
        };
        let plain = RateLimit::default();
        let parts = request("203.0.113.9", "198.51.100.1");
        assert_eq!(
            plain.client_ip(&parts),
            Some("203.0.113.9".parse().unwrap_or_else(|_| unreachable!()))
        );

        let proxied = RateLimit::default()
            .trusted_proxy("10.0.0.1".parse().unwrap_or_else(|_| unreachable!()));
        let parts = request("10.0.0.1", "6.6.6.6, 198.51.100.1");
        // The right-most untrusted entry: the one our proxy saw, not the
        // one the client wrote.
        assert_eq!(
            proxied.client_ip(&parts),
            Some("198.51.100.1".parse().unwrap_or_else(|_| unreachable!()))
        );
    }
}
