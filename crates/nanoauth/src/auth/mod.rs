//! The `Auth` value: built once, shared by every request.

#[cfg(feature = "openapi")]
mod openapi;
pub(crate) mod registry;

use std::sync::Arc;

use crate::adapter::Adapter;
use crate::auth::registry::{Draft, Published, Registry};
use crate::clock::{Clock, SystemClock};
use crate::pipeline::cookie;
use crate::pipeline::cors::{self, Cors};
use crate::pipeline::origin::origin_of;
use crate::pipeline::request_hooks::{Matcher, RequestHook};
use crate::plugin::Plugin;
use crate::plugin::events::{Event, EventKind, Hook};
use crate::rate_limit::RateLimit;
use crate::runtime::{Offload, default_offload};
use crate::session::SessionConfig;
use crate::session::cache::SessionCache;
use crate::session::keys::{KeyRing, MIN_SECRET_LEN};
use crate::session::plugin::{SESSIONS, Sessions};
use crate::user::AuthUser;
use crate::{EndpointRequest, Error, Reply};

/// NanoAuth for one application: its adapter, keys, plugins and options.
///
/// Build it once with [`Auth::builder`] and share it: cloning is cheap (one
/// `Arc`), and nothing in it is global or per-thread, so two `Auth` values in
/// one process never see each other's state.
///
/// ```
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// use nanoauth::plugins::email_password::EmailPassword;
///
/// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(EmailPassword::new())
///     .build()?;
/// # Ok::<(), nanoauth::ConfigError>(())
/// ```
pub struct Auth<U: AuthUser, A: Adapter<U>> {
    inner: Arc<Inner<U, A>>,
}

struct Inner<U: AuthUser, A: Adapter<U>> {
    adapter: Arc<A>,
    config: Arc<Config>,
    keys: KeyRing,
    offload: Arc<dyn Offload>,
    clock: Arc<dyn Clock>,
    /// Plugins, routes, listeners and guards: swapped whole when a plugin
    /// or listener is added at run time, seen by every copy of the `Auth`.
    registry: Published<U, A>,
    /// Recently confirmed sessions, when `session_cache` is on.
    session_cache: Option<Arc<SessionCache<U>>>,
}

/// Options fixed when `Auth` is built.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) base_path: String,
    pub(crate) trusted_origins: Vec<String>,
    pub(crate) secure_cookies: bool,
    pub(crate) cookie_name: String,
    /// What cookie names start with (`nanoauth`; see
    /// `AuthBuilder::cookie_prefix`).
    pub(crate) cookie_prefix: String,
    pub(crate) session: SessionConfig,
    pub(crate) max_body_bytes: usize,
    pub(crate) rate_limit: RateLimit,
    pub(crate) cors: Cors,
    /// Email and client addresses in full in traces (see
    /// `AuthBuilder::trace_personal_data`).
    pub(crate) trace_personal_data: bool,
    /// The API description's options.
    #[cfg(feature = "openapi")]
    pub(crate) openapi: crate::openapi::document::OpenApiConfig,
}

impl<U: AuthUser, A: Adapter<U>> Clone for Auth<U, A> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for Auth<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plugins = self.inner.registry.load().names();
        f.debug_struct("Auth")
            .field("config", &self.inner.config)
            .field("plugins", &plugins)
            .finish_non_exhaustive()
    }
}

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// Starts building an `Auth` over `adapter`.
    pub fn builder(adapter: A) -> AuthBuilder<U, A> {
        AuthBuilder::new(adapter)
    }

    /// The application's adapter, typed: its own methods are reachable.
    pub fn adapter(&self) -> &A {
        &self.inner.adapter
    }

    /// The plugin of type `P`, if it was added. Plugin exports use this to
    /// reach their configuration; endpoints, hooks and guards get their
    /// plugin directly. `P` need not be a plugin *for this adapter*: a
    /// plugin that asks with weaker storage bounds than `P` needs (the
    /// api-key plugin asking for the organization plugin) still finds it.
    pub fn plugin<P: Send + Sync + 'static>(&self) -> Option<Arc<P>> {
        self.inner.registry.load().plugin::<P>()
    }

    /// Adds a plugin after construction. (`use` is a Rust keyword.)
    ///
    /// Every copy of this `Auth` serves the plugin from the next request on,
    /// including copies already mounted in a framework's router; a request
    /// in flight finishes with the plugins it started with.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth::plugins::email_password::EmailPassword;
    /// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) -> Result<(), nanoauth::ConfigError> {
    /// let mounted = auth.clone(); // say, inside an axum router
    /// auth.use_plugin(EmailPassword::new())?;
    /// // `mounted` now answers POST /api/auth/signin/email too.
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`ConfigError`] when the plugin's name or an endpoint is taken; the
    /// `Auth` is unchanged then.
    pub fn use_plugin<P: Plugin<U, A>>(&self, plugin: P) -> Result<(), ConfigError> {
        self.inner
            .registry
            .update(move |draft| draft.register(plugin))
    }

    /// Adds a listener for `kind` events, seen by every copy of this `Auth`.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, EventKind, Event, adapter::memory::MemoryAdapter};
    /// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
    /// auth.on(EventKind::AfterSignIn, |event, _auth| async move {
    ///     if let Event::SignedIn { user, .. } = event {
    ///         println!("{} signed in", user.email);
    ///     }
    /// });
    /// # }
    /// ```
    pub fn on<F, Fut>(&self, kind: EventKind, listener: F)
    where
        F: Fn(Event<U>, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let hook = Hook::new(kind, listener);
        // Adding a listener changes no route, so it cannot fail.
        let _ = self.inner.registry.update(move |draft| {
            draft.listen(hook);
            Ok(())
        });
    }

    /// Adds a hook run before the endpoints `matcher` selects, seen by every
    /// copy of this `Auth` from the next request on. It gets the request
    /// (method, [route](EndpointRequest::route), path parameters, headers,
    /// body, [client](EndpointRequest::client), session) and passes it on,
    /// amended or not, or refuses it with an [`Error`]: the client gets that
    /// error and the endpoint never runs. See [`RequestHook`] for where and
    /// in which order hooks run.
    ///
    /// ```
    /// use http::StatusCode;
    /// use nanoauth::{Auth, BasicUser, EndpointRequest, Error, Matcher};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct SignUp { email: String }
    ///
    /// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
    /// auth.before(
    ///     Matcher::any().method(http::Method::POST).path("/signup/email"),
    ///     |request: EndpointRequest<_, _>| async move {
    ///         let SignUp { email } = request.json()?;
    ///         if email.ends_with("@spam.example") {
    ///             return Err(Error::plugin(StatusCode::FORBIDDEN, "DOMAIN_BLOCKED", "Use another address."));
    ///         }
    ///         Ok(request)
    ///     },
    /// );
    /// # }
    /// ```
    pub fn before<F, Fut>(&self, matcher: Matcher, hook: F)
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<EndpointRequest<U, A>, Error>> + Send + 'static,
    {
        self.hook_requests(RequestHook::before(matcher, hook));
    }

    /// Adds a hook run after the endpoints `matcher` selects, seen by every
    /// copy of this `Auth` from the next request on. It gets the request
    /// and the endpoint's outcome (its [`Reply`], or its [`Error`]) and
    /// answers the outcome to pass on: the same, amended, or replaced.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use http::{HeaderName, HeaderValue};
    /// use nanoauth::{Auth, BasicUser, EndpointRequest, Error, Matcher, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
    /// auth.after(
    ///     Matcher::any().path("/signin/*"),
    ///     |_request: Arc<EndpointRequest<_, _>>, outcome: Result<Reply, Error>| async move {
    ///         let reply = outcome?; // errors pass on unchanged
    ///         let mut body: serde_json::Value = reply.json_body()?;
    ///         body["welcome"] = "back".into();
    ///         reply
    ///             .with_json(&body)?
    ///             .with_header(HeaderName::from_static("x-welcome"), HeaderValue::from_static("1"))
    ///     },
    /// );
    /// # }
    /// ```
    pub fn after<F, Fut>(&self, matcher: Matcher, hook: F)
    where
        F: Fn(Arc<EndpointRequest<U, A>>, Result<Reply, Error>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.hook_requests(RequestHook::after(matcher, hook));
    }

    fn hook_requests(&self, hook: RequestHook<U, A>) {
        // The route table is rebuilt with the hook; its routes are the ones
        // that built before, so this cannot fail.
        let _ = self.inner.registry.update(move |draft| {
            draft.hook_requests(hook);
            Ok(())
        });
    }

    /// Runs the listeners of `event`'s kind, in registration order.
    pub async fn emit(&self, event: Event<U>) {
        crate::observe::lifecycle(&event, self.inner.config.trace_personal_data);
        let kind = event.kind();
        let registry = self.inner.registry.load_full();
        for hook in registry.hooks.iter().filter(|hook| hook.kind == kind) {
            (hook.listener)(event.clone(), self.clone()).await;
        }
    }

    /// `target` if it is a path on this site or a URL on a trusted origin
    /// (the base URL's and each `trusted_origin`); see
    /// [`safe_redirect`](crate::utils::redirect::safe_redirect).
    ///
    /// # Errors
    /// [`Error::InvalidRedirect`](crate::Error::InvalidRedirect) otherwise.
    pub fn check_redirect(&self, target: &str) -> Result<String, crate::Error> {
        crate::utils::redirect::safe_redirect(target, &self.inner.config.trusted_origins)
            .map_err(|_| crate::Error::InvalidRedirect)
    }

    /// The current time from the configured clock, in Unix seconds.
    pub fn now(&self) -> u64 {
        self.inner.clock.now()
    }

    /// Where blocking work (password hashing) runs.
    pub fn offload(&self) -> &dyn Offload {
        self.inner.offload.as_ref()
    }

    /// The base path endpoints are mounted under (default `/api/auth`).
    pub fn base_path(&self) -> &str {
        &self.inner.config.base_path
    }

    /// The session cookie's name (`__Host-` prefixed over https).
    pub fn cookie_name(&self) -> &str {
        &self.inner.config.cookie_name
    }

    /// The full name of a plugin's cookie `name` (see
    /// [`Reply::with_cookie`](crate::Reply::with_cookie)): `nanoauth.NAME`,
    /// `__Host-` prefixed over https like the session cookie.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("https://example.com")
    ///     .build()?;
    /// assert_eq!(auth.plugin_cookie_name("oauth_state"), "__Host-nanoauth.oauth_state");
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn plugin_cookie_name(&self, name: &str) -> String {
        let prefix = if self.secure_cookies() { "__Host-" } else { "" };
        format!("{prefix}{}.{name}", self.inner.config.cookie_prefix)
    }

    /// Keys for a plugin's own MACs and encryption, derived from the
    /// configured secrets with HKDF-SHA-256 under `purpose`: one per secret,
    /// in order, so the first is current and the others open what older
    /// secrets sealed (rotation works as for session tokens). Distinct
    /// purposes never share a key, and none is the session-signing key.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// let auth = Auth::<BasicUser, _>::builder(MemoryAdapter::new())
    ///     .secret("the new secret, thirty-two bytes or more")
    ///     .secret("the old secret, still opening old values")
    ///     .base_url("https://example.com")
    ///     .build()?;
    /// let keys = auth.derive_keys("my-plugin sealing v1");
    /// assert_eq!(keys.len(), 2);
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn derive_keys(&self, purpose: &str) -> Vec<[u8; 32]> {
        self.inner.keys.purpose_keys(purpose)
    }

    /// [`SealingKeys`](crate::utils::sealed::SealingKeys) derived for
    /// `purpose` (see [`derive_keys`](Self::derive_keys)): the first seals,
    /// all open, so a value sealed before a secret rotation still opens.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// # let auth = Auth::<BasicUser, _>::builder(MemoryAdapter::new())
    /// #     .secret("a secret of at least thirty-two bytes!!").base_url("https://example.com").build()?;
    /// let keys = auth.sealing_keys("my-plugin seeds v1")?;
    /// let sealed = keys.seal(b"secret", b"user-1")?;
    /// assert_eq!(keys.open(&sealed, b"user-1").as_deref().map(Vec::as_slice), Some(&b"secret"[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Never with a built `Auth` (it has at least one secret).
    pub fn sealing_keys(
        &self,
        purpose: &str,
    ) -> Result<crate::utils::sealed::SealingKeys, crate::utils::sealed::SealError> {
        crate::utils::sealed::SealingKeys::new(self.derive_keys(purpose))
    }

    /// `true` when `session` was signed in within the fresh age (see
    /// [`AuthBuilder::session_fresh_age`]); refreshes do not count, and a
    /// session from a credential (an API key) never is.
    pub fn is_fresh(&self, session: &crate::Session<U>) -> bool {
        // A credential (an API key) proves no recent sign-in.
        if session.credential().is_some() {
            return false;
        }
        let fresh_until = session
            .session
            .created_at
            .saturating_add(self.inner.config.session.fresh_age);
        self.now() < fresh_until
    }

    /// `true` when `session`'s user authenticated within the fresh age:
    /// signed in (as [`is_fresh`](Self::is_fresh)) or proved who they are
    /// again since, as a plugin reports it (a passkey assertion: see
    /// [`Plugin::reauthentications`](crate::Plugin::reauthentications)).
    /// What [`require_fresh_session`](crate::EndpointRequest::require_fresh_session)
    /// asks. A session from a credential (an API key) never is.
    ///
    /// # Errors
    /// A plugin's lookup failing (adapter failures).
    pub async fn is_recently_authenticated(
        &self,
        session: &crate::Session<U>,
    ) -> Result<bool, crate::Error> {
        if session.credential().is_some() {
            return Ok(false);
        }
        if self.is_fresh(session) {
            return Ok(true);
        }
        let fresh_age = self.inner.config.session.fresh_age;
        let now = self.now();
        for source in &self.registry().reauthentications {
            if let Some(at) = (source.latest)(session.clone(), self.clone()).await?
                && at <= now
                && now < at.saturating_add(fresh_age)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The origin of the base URL (`https://example.com`), where links in
    /// emails point.
    pub fn base_origin(&self) -> &str {
        // `build` puts the base URL's origin first.
        self.inner
            .config
            .trusted_origins
            .first()
            .map_or("", String::as_str)
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The current registry: plugins, routes, listeners, guards.
    pub(crate) fn registry(&self) -> Arc<Registry<U, A>> {
        self.inner.registry.load_full()
    }

    pub(crate) fn keys(&self) -> &KeyRing {
        &self.inner.keys
    }

    pub(crate) fn session_cache(&self) -> Option<&SessionCache<U>> {
        self.inner.session_cache.as_deref()
    }

    pub(crate) fn session_config(&self) -> SessionConfig {
        self.inner.config.session
    }

    pub(crate) fn secure_cookies(&self) -> bool {
        self.inner.config.secure_cookies
    }
}

/// Builds an [`Auth`]. Required: an adapter (given to [`Auth::builder`]), at
/// least one secret, and the base URL.
pub struct AuthBuilder<U: AuthUser, A: Adapter<U>> {
    adapter: A,
    secrets: Vec<Vec<u8>>,
    base_url: Option<String>,
    base_path: String,
    trusted_origins: Vec<String>,
    session: SessionConfig,
    max_body_bytes: usize,
    rate_limit: RateLimit,
    offload: Option<Arc<dyn Offload>>,
    clock: Arc<dyn Clock>,
    plugins: Vec<PendingPlugin<U, A>>,
    hooks: Vec<Hook<U, A>>,
    request_hooks: Vec<RequestHook<U, A>>,
    session_cache_ttl: Option<u64>,
    cors_allow_headers: Vec<String>,
    cors_expose_headers: Vec<String>,
    cors_max_age: u64,
    trace_personal_data: bool,
    cookie_prefix: String,
    #[cfg(feature = "openapi")]
    openapi: crate::openapi::document::OpenApiConfig,
}

/// A plugin given to the builder, registered when `build` runs.
type PendingPlugin<U, A> = Box<dyn FnOnce(&mut Draft<U, A>) -> Result<(), ConfigError>>;

const DAY: u64 = 24 * 60 * 60;

/// How many sessions the session cache keeps at most (a few hundred bytes
/// each, plus the user).
const SESSION_CACHE_ENTRIES: usize = 100_000;

impl<U: AuthUser, A: Adapter<U>> AuthBuilder<U, A> {
    fn new(adapter: A) -> Self {
        Self {
            adapter,
            secrets: Vec::new(),
            base_url: None,
            base_path: "/api/auth".to_owned(),
            trusted_origins: Vec::new(),
            session: SessionConfig {
                expires_in: 7 * DAY,
                update_age: DAY,
                fresh_age: 10 * 60,
            },
            max_body_bytes: 64 * 1024,
            rate_limit: RateLimit::default(),
            offload: None,
            clock: Arc::new(SystemClock),
            plugins: Vec::new(),
            hooks: Vec::new(),
            request_hooks: Vec::new(),
            session_cache_ttl: None,
            cors_allow_headers: Vec::new(),
            cors_expose_headers: Vec::new(),
            cors_max_age: cors::DEFAULT_MAX_AGE,
            trace_personal_data: false,
            cookie_prefix: "nanoauth".to_owned(),
            #[cfg(feature = "openapi")]
            openapi: crate::openapi::document::OpenApiConfig::default(),
        }
    }

    /// Adds a secret (at least 32 bytes). The first one signs new tokens;
    /// later ones only verify, so a rotation puts the new secret first and
    /// keeps the old one until its tokens have expired.
    pub fn secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secrets.push(secret.as_ref().to_vec());
        self
    }

    /// The public URL of the site (`https://example.com`). Its origin is
    /// trusted, and https turns on `Secure` cookies with the `__Host-` prefix.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Where the endpoints are mounted (default `/api/auth`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// What the cookies' names start with (default `nanoauth`): the session
    /// cookie is `PREFIX.session_token` (`__Host-PREFIX.session_token` over
    /// https), a plugin's cookie `PREFIX.NAME`. An application moving from
    /// better-auth sets `better-auth`, its cookie prefix, so server code
    /// that looks for that cookie by name keeps finding it. Letters,
    /// digits and `-_.` only.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .cookie_prefix("better-auth")
    ///     .build()?;
    /// assert_eq!(auth.cookie_name(), "better-auth.session_token");
    ///
    /// let refused = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .cookie_prefix("a;b")
    ///     .build();
    /// assert!(matches!(refused, Err(nanoauth::ConfigError::InvalidCookiePrefix(_))));
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn cookie_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.cookie_prefix = prefix.into();
        self
    }

    /// Another origin allowed to send state-changing requests (a separate
    /// front-end, say `https://app.example.com`).
    pub fn trusted_origin(mut self, origin: impl Into<String>) -> Self {
        self.trusted_origins.push(origin.into());
        self
    }

    /// Another request header the trusted origins' scripts may send
    /// (`Access-Control-Allow-Headers`), besides `Content-Type` and
    /// `Authorization`, which are always allowed: say, `X-Captcha-Token`
    /// for a before hook to read (see [`Auth::before`]).
    ///
    /// CORS is on for the trusted origins only (the base URL's and each
    /// [`trusted_origin`](Self::trusted_origin)): a preflight from one of
    /// them is answered `204` with credentials allowed; from any other,
    /// `403 INVALID_ORIGIN` with no CORS header.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    ///
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("https://api.example.com")
    ///     .trusted_origin("https://app.example.com")
    ///     .cors_allow_header("x-captcha-token")
    ///     .build()?;
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn cors_allow_header(mut self, name: impl Into<String>) -> Self {
        self.cors_allow_headers.push(name.into());
        self
    }

    /// Another response header the trusted origins' scripts may read
    /// (`Access-Control-Expose-Headers`), besides `Retry-After`, which is
    /// always exposed: say, a header an after hook adds (see
    /// [`Auth::after`]).
    pub fn cors_expose_header(mut self, name: impl Into<String>) -> Self {
        self.cors_expose_headers.push(name.into());
        self
    }

    /// How long a browser may reuse a preflight's answer, in seconds
    /// (`Access-Control-Max-Age`, default 600; browsers cap it, Chromium at
    /// two hours).
    pub fn cors_max_age(mut self, seconds: u64) -> Self {
        self.cors_max_age = seconds;
        self
    }

    /// How long a session lives without use, in seconds (default 7 days).
    pub fn session_expires_in(mut self, seconds: u64) -> Self {
        self.session.expires_in = seconds;
        self
    }

    /// How often an active session's expiry slides forward, in seconds
    /// (default 1 day). Each slide is one adapter write.
    pub fn session_update_age(mut self, seconds: u64) -> Self {
        self.session.update_age = seconds;
        self
    }

    /// How recently a session must have been signed in (not merely
    /// refreshed) to be *fresh*, in seconds (default 10 minutes).
    /// Sensitive changes, such as linking a provider account, need a fresh
    /// session, so a session stolen or left open hours ago cannot make them;
    /// an older one is answered `403 SESSION_NOT_FRESH` and the user signs
    /// in again. See [`EndpointRequest::require_fresh_session`](crate::EndpointRequest::require_fresh_session).
    pub fn session_fresh_age(mut self, seconds: u64) -> Self {
        self.session.fresh_age = seconds;
        self
    }

    /// Checks sessions against the adapter at most once every `seconds` per
    /// session: in between, a session is confirmed from this process's
    /// memory, with no database round trip (the token's signature is still
    /// verified on every request).
    ///
    /// The trade-off: a session revoked by *another* process, or in the
    /// database directly, keeps working here for up to `seconds`; so do a
    /// user's changed fields. Revocations through this `Auth` (sign-out,
    /// revoking sessions, password reset or change) take effect at once.
    /// Off by default (every check asks the adapter).
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    ///
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .session_cache(30) // revocation elsewhere seen within 30 s
    ///     .build()?;
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn session_cache(mut self, seconds: u64) -> Self {
        self.session_cache_ttl = (seconds > 0).then_some(seconds);
        self
    }

    /// Whether the `tracing` events may hold personal data in full: email
    /// addresses (else `a***@example.com`) and the client addresses of
    /// rate-limit hits (else left out). Off by default; it changes nothing
    /// without the `tracing` feature. Secrets (passwords, tokens, links)
    /// are never recorded either way.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    ///
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .trace_personal_data(true) // logs kept where personal data may be
    ///     .build()?;
    /// # Ok::<(), nanoauth::ConfigError>(())
    /// ```
    pub fn trace_personal_data(mut self, full: bool) -> Self {
        self.trace_personal_data = full;
        self
    }

    /// The largest request body accepted, in bytes (default 64 KiB).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Rate limits on credential endpoints (on by default, in memory; see
    /// [`RateLimit`] for the default limits).
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = rate_limit;
        self
    }

    /// Where blocking work runs (default: tokio's blocking pool with the
    /// `tokio` feature, else a thread per job).
    pub fn offload(mut self, offload: impl Offload) -> Self {
        self.offload = Some(Arc::new(offload));
        self
    }

    /// The time source (default: the system clock).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Adds a plugin.
    pub fn plugin<P: Plugin<U, A>>(mut self, plugin: P) -> Self {
        self.plugins
            .push(Box::new(move |draft| draft.register(plugin)));
        self
    }

    /// Adds a listener, as [`Auth::on`] does.
    pub fn on<F, Fut>(mut self, kind: EventKind, listener: F) -> Self
    where
        F: Fn(Event<U>, Auth<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        self.hooks.push(Hook::new(kind, listener));
        self
    }

    /// Adds a before hook, as [`Auth::before`] does.
    pub fn before<F, Fut>(mut self, matcher: Matcher, hook: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<EndpointRequest<U, A>, Error>> + Send + 'static,
    {
        self.request_hooks.push(RequestHook::before(matcher, hook));
        self
    }

    /// Adds an after hook, as [`Auth::after`] does.
    pub fn after<F, Fut>(mut self, matcher: Matcher, hook: F) -> Self
    where
        F: Fn(Arc<EndpointRequest<U, A>>, Result<Reply, Error>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.request_hooks.push(RequestHook::after(matcher, hook));
        self
    }

    /// Checks the configuration and builds the router.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first problem found.
    pub fn build(self) -> Result<Auth<U, A>, ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::MissingSecret);
        }
        if self
            .secrets
            .iter()
            .any(|secret| secret.len() < MIN_SECRET_LEN)
        {
            return Err(ConfigError::SecretTooShort);
        }
        let base_url = self.base_url.ok_or(ConfigError::MissingBaseUrl)?;
        let base_origin =
            origin_of(&base_url).ok_or_else(|| ConfigError::InvalidUrl(base_url.clone()))?;
        let secure_cookies = base_origin.starts_with("https://");

        let mut trusted_origins = vec![base_origin];
        for origin in &self.trusted_origins {
            let parsed =
                origin_of(origin).ok_or_else(|| ConfigError::InvalidUrl(origin.clone()))?;
            if !trusted_origins.contains(&parsed) {
                trusted_origins.push(parsed);
            }
        }

        let base_path = self.base_path.trim_end_matches('/').to_owned();
        if !base_path.starts_with('/') || base_path.contains("//") {
            return Err(ConfigError::InvalidBasePath(self.base_path));
        }
        if self.session.expires_in == 0 {
            return Err(ConfigError::InvalidSessionLifetime);
        }

        // The `__Host-` prefix binds the cookie to this exact host over
        // https, so a sibling subdomain cannot plant or overwrite it.
        let prefix = &self.cookie_prefix;
        let prefix_allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if prefix.is_empty() || !prefix.chars().all(prefix_allowed) {
            return Err(ConfigError::InvalidCookiePrefix(prefix.clone()));
        }
        let cookie_name = if secure_cookies {
            format!("__Host-{prefix}.session_token")
        } else {
            format!("{prefix}.session_token")
        };
        debug_assert!(cookie::is_valid_name(&cookie_name));

        let config = Config {
            base_path,
            trusted_origins,
            secure_cookies,
            cookie_name,
            cookie_prefix: self.cookie_prefix,
            session: self.session,
            max_body_bytes: self.max_body_bytes,
            rate_limit: self.rate_limit,
            cors: Cors::build(
                &self.cors_allow_headers,
                &self.cors_expose_headers,
                self.cors_max_age,
            )?,
            trace_personal_data: self.trace_personal_data,
            #[cfg(feature = "openapi")]
            openapi: self.openapi,
        };
        let mut draft = Draft::new(self.hooks, self.request_hooks);
        for register in self.plugins {
            register(&mut draft)?;
        }
        // The session endpoints are always served; an application may add
        // `Sessions` itself (as the design's examples do), which is the same.
        if !draft.has(SESSIONS) {
            draft.register(Sessions::new())?;
        }
        // The description and its page, unless turned off (see `openapi.rs`).
        #[cfg(feature = "openapi")]
        if config.openapi.serve && !draft.has(crate::openapi::API_REFERENCE) {
            draft.register(crate::openapi::ApiReference)?;
        }
        let inner = Inner {
            adapter: Arc::new(self.adapter),
            config: Arc::new(config),
            keys: KeyRing::derive(&self.secrets),
            offload: self.offload.unwrap_or_else(default_offload),
            clock: self.clock,
            registry: Published::new(draft.into_registry()?),
            session_cache: self
                .session_cache_ttl
                .map(|ttl| Arc::new(SessionCache::new(ttl, SESSION_CACHE_ENTRIES))),
        };
        Ok(Auth {
            inner: Arc::new(inner),
        })
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for AuthBuilder<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthBuilder")
            .field("base_url", &self.base_url)
            .field("base_path", &self.base_path)
            .field("secrets", &self.secrets.len())
            .finish_non_exhaustive()
    }
}

/// The configuration given to [`AuthBuilder`] cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret was given.
    MissingSecret,
    /// A secret is shorter than 32 bytes.
    SecretTooShort,
    /// No base URL was given.
    MissingBaseUrl,
    /// A base URL or trusted origin is not an absolute http(s) URL.
    InvalidUrl(String),
    /// The base path does not start with `/` or has empty segments.
    InvalidBasePath(String),
    /// The session lifetime is zero.
    InvalidSessionLifetime,
    /// Two plugins have the same name.
    DuplicatePlugin(&'static str),
    /// A plugin needs another that was not added (see
    /// [`Plugin::dependencies`]).
    MissingDependency {
        /// The plugin.
        plugin: &'static str,
        /// The name of the plugin it needs.
        needs: &'static str,
    },
    /// Two endpoints collide, or a path is invalid.
    Route(String),
    /// A header name given for CORS is not a valid header name.
    InvalidHeaderName(String),
    /// A cookie prefix is empty or has characters other than letters,
    /// digits and `-_.` (see [`AuthBuilder::cookie_prefix`]).
    InvalidCookiePrefix(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingSecret => f.write_str("no secret configured"),
            Self::SecretTooShort => write!(f, "secrets must be at least {MIN_SECRET_LEN} bytes"),
            Self::MissingBaseUrl => f.write_str("no base URL configured"),
            Self::InvalidUrl(url) => write!(f, "not an absolute http(s) URL: {url:?}"),
            Self::InvalidBasePath(path) => write!(f, "invalid base path: {path:?}"),
            Self::InvalidSessionLifetime => f.write_str("the session lifetime must be positive"),
            Self::DuplicatePlugin(name) => write!(f, "plugin {name:?} added twice"),
            Self::MissingDependency { plugin, needs } => {
                write!(
                    f,
                    "plugin {plugin:?} needs plugin {needs:?}, which was not added"
                )
            }
            Self::Route(detail) => write!(f, "route conflict: {detail}"),
            Self::InvalidHeaderName(name) => write!(f, "not a header name: {name:?}"),
            Self::InvalidCookiePrefix(prefix) => write!(f, "invalid cookie prefix: {prefix:?}"),
        }
    }
}

impl std::error::Error for ConfigError {}
