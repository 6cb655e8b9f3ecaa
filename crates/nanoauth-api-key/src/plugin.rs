//! The plugin value: its options, and what it adds to an `Auth`.

use std::sync::Arc;

use nanoauth::rate_limit::Limit;
use nanoauth::{
    Auth, AuthUser, CredentialResolver, Endpoint, Plugin, PluginEndpoints, RecordAdapter,
};

use crate::api::ApiKeysApi;
use crate::authority::{self, AdminCheck};
use crate::endpoints;

/// API keys: signed-in users create keys for their scripts and services,
/// and `get_session` (so every endpoint, extractor and hook) accepts a key
/// in the `x-api-key` header as that user, with a session whose `kind` is
/// `"api-key"` and whose `permissions` are the key's.
///
/// A key belongs to a user, an organization (with the organization
/// plugin and this crate's `organization` feature: made by a member whose
/// roles allow `apiKey:create`, it signs in as that member with
/// `organizationId` on the session) or a service identity with no user
/// (made by server code, [`ApiKeysApi::create_service_key`], or an
/// administrator; verified with [`ApiKeysApi::verify`], never a session).
///
/// | Method | Path | Body | Answer |
/// |---|---|---|---|
/// | POST | `/api-key/create` | `{name, expiresIn?, permissions?, rateLimit?: {max, window}, metadata?, organizationId? \| userId? \| serviceName?}`, signed in | `{key, apiKey}`: the key is shown once |
/// | GET | `/api-key/list?organizationId= \| userId= \| serviceName=` | signed in | `[apiKey]` |
/// | POST | `/api-key/update` | `{keyId, name?, enabled?, expiresIn?, organizationId? \| userId? \| serviceName?}` | `{apiKey}` |
/// | POST | `/api-key/delete` | `{keyId, organizationId? \| userId? \| serviceName?}` | `{success: true}` |
///
/// Without an owner named, the owner is the signed-in user. An
/// organization's keys need its `apiKey:create|read|update|delete`
/// permission; another user's and service identities' keys need an
/// administrator ([`administrators`](Self::administrators)).
///
/// `apiKey` is `{id, name, start, createdAt, expiresAt, enabled,
/// permissions, rateLimit, lastUsedAt, metadata, ownerType, userId |
/// organizationId | serviceName, createdBy}`; `start` is the key's first
/// characters, for people to recognise it.
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
pub struct ApiKeys {
    pub(crate) header: &'static str,
    pub(crate) max_keys_per_user: usize,
    pub(crate) administrators: Option<AdminCheck>,
}

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys")
            .field("header", &self.header)
            .field("max_keys_per_user", &self.max_keys_per_user)
            .field("administrators", &self.administrators.is_some())
            .finish()
    }
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
            administrators: None,
        }
    }

    /// Reads keys from the header `name` (lower case) instead.
    pub fn header(mut self, name: &'static str) -> Self {
        self.header = name;
        self
    }

    /// At most `count` keys per owner (a user, an organization, a
    /// service identity).
    pub fn max_keys_per_user(mut self, count: usize) -> Self {
        self.max_keys_per_user = count;
        self
    }

    /// Who administers every key: `check` says whether a user is an
    /// administrator, who may then create, list, change and delete the
    /// keys of any user (`userId`), of service identities
    /// (`serviceName`) and of organizations. With the admin plugin, its
    /// own check (a closure, so neither crate depends on the other):
    ///
    /// ```
    /// # use nanoauth::BasicUser;
    /// use nanoauth_api_key::ApiKeys;
    /// # struct Admin; impl Admin { fn is_admin(&self, _: &BasicUser) -> bool { false } }
    /// # let admin = std::sync::Arc::new(Admin);
    /// // let admin = nanoauth_admin::Admin::new();  (and `.plugin(admin.clone())`)
    /// let keys = ApiKeys::new().administrators(move |user: &BasicUser| admin.is_admin(user));
    /// ```
    ///
    /// The user type is the application's: a check over another type
    /// answers no for everyone.
    pub fn administrators<U, F>(mut self, check: F) -> Self
    where
        U: AuthUser,
        F: Fn(&U) -> bool + Send + Sync + 'static,
    {
        self.administrators = Some(authority::admin_check(check));
        self
    }

    /// Whether `user` administers every key.
    pub(crate) fn is_admin<U: AuthUser>(&self, user: &U) -> bool {
        self.administrators
            .as_ref()
            .is_some_and(|check| check(user as &dyn std::any::Any))
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
