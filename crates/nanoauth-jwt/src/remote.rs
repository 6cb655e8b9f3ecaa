//! `JwksVerifier`: the JWKS fetched over HTTP and cached, for services
//! that accept NanoAuth's tokens (the `verify` feature).

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

use crate::verify::{Expected, PublicKeys, VerifyError, unix_now};

/// No refetch for an unknown `kid` sooner than this after the last fetch:
/// tokens with made-up key ids cannot make a service hammer the issuer.
const COOLDOWN: Duration = Duration::from_secs(60);
/// Keys are fetched again after this long even when every `kid` is known.
const MAX_AGE: Duration = Duration::from_secs(10 * 60);
/// A JWKS larger than this is refused.
const MAX_JWKS_BYTES: usize = 256 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

/// Verifies NanoAuth tokens in a Rust service: fetches the issuer's JWKS,
/// caches it, fetches it again when a token names a key it has not seen (a
/// rotation), at most once per cooldown, and checks `iss`, `aud`, `exp`,
/// `nbf` and `iat` with a small leeway. The algorithm is always the
/// published key's.
///
/// ```no_run
/// use nanoauth_jwt::{Claims, JwksVerifier};
///
/// # async fn example(token: &str) -> Result<(), Box<dyn std::error::Error>> {
/// let verifier = JwksVerifier::new(
///     "https://app.example.com/api/auth/jwks",
///     "https://app.example.com",
///     "https://api.example.com",
/// )?;
/// let claims: Claims = verifier.verify(token).await?;
/// println!("user {}", claims.sub);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct JwksVerifier {
    url: String,
    expected: Expected,
    http: reqwest::Client,
    cooldown: Duration,
    max_age: Duration,
    fetched: ArcSwapOption<Fetched>,
    /// Held while fetching, so concurrent requests that meet a new key
    /// wait for one fetch; keeps the time of the last attempt.
    last_attempt: Mutex<Option<Instant>>,
}

#[derive(Debug)]
struct Fetched {
    keys: PublicKeys,
    at: Instant,
}

impl Fetched {
    fn serves(&self, kid: Option<&str>, max_age: Duration) -> bool {
        self.at.elapsed() < max_age && self.keys.has_key_for(kid)
    }
}

impl JwksVerifier {
    /// A verifier for tokens from `issuer` for `audience`, with the keys at
    /// `jwks_url` (`<base URL>/api/auth/jwks`). Nothing is fetched until
    /// the first token.
    ///
    /// # Errors
    /// [`VerifyError::Jwks`] if the HTTP client cannot be made.
    pub fn new(
        jwks_url: impl Into<String>,
        issuer: impl Into<String>,
        audience: impl Into<String>,
    ) -> Result<Self, VerifyError> {
        let http = reqwest::Client::builder()
            // The key set is where it is said to be, or nowhere.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|error| VerifyError::Jwks(error.to_string()))?;
        Ok(Self {
            url: jwks_url.into(),
            expected: Expected::new(issuer, audience),
            http,
            cooldown: COOLDOWN,
            max_age: MAX_AGE,
            fetched: ArcSwapOption::empty(),
            last_attempt: Mutex::new(None),
        })
    }

    /// Allows `seconds` of clock skew (default 60).
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.expected = self.expected.leeway(seconds);
        self
    }

    /// The least time between two fetches (default 60 s).
    #[must_use]
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// How long fetched keys are used before they are fetched again
    /// (default 10 minutes).
    #[must_use]
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Verifies `token` now and answers its claims as `T` ([`Claims`] or a
    /// type of your own).
    ///
    /// [`Claims`]: crate::Claims
    ///
    /// # Errors
    /// The check that failed; [`VerifyError::Jwks`] when no key set could
    /// be fetched yet.
    pub async fn verify<T: DeserializeOwned>(&self, token: &str) -> Result<T, VerifyError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Malformed)?;
        let fetched = self.keys_for(header.kid.as_deref()).await?;
        fetched.keys.verify(token, &self.expected, unix_now())
    }

    async fn keys_for(&self, kid: Option<&str>) -> Result<Arc<Fetched>, VerifyError> {
        if let Some(fetched) = self.fetched.load_full()
            && fetched.serves(kid, self.max_age)
        {
            return Ok(fetched);
        }
        let mut last_attempt = self.last_attempt.lock().await;
        // Another request may have fetched while this one waited.
        let current = self.fetched.load_full();
        if let Some(fetched) = &current
            && fetched.serves(kid, self.max_age)
        {
            return Ok(Arc::clone(fetched));
        }
        if last_attempt.is_none_or(|at| at.elapsed() >= self.cooldown) {
            *last_attempt = Some(Instant::now());
            match self.fetch().await {
                Ok(keys) => {
                    let fetched = Arc::new(Fetched {
                        keys,
                        at: Instant::now(),
                    });
                    self.fetched.store(Some(Arc::clone(&fetched)));
                    return Ok(fetched);
                }
                // Keep the keys we have when a refresh fails: an issuer
                // briefly down must not fail every token.
                Err(error) if current.is_none() => return Err(error),
                Err(_) => {}
            }
        }
        current.ok_or(VerifyError::UnknownKey)
    }

    async fn fetch(&self) -> Result<PublicKeys, VerifyError> {
        let failed = |error: reqwest::Error| VerifyError::Jwks(error.to_string());
        let mut response = self.http.get(&self.url).send().await.map_err(failed)?;
        if !response.status().is_success() {
            return Err(VerifyError::Jwks(format!(
                "{} answered {}",
                self.url,
                response.status()
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_JWKS_BYTES {
                return Err(VerifyError::Jwks("the key set is too large".into()));
            }
        }
        PublicKeys::from_jwks(&body)
    }
}
