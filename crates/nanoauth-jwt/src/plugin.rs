//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::{Auth, AuthUser, Endpoint, Plugin, PluginEndpoints, Purge, RecordAdapter};
use serde_json::{Map, Value};

use crate::algorithm::Algorithm;
use crate::endpoints;
use crate::store::{KeyPolicy, KeyStore};

/// The application's own claims for a user.
type ClaimsFn<U> = dyn Fn(&U) -> Map<String, Value> + Send + Sync;

/// JWTs for other services: `GET /token` signs a short-lived token for the
/// signed-in user, `GET /jwks` publishes the public keys that verify it.
///
/// | Method | Path | Needs | Answer |
/// |---|---|---|---|
/// | GET | `/token` | a session (cookie, bearer, or an API key's) | `{token}` |
/// | GET | `/jwks` | nothing | `{keys: [{kty, kid, alg, use: "sig", ...}]}` |
///
/// A token's claims are `iss` (the base URL's origin unless
/// [`issuer`](Self::issuer) says otherwise), `sub` (the user id), `aud`
/// (the issuer unless [`audience`](Self::audience) says otherwise), `iat`,
/// `exp` (15 minutes later by default), `jti` (random), `credential`
/// (`{kind, id, permissions}`, only when the session came from a credential
/// such as an API key), and the application's [`claims`](Self::claims).
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_jwt::{Algorithm, Jwt};
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("https://app.example.com")
///     .plugin(
///         Jwt::new()
///             .algorithm(Algorithm::EdDsa)
///             .audience("https://api.example.com")
///             .claims(|user: &BasicUser| {
///                 let mut claims = serde_json::Map::new();
///                 claims.insert("email".into(), user.email.as_str().into());
///                 claims
///             }),
///     )
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Security
/// - These tokens are for other services. NanoAuth never accepts one as a
///   session: `get_session` knows only its own session tokens and the
///   credentials of its plugins.
/// - Keys are made on first use, one per rotation period (30 days by
///   default) under the store's uniqueness constraint, so concurrent first
///   requests on any number of servers make one key. The private key is
///   sealed (XChaCha20-Poly1305) under keys derived from the list of
///   application secrets: with a new secret first and the old one kept,
///   existing keys still open; were one ever sealed under a secret no
///   server has any more, a new key replaces it instead of failing.
/// - After a rotation the old public key stays in the JWKS until its last
///   token has expired (plus two minutes), then leaves it.
/// - A token made from an API key carries the key's permissions in
///   `credential`: a service must not treat it as the full user.
pub struct Jwt<U> {
    pub(crate) policy: KeyPolicy,
    pub(crate) issuer: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) claims: Option<Box<ClaimsFn<U>>>,
    pub(crate) keys: KeyStore,
}

impl<U> std::fmt::Debug for Jwt<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("policy", &self.policy)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("claims", &self.claims.as_ref().map(|_| ".."))
            .finish_non_exhaustive()
    }
}

impl<U> Default for Jwt<U> {
    fn default() -> Self {
        Self::new()
    }
}

impl<U> Jwt<U> {
    /// EdDSA keys rotated every 30 days, tokens valid for 15 minutes, issued
    /// by and for the base URL's origin.
    pub fn new() -> Self {
        Self {
            policy: KeyPolicy {
                algorithm: Algorithm::EdDsa,
                lifetime: 15 * 60,
                rotate_every: 30 * 24 * 60 * 60,
            },
            issuer: None,
            audience: None,
            claims: None,
            keys: KeyStore::default(),
        }
    }

    /// The algorithm of new keys. Changing it starts a new key at once; the
    /// old one stays published until its tokens expire.
    #[must_use]
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.policy.algorithm = algorithm;
        self
    }

    /// How long a token is valid, in seconds (default 900; at least 1).
    #[must_use]
    pub fn token_lifetime(mut self, seconds: u64) -> Self {
        self.policy.lifetime = seconds.max(1);
        self
    }

    /// How often a new key takes over, in seconds (default 30 days; at least
    /// 1). Generations are aligned to multiples of it since the Unix epoch,
    /// so every server agrees on when.
    #[must_use]
    pub fn rotate_every(mut self, seconds: u64) -> Self {
        self.policy.rotate_every = seconds.max(1);
        self
    }

    /// The `iss` claim (default: the base URL's origin).
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The `aud` claim: the service the tokens are for (default: the
    /// issuer).
    #[must_use]
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Claims of the application's own, from the user. The registered
    /// claims (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`) and
    /// `credential` are NanoAuth's: the closure's values for them are
    /// ignored.
    #[must_use]
    pub fn claims<F>(mut self, claims: F) -> Self
    where
        F: Fn(&U) -> Map<String, Value> + Send + Sync + 'static,
    {
        self.claims = Some(Box::new(claims));
        self
    }

    /// How long the JWKS may be cached, in seconds: well inside a token
    /// lifetime, so a new key is seen long before the old one leaves.
    pub(crate) fn jwks_max_age(&self) -> u64 {
        (self.policy.lifetime / 3).min(300)
    }
}

impl<U: AuthUser, A: RecordAdapter<U>> Plugin<U, A> for Jwt<U> {
    fn name(&self) -> &'static str {
        "jwt"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.get("/token", endpoints::token),
            // A read of public keys: safe, so `HEAD` may run it too.
            // A cache never hides a key whose tokens are live.
            on.get("/jwks", endpoints::jwks)
                .safe()
                .cached_publicly(self.jwks_max_age()),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }

    fn purges(self: Arc<Self>) -> Vec<Purge<U, A>> {
        // Keys whose tokens have all expired; the purge covers every
        // plugin's expired records, which is harmless to run twice.
        vec![Purge::new(|auth: Auth<U, A>, now| async move {
            Ok(auth.adapter().purge_expired_records(now).await?)
        })]
    }
}
