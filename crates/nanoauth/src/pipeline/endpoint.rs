//! Endpoints: what a plugin mounts, what its handler receives, and what it
//! answers.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, request::Parts};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::pipeline::cookie;
use crate::rate_limit::Limit;
use crate::runtime::BoxFuture;
use crate::session::{ClientInfo, Session, SessionToken, SignInOutcome};
use crate::user::AuthUser;

/// How a route writes its errors' bodies, in place of
/// `{"error":{"code","message"}}` (see [`Endpoint::error_body`]). The status,
/// `Retry-After` and the other headers stay the core's.
pub type ErrorBody = fn(&Error) -> serde_json::Value;

pub(crate) type EndpointHandler<U, A> =
    Arc<dyn Fn(EndpointRequest<U, A>) -> BoxFuture<'static, Result<Reply, Error>> + Send + Sync>;

/// An HTTP endpoint of a plugin: a method, a path under the base path, and a
/// handler. Path segments in braces are parameters (`/callback/{provider}`).
///
/// `HEAD` runs a `GET` handler only if the endpoint is declared
/// [`safe`](Self::safe); otherwise it is answered `405` and the handler
/// never runs, so a link checker's `HEAD` cannot consume a single-use token.
pub struct Endpoint<U: AuthUser, A: Adapter<U>> {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) handler: EndpointHandler<U, A>,
    pub(crate) safe: bool,
    pub(crate) accepts_forms: bool,
    pub(crate) client_limit: Option<Limit>,
    pub(crate) public_max_age: Option<u64>,
    pub(crate) error_body: Option<ErrorBody>,
    /// What the API description says about it (see `describe`).
    #[cfg(feature = "openapi")]
    pub(crate) doc: Option<crate::openapi::EndpointDoc>,
}

impl<U: AuthUser, A: Adapter<U>> Endpoint<U, A> {
    /// An endpoint for `method` at `path`.
    pub fn new<F, Fut>(method: Method, path: impl Into<String>, handler: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        Self {
            method,
            path: path.into(),
            handler: Arc::new(move |request| Box::pin(handler(request))),
            safe: false,
            accepts_forms: false,
            client_limit: None,
            public_max_age: None,
            error_body: None,
            #[cfg(feature = "openapi")]
            doc: None,
        }
    }

    /// A `GET` endpoint.
    pub fn get<F, Fut>(path: impl Into<String>, handler: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        Self::new(Method::GET, path, handler)
    }

    /// A `POST` endpoint.
    pub fn post<F, Fut>(path: impl Into<String>, handler: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        Self::new(Method::POST, path, handler)
    }

    /// The sign-up for `provider`: `POST /signup/{provider}` (see
    /// [`PluginEndpoints::sign_up`]).
    ///
    /// ```
    /// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// type Request = EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>;
    /// let invite = Endpoint::sign_up("invite", |_request: Request| async { Ok(Reply::success()) });
    /// assert_eq!(invite.path(), "/signup/invite");
    /// ```
    pub fn sign_up<F, Fut>(provider: &str, handler: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        Self::new(Method::POST, sign_up_path(provider), handler)
    }

    /// Declares the handler safe (RFC 9110 §9.2.1): it reads, or renders a
    /// page, and changes nothing the client asked for, so `HEAD` may run it
    /// too. Never declare a handler safe that consumes a token or signs in:
    /// mail scanners and link previews send `HEAD` (and `GET`) requests.
    ///
    /// ```
    /// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// type Request = EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>;
    /// let ping = Endpoint::get("/ping", |_request: Request| async { Ok(Reply::success()) }).safe();
    /// assert!(ping.is_safe());
    /// ```
    pub fn safe(mut self) -> Self {
        self.safe = true;
        self
    }

    /// Whether `HEAD` may run this endpoint's handler (see [`safe`](Self::safe)).
    pub fn is_safe(&self) -> bool {
        self.safe
    }

    /// Accepts `application/x-www-form-urlencoded` bodies as well as JSON, for
    /// endpoints a plain HTML form posts to (the link pages' buttons). Read
    /// them with [`EndpointRequest::fields`].
    pub fn accepting_forms(mut self) -> Self {
        self.accepts_forms = true;
        self
    }

    /// Limits how often one client may call this endpoint: `limit`
    /// requests per window, per IPv4 address or IPv6 /64, counted before
    /// the body is read (answered `429` with `Retry-After`). For endpoints
    /// that check a credential or send mail. The application's own
    /// [`RateLimit::ip_limit`](crate::rate_limit::RateLimit::ip_limit) for
    /// the path, when it sets one, wins; turning rate limits off turns this
    /// off too.
    ///
    /// ```
    /// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    /// use nanoauth::rate_limit::Limit;
    ///
    /// let verify = Endpoint::post("/my-plugin/verify", |_: EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>| async {
    ///     Ok(Reply::success())
    /// })
    /// .rate_limited(Limit::new(5, 60));
    /// ```
    pub fn rate_limited(mut self, limit: Limit) -> Self {
        self.client_limit = Some(limit);
        self
    }

    /// Declares this route's answers public documents, the same for every
    /// caller (a JWK Set, a published description): sent with
    /// `Cache-Control: public, max-age=<max_age>` instead of `no-store`,
    /// except for an answer that sets a cookie. Only the route says so:
    /// no reply or hook can make an auth answer cacheable.
    ///
    /// ```
    /// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// let keys = Endpoint::get("/my-plugin/keys", |_: EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>| async {
    ///     Reply::json(&serde_json::json!({ "keys": [] }))
    /// })
    /// .safe()
    /// .cached_publicly(300);
    /// ```
    pub fn cached_publicly(mut self, max_age: u64) -> Self {
        self.public_max_age = Some(max_age);
        self
    }

    /// Writes this route's error bodies with `body` instead of
    /// `{"error":{"code","message"}}`: every error answered for a request
    /// routed here, those of the core's own checks (origin, rate limit,
    /// body) included, with the same status and headers. For a plugin that
    /// serves another library's client, whose error shape differs (the
    /// better-auth compatibility plugin answers `{code, message}`).
    ///
    /// ```
    /// use nanoauth::{BasicUser, Endpoint, EndpointRequest, Error, Reply};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// fn flat(error: &Error) -> serde_json::Value {
    ///     serde_json::json!({ "code": error.code(), "message": error.message() })
    /// }
    /// let ping = Endpoint::post("/ping", |_: EndpointRequest<BasicUser, MemoryAdapter<BasicUser>>| async {
    ///     Ok(Reply::success())
    /// })
    /// .error_body(flat);
    /// ```
    pub fn error_body(mut self, body: ErrorBody) -> Self {
        self.error_body = Some(body);
        self
    }

    /// Documents the endpoint for the API description (`GET
    /// /openapi.json`): what it reads, answers and which errors it can
    /// answer. See [`EndpointDoc`](crate::openapi::EndpointDoc) for an
    /// example. An endpoint without one is still listed, with its method
    /// and path only.
    #[cfg(feature = "openapi")]
    pub fn describe(mut self, doc: crate::openapi::EndpointDoc) -> Self {
        self.doc = Some(doc);
        self
    }

    /// What [`describe`](Self::describe) attached, if anything.
    #[cfg(feature = "openapi")]
    pub fn doc(&self) -> Option<&crate::openapi::EndpointDoc> {
        self.doc.as_ref()
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path under the base path.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for Endpoint<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("safe", &self.safe)
            .field("accepts_forms", &self.accepts_forms)
            .field("client_limit", &self.client_limit)
            .field("public_max_age", &self.public_max_age)
            .finish_non_exhaustive()
    }
}

/// The path of the sign-up for `provider`.
fn sign_up_path(provider: &str) -> String {
    format!("/signup/{provider}")
}

/// Makes endpoints whose handlers receive their plugin.
#[derive(Debug)]
pub struct PluginEndpoints<P> {
    plugin: Arc<P>,
}

impl<P: Send + Sync + 'static> PluginEndpoints<P> {
    /// Endpoints whose handlers receive `plugin`, for a plugin's
    /// [`endpoints`](crate::Plugin::endpoints): its configuration reaches the
    /// handler directly, so a plugin's own route can never find it missing.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use nanoauth::{Adapter, AuthUser, Endpoint, EndpointRequest, Error, Plugin, PluginEndpoints, Reply};
    ///
    /// /// Answers `GET /api/auth/greeting` with its configured text.
    /// #[derive(Debug)]
    /// struct Greeting { text: String }
    ///
    /// async fn greet<U: AuthUser, A: Adapter<U>>(
    ///     plugin: Arc<Greeting>,
    ///     _request: EndpointRequest<U, A>,
    /// ) -> Result<Reply, Error> {
    ///     Reply::json(&serde_json::json!({ "greeting": plugin.text }))
    /// }
    ///
    /// impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Greeting {
    ///     fn name(&self) -> &'static str { "greeting" }
    ///
    ///     fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
    ///         let on = PluginEndpoints::of(&self);
    ///         vec![on.get("/greeting", greet).safe()]
    ///     }
    /// }
    /// ```
    pub fn of(plugin: &Arc<P>) -> Self {
        Self {
            plugin: Arc::clone(plugin),
        }
    }

    /// An endpoint for `method` at `path`; `handler` gets the plugin and
    /// the request.
    pub fn route<U, A, F, Fut>(
        &self,
        method: Method,
        path: impl Into<String>,
        handler: F,
    ) -> Endpoint<U, A>
    where
        U: AuthUser,
        A: Adapter<U>,
        F: Fn(Arc<P>, EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        let plugin = Arc::clone(&self.plugin);
        Endpoint::new(method, path, move |request| {
            handler(Arc::clone(&plugin), request)
        })
    }

    /// A `GET` endpoint of the plugin.
    pub fn get<U, A, F, Fut>(&self, path: impl Into<String>, handler: F) -> Endpoint<U, A>
    where
        U: AuthUser,
        A: Adapter<U>,
        F: Fn(Arc<P>, EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.route(Method::GET, path, handler)
    }

    /// A `POST` endpoint of the plugin.
    pub fn post<U, A, F, Fut>(&self, path: impl Into<String>, handler: F) -> Endpoint<U, A>
    where
        U: AuthUser,
        A: Adapter<U>,
        F: Fn(Arc<P>, EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.route(Method::POST, path, handler)
    }

    /// The plugin's sign-up for `provider`: `POST /signup/{provider}`, the
    /// design's one sign-up route, which any plugin can serve for its own
    /// providers (`"email"` is `EmailPassword`'s). Two plugins claiming one
    /// provider is a configuration error; an unknown provider is `404`.
    pub fn sign_up<U, A, F, Fut>(&self, provider: &str, handler: F) -> Endpoint<U, A>
    where
        U: AuthUser,
        A: Adapter<U>,
        F: Fn(Arc<P>, EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        self.route(Method::POST, sign_up_path(provider), handler)
    }
}

/// What an endpoint handler receives: the request's head and its body, read
/// and size-checked, plus the `Auth` it runs in.
pub struct EndpointRequest<U: AuthUser, A: Adapter<U>> {
    pub(crate) auth: Auth<U, A>,
    pub(crate) parts: Parts,
    pub(crate) body: Bytes,
    pub(crate) params: Vec<(String, String)>,
    /// The route's declared path (`/callback/{provider}`).
    pub(crate) route: Arc<str>,
    /// The plugin that owns the route.
    pub(crate) plugin: &'static str,
}

impl<U: AuthUser, A: Adapter<U>> EndpointRequest<U, A> {
    /// The `Auth` this request runs in.
    pub fn auth(&self) -> &Auth<U, A> {
        &self.auth
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// The request's method, URI, headers and extensions.
    pub fn parts(&self) -> &Parts {
        &self.parts
    }

    /// A path parameter, e.g. `provider` in `/callback/{provider}`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The client's address and user agent, for the session record.
    pub fn client(&self) -> ClientInfo {
        ClientInfo::from_parts(&self.parts)
    }

    /// The body parsed as a JSON object into `T`.
    ///
    /// # Errors
    /// - [`Error::InvalidBody`] for an empty body, a non-object, a missing
    ///   or mistyped field, a duplicate key, or a NUL character anywhere.
    /// - [`Error::InvalidJson`] for malformed JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body = self.body.as_ref();
        let first = body.iter().find(|b| !b.is_ascii_whitespace());
        if first != Some(&b'{') {
            return Err(match first {
                None => Error::InvalidBody("a JSON object is required".into()),
                Some(_) if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() => {
                    Error::InvalidJson("expected a JSON object".into())
                }
                Some(_) => Error::InvalidBody("a JSON object is required".into()),
            });
        }
        // No credential or profile field needs a NUL, several databases cannot
        // store one, and C libraries truncate at it: refuse it once, here.
        // (Raw control characters are already invalid JSON.)
        if contains(body, br"\u0000") {
            return Err(Error::InvalidBody("NUL characters are not allowed".into()));
        }
        serde_json::from_slice(body).map_err(|error| {
            let detail = strip_position(&error);
            match error.classify() {
                serde_json::error::Category::Data => Error::InvalidBody(detail),
                _ => Error::InvalidJson(detail),
            }
        })
    }

    /// The body's fields as `T`: a JSON object (see [`json`](Self::json)),
    /// or `application/x-www-form-urlencoded` fields, each a string, on an
    /// endpoint [accepting forms](Endpoint::accepting_forms) (the core
    /// refuses other bodies before the handler runs).
    ///
    /// # Errors
    /// As [`json`](Self::json); for a form, [`Error::InvalidBody`] for
    /// malformed escapes, a repeated field, a NUL character, or fields that
    /// do not make a `T`.
    pub fn fields<T: DeserializeOwned>(&self) -> Result<T, Error> {
        if !crate::pipeline::form::is_form(&self.parts.headers) {
            return self.json();
        }
        let fields = crate::pipeline::form::parse(&self.body)?;
        serde_json::from_value(serde_json::Value::Object(fields))
            .map_err(|error| Error::InvalidBody(strip_position(&error)))
    }

    /// The signed-in user's session, if any.
    ///
    /// # Errors
    /// Adapter failures; a missing or invalid session is `Ok(None)`.
    pub async fn session(&self) -> Result<Option<Session<U>>, Error> {
        self.auth
            .get_session_from_headers(&self.parts.headers)
            .await
    }

    /// The signed-in user's session, or [`Error::Unauthorized`].
    ///
    /// # Errors
    /// [`Error::Unauthorized`] without a valid session; adapter failures.
    pub async fn require_session(&self) -> Result<Session<U>, Error> {
        self.session().await?.ok_or(Error::Unauthorized)
    }

    /// The signed-in user's session if its user authenticated within the
    /// fresh age ([`AuthBuilder::session_fresh_age`](crate::AuthBuilder::session_fresh_age)):
    /// signed in, or re-authenticated as a plugin reports
    /// ([`Auth::is_recently_authenticated`](crate::Auth::is_recently_authenticated)).
    /// What sensitive changes ask for.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] without a valid session,
    /// [`Error::SessionNotFresh`] for an older one; adapter failures.
    pub async fn require_fresh_session(&self) -> Result<Session<U>, Error> {
        let session = self.require_session().await?;
        if self.auth.is_recently_authenticated(&session).await? {
            Ok(session)
        } else {
            Err(Error::SessionNotFresh)
        }
    }

    /// The value of this auth's cookie `name` (see [`Reply::with_cookie`]),
    /// when the request carries it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        cookie::read(&self.parts.headers, &self.auth.plugin_cookie_name(name))
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for EndpointRequest<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointRequest")
            .field("method", &self.parts.method)
            .field("uri", &self.parts.uri)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// serde_json appends " at line L column C"; the position means nothing to
/// an end user reading the message.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// What an endpoint answers. Plugins say *that* a session starts or ends;
/// the core alone writes the cookie, so every plugin gets the same cookie
/// attributes.
#[derive(Debug)]
pub struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    pub(crate) session: SessionChange,
    pub(crate) location: Option<http::HeaderValue>,
    pub(crate) cookies: Vec<PluginCookie>,
    /// Headers set over the defaults (`Content-Type: application/json`).
    pub(crate) headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

/// A plugin's own cookie set or cleared with a reply: short-lived state
/// that must stay with one browser (an OAuth flow's binding, a two-factor
/// challenge). The core writes it with the session cookie's attributes.
#[derive(Debug)]
pub(crate) struct PluginCookie {
    /// The plugin's name for it, without prefix.
    pub(crate) name: String,
    /// `None` clears it.
    pub(crate) value: Option<String>,
    pub(crate) max_age: u64,
}

/// What happens to the session cookie with a reply.
#[derive(Debug)]
pub(crate) enum SessionChange {
    /// Leave the cookie alone.
    Keep,
    /// Set the cookie to this fresh token (a new or just-refreshed session,
    /// so its lifetime is the configured session lifetime).
    Start(SessionToken),
    /// Clear the cookie.
    End,
}

/// The buffer a JSON reply is written into at first (see [`Reply::json`]).
const JSON_REPLY_CAPACITY: usize = 512;

impl Reply {
    /// `200` with `value` as JSON.
    ///
    /// # Errors
    /// [`Error::Internal`] if `value` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        // Room for a session answer (a user and a session) from the start:
        // `to_vec` would begin at 128 bytes and grow it twice.
        let mut body = Vec::with_capacity(JSON_REPLY_CAPACITY);
        serde_json::to_writer(&mut body, value).map_err(Error::internal)?;
        Ok(Self {
            status: StatusCode::OK,
            body: Bytes::from(body),
            session: SessionChange::Keep,
            location: None,
            cookies: Vec::new(),
            headers: Vec::new(),
        })
    }

    /// The answer to a sign-in: `200 {user, token}` with the session cookie
    /// set, or, when a guard asked for one more step, the challenge's own
    /// answer (e.g. `200 {"twoFactorRequired": true}` and a challenge
    /// cookie, no session cookie).
    ///
    /// # Errors
    /// [`Error::Internal`] if the user cannot be serialized.
    pub fn signed_in<U: AuthUser>(outcome: SignInOutcome<U>) -> Result<Self, Error> {
        #[derive(Serialize)]
        struct Body<'a, U> {
            user: &'a U,
            token: &'a str,
        }
        let signed_in = match outcome {
            SignInOutcome::SignedIn(signed_in) => signed_in,
            SignInOutcome::Challenge(challenge) => return Ok(challenge.into_reply()),
        };
        let mut reply = Self::json(&Body {
            user: &signed_in.user,
            token: signed_in.token.expose_secret(),
        })?;
        reply.session = SessionChange::Start(signed_in.token);
        Ok(reply)
    }

    /// `200 {user, session}` or `200 null`; when the session was just
    /// refreshed, the cookie is renewed too.
    ///
    /// # Errors
    /// [`Error::Internal`] if the user cannot be serialized.
    pub fn session<U: AuthUser>(session: Option<Session<U>>) -> Result<Self, Error> {
        let Some(session) = session else {
            return Self::json(&());
        };
        let mut reply = Self::json(&session)?;
        if let Some(token) = session.refreshed_token {
            reply.session = SessionChange::Start(token);
        }
        Ok(reply)
    }

    /// The same reply, setting the session cookie to `token`: a session
    /// the plugin brings back rather than creates (an admin's own session at
    /// the end of an impersonation, read from the token the plugin kept).
    /// The cookie lives until the token expires.
    ///
    /// ```
    /// # use nanoauth::{Reply, Session, BasicUser};
    /// fn back_to(session: &Session<BasicUser>) -> Result<Reply, nanoauth::Error> {
    ///     Ok(Reply::json(&session)?.with_session(session.token().clone()))
    /// }
    /// ```
    #[must_use]
    pub fn with_session(mut self, token: SessionToken) -> Self {
        self.session = SessionChange::Start(token);
        self
    }

    /// `200 {"success":true}`, and the session cookie is cleared.
    pub fn signed_out() -> Self {
        Self {
            status: StatusCode::OK,
            body: Bytes::from_static(br#"{"success":true}"#),
            session: SessionChange::End,
            location: None,
            cookies: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// `200 {"success":true}`.
    pub fn success() -> Self {
        Self {
            session: SessionChange::Keep,
            ..Self::signed_out()
        }
    }

    /// `302 Found` to `location`, which the caller has checked (see
    /// [`Auth::check_redirect`](crate::Auth::check_redirect)).
    ///
    /// # Errors
    /// [`Error::InvalidRedirect`] if `location` cannot be a header value.
    pub fn redirect(location: &str) -> Result<Self, Error> {
        let location = http::HeaderValue::from_str(location).map_err(|_| Error::InvalidRedirect)?;
        Ok(Self {
            status: StatusCode::FOUND,
            body: Bytes::new(),
            session: SessionChange::Keep,
            location: Some(location),
            cookies: Vec::new(),
            headers: Vec::new(),
        })
    }

    /// `302 Found` to `location`, and the session cookie is set: the end of
    /// a sign-in by link or provider. When a guard asked for one more step,
    /// the redirect goes to the challenge's page instead (see
    /// [`SignInChallenge::into_redirect`](crate::SignInChallenge::into_redirect)), with no session cookie.
    ///
    /// # Errors
    /// As [`Reply::redirect`].
    pub fn signed_in_redirect<U: AuthUser>(
        outcome: SignInOutcome<U>,
        location: &str,
    ) -> Result<Self, Error> {
        match outcome {
            SignInOutcome::SignedIn(signed_in) => {
                let mut reply = Self::redirect(location)?;
                reply.session = SessionChange::Start(signed_in.token);
                Ok(reply)
            }
            SignInOutcome::Challenge(challenge) => challenge.into_redirect(location),
        }
    }

    /// `200` with an HTML page; `headers` go with it (a page needs its own
    /// `Content-Security-Policy`; see `plugins::link_page` for one).
    pub fn html(
        page: String,
        headers: impl IntoIterator<Item = (http::HeaderName, http::HeaderValue)>,
    ) -> Self {
        let mut all = vec![(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/html; charset=utf-8"),
        )];
        all.extend(headers);
        Self {
            status: StatusCode::OK,
            body: Bytes::from(page),
            session: SessionChange::Keep,
            location: None,
            cookies: Vec::new(),
            headers: all,
        }
    }

    /// Sets the status (default `200`).
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Clears the session cookie along with this reply.
    pub fn ending_session(mut self) -> Self {
        self.session = SessionChange::End;
        self
    }

    /// Sets the plugin's cookie `name` to `value` for `max_age` seconds,
    /// with the session cookie's attributes (HttpOnly, SameSite=Lax,
    /// Path=/, and Secure with the `__Host-` prefix over https); the full
    /// name is [`Auth::plugin_cookie_name`](crate::Auth::plugin_cookie_name)
    /// and [`EndpointRequest::cookie`] reads it back. For short-lived state
    /// that must stay with the browser that started something; anything
    /// that says who the user is belongs in the session.
    ///
    /// ```
    /// use nanoauth::Reply;
    /// let reply = Reply::success().with_cookie("flow", "0123abcd", 300)?;
    /// # Ok::<(), nanoauth::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Internal`] if `name` is not a cookie token or `value` holds
    /// anything but letters, digits and `-._~` (a programming error).
    pub fn with_cookie(mut self, name: &str, value: &str, max_age: u64) -> Result<Self, Error> {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        if !cookie::is_valid_name(name) || !value.chars().all(plain) {
            return Err(Error::internal(std::io::Error::other(format!(
                "invalid plugin cookie {name:?}"
            ))));
        }
        self.cookies.push(PluginCookie {
            name: name.to_owned(),
            value: Some(value.to_owned()),
            max_age,
        });
        Ok(self)
    }

    /// Clears the plugin's cookie `name` (see [`Reply::with_cookie`]).
    pub fn clearing_cookie(mut self, name: &str) -> Self {
        self.cookies.push(PluginCookie {
            name: name.to_owned(),
            value: None,
            max_age: 0,
        });
        self
    }
}
