//! The provider's signing keys (JWKS), cached. An ID token signed with a
//! key we do not know makes us fetch the set again (the provider rotated),
//! but at most once per cooldown, so forged `kid`s cannot make us hammer
//! the provider.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use tokio::sync::Mutex;

use crate::error::OAuthError;
use crate::http::HttpClient;

/// No refetch for an unknown `kid` sooner than this after the last fetch.
const COOLDOWN: Duration = Duration::from_secs(60);
/// Keys are fetched again after this long, so removed keys stop counting.
const MAX_AGE: Duration = Duration::from_secs(60 * 60);

#[derive(Debug)]
pub(crate) struct JwksCache {
    state: Mutex<Option<Fetched>>,
    cooldown: Duration,
}

impl Default for JwksCache {
    fn default() -> Self {
        Self::with_cooldown(COOLDOWN)
    }
}

#[derive(Debug)]
struct Fetched {
    keys: JwkSet,
    at: Instant,
}

impl JwksCache {
    pub(crate) fn with_cooldown(cooldown: Duration) -> Self {
        Self {
            state: Mutex::new(None),
            cooldown,
        }
    }

    /// The key with `kid` (or the only key, for a token without `kid`).
    ///
    /// One lock around look-up and fetch: concurrent sign-ins that meet a
    /// new key wait for one fetch instead of each making their own.
    pub(crate) async fn key(
        &self,
        http: &HttpClient,
        uri: &str,
        kid: Option<&str>,
    ) -> Result<Jwk, OAuthError> {
        let mut state = self.state.lock().await;
        let fresh = state.as_ref().is_some_and(|f| f.at.elapsed() < MAX_AGE);
        if fresh && let Some(key) = state.as_ref().and_then(|f| find(&f.keys, kid)) {
            return Ok(key.clone());
        }
        let may_fetch = state
            .as_ref()
            .is_none_or(|f| f.at.elapsed() >= self.cooldown);
        if may_fetch {
            match http.get_json::<JwkSet>(uri, None).await {
                Ok(keys) => {
                    *state = Some(Fetched {
                        keys,
                        at: Instant::now(),
                    });
                }
                // Keep the old keys when a refresh fails; without any,
                // the provider is down.
                Err(error) if state.is_none() => return Err(error),
                Err(_) => {}
            }
        }
        state
            .as_ref()
            .and_then(|f| find(&f.keys, kid))
            .cloned()
            .ok_or(OAuthError::IdTokenSignature)
    }
}

fn find<'a>(keys: &'a JwkSet, kid: Option<&str>) -> Option<&'a Jwk> {
    match kid {
        Some(kid) => keys.find(kid),
        // Without a `kid` only an unambiguous set will do.
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// Serves a key set with kid `a` first, and `a` and `b` from the second
    /// request on (the provider rotated); counts requests.
    async fn rotating_jwks() -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/jwks", listener.local_addr().expect("addr"));
        let served = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&served);
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let mut buffer = [0u8; 2048];
                let _ = stream.read(&mut buffer).await;
                let key =
                    |kid: &str| format!(r#"{{"kty":"RSA","kid":"{kid}","n":"AQAB","e":"AQAB"}}"#);
                let body = match count.fetch_add(1, Ordering::SeqCst) {
                    0 => format!(r#"{{"keys":[{}]}}"#, key("a")),
                    _ => format!(r#"{{"keys":[{},{}]}}"#, key("a"), key("b")),
                };
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            }
        });
        (url, served)
    }

    #[tokio::test]
    async fn an_unknown_kid_refetches_once_per_cooldown() {
        let (url, served) = rotating_jwks().await;
        let http = HttpClient::new().expect("client");

        let cache = JwksCache::default();
        assert!(cache.key(&http, &url, Some("a")).await.is_ok());
        assert!(cache.key(&http, &url, Some("a")).await.is_ok());
        assert_eq!(served.load(Ordering::SeqCst), 1, "known keys are cached");
        // A new kid right after a fetch: no refetch within the cooldown,
        // so forged kids cannot make us hammer the provider.
        for _ in 0..3 {
            assert_eq!(
                cache.key(&http, &url, Some("b")).await.map(|_| ()),
                Err(OAuthError::IdTokenSignature)
            );
        }
        assert_eq!(served.load(Ordering::SeqCst), 1);

        // Past the cooldown, an unknown kid refetches and finds the new key.
        let (url, served) = rotating_jwks().await;
        let cache = JwksCache::with_cooldown(Duration::ZERO);
        assert!(cache.key(&http, &url, Some("a")).await.is_ok());
        assert!(cache.key(&http, &url, Some("b")).await.is_ok());
        assert_eq!(served.load(Ordering::SeqCst), 2);
        assert_eq!(
            cache.key(&http, &url, None).await.map(|_| ()),
            Err(OAuthError::IdTokenSignature),
            "no kid, several keys: ambiguous"
        );
    }
}
