//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::{
    Auth, AuthUser, CredentialResolver, Endpoint, Plugin, PluginEndpoints, RecordAdapter,
};

use crate::api::ApiKeysApi;
use crate::endpoints;

/// API keys: signed-in users create keys for their scripts and services,
/// and `get_session` (so every endpoint, extractor and hook) accepts a key
/// in the `x-api-key` header as that user, with a session whose `kind` is
/// `"api-key"` and whose `permissions` are the key's.
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | POST | `/api-key/create` | `{name, expiresIn?, permissions?, rateLimit?: {max, window}, metadata?}`, signed in | `{key, apiKey}`: the key is shown once |
/// | GET | `/api-key/list` | signed in | `[apiKey]` |
/// | POST | `/api-key/update` | `{keyId, name?, enabled?, expiresIn?}` | `{apiKey}` |
/// | POST | `/api-key/delete` | `{keyId}` | `{success: true}` |
///
/// `apiKey` is `{id, name, start, createdAt, expiresAt, enabled,
/// permissions, rateLimit, lastUsedAt, metadata}`; `start` is the key's
/// first characters, for people to recognise it.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_api_key::ApiKeys;
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(ApiKeys::new())
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Security
/// - Keys are `na_v1_` and 256 random bits; only their SHA-256 is stored,
///   so a database dump holds no working key. The versioned prefix keeps
///   stored keys valid across releases and lets secret scanners find them.
/// - Every use is looked up: a disabled, expired or deleted key is refused
///   on the next request (keys never enter the session cache).
/// - A key works only while its user could sign in: every plugin's session
///   guards are asked at each use (as a sign-in with its own second
///   factor), so a user banned by the admin plugin, or whose address must
///   be verified and is not, cannot use their keys.
/// - A key's own limit is counted once per lookup in the rate-limit store,
///   answered `429` with `Retry-After`.
/// - A key-made session is never fresh and cannot create or manage keys:
///   a leaked key cannot mint more keys, link a provider or change
///   two-factor.
#[derive(Debug)]
pub struct ApiKeys {
    pub(crate) header: &'static str,
    pub(crate) max_keys_per_user: usize,
}

impl Default for ApiKeys {
    fn default() -> Self {
        Self::new()
    }
}

impl ApiKeys {
    /// Keys in the `x-api-key` header, at most 100 per user.
    pub fn new() -> Self {
        Self {
            header: "x-api-key",
            max_keys_per_user: 100,
        }
    }

    /// Reads keys from the header `name` (lower case) instead.
    pub fn header(mut self, name: &'static str) -> Self {
        self.header = name;
        self
    }

    /// At most `count` keys per user.
    pub fn max_keys_per_user(mut self, count: usize) -> Self {
        self.max_keys_per_user = count;
        self
    }
}

impl<U: AuthUser, A: RecordAdapter<U>> Plugin<U, A> for ApiKeys {
    fn name(&self) -> &'static str {
        "api-key"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.post("/api-key/create", endpoints::create)
                .rate_limited(Limit::new(10, 60)),
            on.get("/api-key/list", endpoints::list).safe(),
            on.post("/api-key/update", endpoints::update),
            on.post("/api-key/delete", endpoints::delete),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }

    fn credentials(self: Arc<Self>) -> Vec<CredentialResolver<U, A>> {
        let header = self.header;
        vec![CredentialResolver::header(
            header,
            move |presented: String, auth: Auth<U, A>| {
                let plugin = Arc::clone(&self);
                async move { ApiKeysApi::bound(&auth, plugin).resolve(&presented).await }
            },
        )]
    }
}
