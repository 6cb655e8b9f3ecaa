//! The plugin value: its providers and options.

use std::sync::Arc;

use nanoauth::{
    AccountAdapter, AuthUser, EmailVerificationAdapter, Endpoint, Plugin, PluginEndpoints,
    VerificationAdapter,
};

use crate::endpoints;
use crate::http::HttpClient;
use crate::profile::Profile;
use crate::provider::Provider;

type MapProfile<U> = dyn Fn(&Profile) -> <U as AuthUser>::SignUp + Send + Sync;

/// Social sign-in: the providers, and how a provider's profile becomes the
/// sign-up fields of the application's user type.
///
/// | Method | Path | Body / query | Answer |
/// |---|---|---|---|
/// | POST | `/signin/:provider` | `{callbackURL?, errorCallbackURL?}` | `{url, redirect: true}`: send the browser there |
/// | GET | `/callback/:provider` | `?code=&state=` (from the provider) | `302` to `callbackURL` with the session cookie, or to `errorCallbackURL?error=CODE` |
/// | POST | `/link/:provider` | `{callbackURL?, errorCallbackURL?}`, signed in | `{url, redirect: true}` |
/// | POST | `/unlink/:provider` | signed in | `{"success":true}` |
/// | GET | `/list-accounts` | signed in | `[{provider, accountId, createdAt}]` |
///
/// Needs an adapter with [`AccountAdapter`] and [`VerificationAdapter`].
///
/// ```
/// use nanoauth::{Auth, BasicSignUp, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth_oauth::{OAuth, providers};
///
/// let oauth = OAuth::<BasicUser>::new(|profile| BasicSignUp {
///     name: profile.name.clone().unwrap_or_default(),
/// })
/// .provider(providers::github("client-id", "client-secret"))
/// .provider(providers::google("client-id.apps.googleusercontent.com", "client-secret"));
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(oauth)
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
///
/// # Security
/// - `state` (single use, 10 minutes), PKCE S256 and, for OpenID Connect,
///   a `nonce` on every sign-in; ID tokens are checked against the
///   issuer's keys, `iss`, `aud`, `exp` and `nonce`.
/// - An existing account is never taken over: a provider account whose
///   email belongs to an existing user is refused (`ACCOUNT_NOT_LINKED`)
///   unless that provider has
///   [`link_by_verified_email`](crate::Provider::link_by_verified_email) on
///   *and* says the address is verified. Such a link proves the address
///   ([`EmailProof::SignIn`](nanoauth::EmailProof)): an account whose
///   address nobody had proven is taken over cleanly (its sessions,
///   password and other links go).
/// - An address the provider did not verify never becomes a verified one:
///   an account created from it stays unclaimed, and a required email
///   verification refuses it.
/// - Provider tokens are used once to read the profile and never stored.
pub struct OAuth<U: AuthUser> {
    pub(crate) providers: Vec<Provider>,
    pub(crate) map: Arc<MapProfile<U>>,
    pub(crate) allow_unlinking_last: bool,
    pub(crate) error_url: String,
    pub(crate) http: Option<HttpClient>,
}

impl<U: AuthUser> OAuth<U> {
    /// Social sign-in creating new users with the sign-up fields `map`
    /// makes from the provider's profile.
    pub fn new(map: impl Fn(&Profile) -> U::SignUp + Send + Sync + 'static) -> Self {
        Self {
            providers: Vec::new(),
            map: Arc::new(map),
            allow_unlinking_last: false,
            error_url: "/".to_owned(),
            // Building fails only when TLS cannot be set up; every call
            // then answers PROVIDER_UNAVAILABLE.
            http: HttpClient::new().ok(),
        }
    }

    /// Adds a provider (a second one with the same id replaces the first).
    pub fn provider(mut self, provider: Provider) -> Self {
        self.providers.retain(|p| p.id != provider.id);
        self.providers.push(provider);
        self
    }

    /// Lets users unlink their last linked account (default off, because a
    /// user without a password would be locked out). Turn it on when your
    /// users can always sign in another way.
    pub fn allow_unlinking_last_account(mut self, allowed: bool) -> Self {
        self.allow_unlinking_last = allowed;
        self
    }

    /// Where a callback goes with `?error=CODE` when it cannot tell where
    /// its sign-in started (a forged or expired `state`; default `/`).
    pub fn error_url(mut self, url: impl Into<String>) -> Self {
        self.error_url = url.into();
        self
    }

    /// The configured providers.
    pub fn providers(&self) -> impl Iterator<Item = &Provider> {
        self.providers.iter()
    }

    /// The provider with this id.
    pub fn find_provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }
}

impl<U: AuthUser> std::fmt::Debug for OAuth<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("providers", &self.providers)
            .field("allow_unlinking_last", &self.allow_unlinking_last)
            .field("error_url", &self.error_url)
            .finish_non_exhaustive()
    }
}

/// What social sign-in needs of the adapter: linked provider accounts,
/// single-use tokens (the flow's `state`) and verified addresses (a
/// provider vouching for an address proves it). Implemented for every
/// adapter that has the three capabilities.
pub trait OAuthAdapter<U: AuthUser>:
    AccountAdapter<U> + VerificationAdapter<U> + EmailVerificationAdapter<U>
{
}

impl<U, A> OAuthAdapter<U> for A
where
    U: AuthUser,
    A: AccountAdapter<U> + VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
}

impl<U, A> Plugin<U, A> for OAuth<U>
where
    U: AuthUser,
    A: OAuthAdapter<U>,
{
    fn name(&self) -> &'static str {
        "oauth"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.post("/signin/{provider}", endpoints::sign_in),
            // Consumes the flow's state: not safe, so `HEAD` never runs it.
            on.get("/callback/{provider}", endpoints::callback),
            on.post("/link/{provider}", endpoints::link),
            on.post("/unlink/{provider}", endpoints::unlink),
            on.get("/list-accounts", endpoints::list_accounts).safe(),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(crate::openapi::describe).collect();
        routes
    }
}
