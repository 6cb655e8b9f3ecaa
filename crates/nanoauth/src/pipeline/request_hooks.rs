//! Request hooks: code the application or a plugin runs around endpoints
//! chosen by a [`Matcher`]. A *before* hook may refuse a request or amend
//! it before its endpoint runs; an *after* hook may amend the endpoint's
//! answer or replace it with an error.
//!
//! Hooks are matched against the route table when the registry is built
//! (at build time, and when a plugin or hook is added), never per request:
//! each route carries the lists of its hooks, so a route without hooks
//! costs nothing more than before.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::adapter::Adapter;
use crate::error::Error;
use crate::pipeline::endpoint::{EndpointRequest, Reply};
use crate::pipeline::router::Routed;
use crate::runtime::BoxFuture;
use crate::user::AuthUser;

pub(crate) type BeforeFn<U, A> = Arc<
    dyn Fn(EndpointRequest<U, A>) -> BoxFuture<'static, Result<EndpointRequest<U, A>, Error>>
        + Send
        + Sync,
>;

pub(crate) type AfterFn<U, A> = Arc<
    dyn Fn(
            Arc<EndpointRequest<U, A>>,
            Result<Reply, Error>,
        ) -> BoxFuture<'static, Result<Reply, Error>>
        + Send
        + Sync,
>;

/// Which endpoints a [`RequestHook`] applies to: every condition given
/// must hold (none given: every endpoint).
///
/// - [`path`](Self::path): the route's path under the base path, as the
///   endpoint declared it: `/signup/email`, `/callback/{provider}` (the
///   pattern, not a concrete `/callback/github`: read
///   [`EndpointRequest::param`] in the hook for that). A pattern ending in
///   `/*` takes every route below it: `/signin/*` is every sign-in.
/// - [`method`](Self::method): the endpoint's method. `HEAD` requests run
///   the hooks of the `GET` endpoint that serves them, so match `GET`.
/// - [`plugin`](Self::plugin): the name of the plugin that owns the route.
///
/// ```
/// use nanoauth::Matcher;
/// use http::Method;
///
/// let sign_up = Matcher::any().method(Method::POST).path("/signup/email");
/// assert!(sign_up.matches(&Method::POST, "/signup/email", "email-password"));
/// assert!(!sign_up.matches(&Method::POST, "/signin/email", "email-password"));
///
/// let sign_ins = Matcher::any().path("/signin/*");
/// assert!(sign_ins.matches(&Method::POST, "/signin/email", "email-password"));
/// assert!(sign_ins.matches(&Method::POST, "/signin/social", "oauth"));
/// assert!(!sign_ins.matches(&Method::POST, "/signin", "email-password"));
///
/// let sessions = Matcher::any().plugin("sessions");
/// assert!(sessions.matches(&Method::GET, "/session", "sessions"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matcher {
    path: Option<String>,
    method: Option<Method>,
    plugin: Option<String>,
}

impl Matcher {
    /// Every endpoint; narrow it with the other methods.
    pub fn any() -> Self {
        Self::default()
    }

    /// Only the route `pattern` (or, ending in `/*`, the routes below it).
    pub fn path(mut self, pattern: impl Into<String>) -> Self {
        self.path = Some(pattern.into());
        self
    }

    /// Only endpoints of `method`.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Only the routes of the plugin called `name`.
    pub fn plugin(mut self, name: impl Into<String>) -> Self {
        self.plugin = Some(name.into());
        self
    }

    /// Whether an endpoint for `method` at the route `pattern`, owned by
    /// `plugin`, is matched.
    pub fn matches(&self, method: &Method, pattern: &str, plugin: &str) -> bool {
        self.method.as_ref().is_none_or(|wanted| wanted == method)
            && self.plugin.as_deref().is_none_or(|wanted| wanted == plugin)
            && self
                .path
                .as_deref()
                .is_none_or(|wanted| path_matches(wanted, pattern))
    }
}

/// `wanted` is `pattern`, or `prefix/*` with `pattern` below `prefix`.
fn path_matches(wanted: &str, pattern: &str) -> bool {
    match wanted.strip_suffix("/*") {
        Some(prefix) => pattern
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| !rest.is_empty()),
        None => wanted == pattern,
    }
}

/// A before or after hook with its [`Matcher`], as plugins return from
/// [`Plugin::request_hooks`](crate::Plugin::request_hooks);
/// applications register theirs with [`Auth::before`](crate::Auth::before)
/// and [`Auth::after`](crate::Auth::after) (or the same on
/// [`AuthBuilder`](crate::AuthBuilder)).
///
/// Where they run: after routing, the origin check, the rate limit per
/// client, reading the body and the rate limit per address; then the before
/// hooks, the endpoint, and the after hooks. A preflight runs none.
/// Order: the plugins' hooks first (in the order the plugins were added),
/// then the application's, each in registration order.
///
/// ```
/// use std::sync::Arc;
/// use http::{HeaderName, HeaderValue, StatusCode};
/// use nanoauth::{Adapter, AuthUser, EndpointRequest, Error, Matcher, Plugin, Reply, RequestHook};
///
/// /// Refuses sign-ups without a captcha token, and labels the answer.
/// #[derive(Debug)]
/// struct Captcha;
///
/// impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Captcha {
///     fn name(&self) -> &'static str { "captcha" }
///
///     fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
///         vec![
///             RequestHook::before(
///                 Matcher::any().path("/signup/*"),
///                 |request: EndpointRequest<U, A>| async move {
///                     if request.headers().contains_key("x-captcha-token") {
///                         Ok(request)
///                     } else {
///                         Err(Error::plugin(StatusCode::BAD_REQUEST, "CAPTCHA_REQUIRED", "Solve the captcha."))
///                     }
///                 },
///             ),
///             RequestHook::after(
///                 Matcher::any().path("/signup/*"),
///                 |_request: Arc<EndpointRequest<U, A>>, outcome: Result<Reply, Error>| async move {
///                     outcome?.with_header(HeaderName::from_static("x-captcha"), HeaderValue::from_static("checked"))
///                 },
///             ),
///         ]
///     }
/// }
/// ```
pub struct RequestHook<U: AuthUser, A: Adapter<U>> {
    pub(crate) matcher: Matcher,
    pub(crate) run: Run<U, A>,
}

pub(crate) enum Run<U: AuthUser, A: Adapter<U>> {
    Before(BeforeFn<U, A>),
    After(AfterFn<U, A>),
}

impl<U: AuthUser, A: Adapter<U>> RequestHook<U, A> {
    /// A hook run before the endpoint of each matched route. It gets the
    /// request and passes it on, amended or not (see
    /// [`EndpointRequest::set_json`], [`EndpointRequest::headers_mut`]), or
    /// refuses it with an [`Error`]: the request is answered with that
    /// error, and neither the endpoint nor any later hook (before or after)
    /// runs. Listeners still hear it as [`Event::Error`](crate::Event::Error).
    pub fn before<F, Fut>(matcher: Matcher, hook: F) -> Self
    where
        F: Fn(EndpointRequest<U, A>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<EndpointRequest<U, A>, Error>> + Send + 'static,
    {
        Self {
            matcher,
            run: Run::Before(Arc::new(move |request| Box::pin(hook(request)))),
        }
    }

    /// A hook run after the endpoint of each matched route, with the
    /// request the endpoint got (as the before hooks left it) and the
    /// endpoint's outcome: its [`Reply`] or its [`Error`]. It answers the
    /// outcome passed on to the next after hook and then to the client:
    /// the same, amended (see [`Reply::with_json`], [`Reply::with_header`]),
    /// or replaced. A hook that cares only about success starts with
    /// `let reply = outcome?;`, which passes errors on unchanged.
    pub fn after<F, Fut>(matcher: Matcher, hook: F) -> Self
    where
        F: Fn(Arc<EndpointRequest<U, A>>, Result<Reply, Error>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Reply, Error>> + Send + 'static,
    {
        Self {
            matcher,
            run: Run::After(Arc::new(move |request, outcome| {
                Box::pin(hook(request, outcome))
            })),
        }
    }

    /// Which endpoints it applies to.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// `true` for a before hook.
    pub fn is_before(&self) -> bool {
        matches!(self.run, Run::Before(_))
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for RequestHook<U, A> {
    fn clone(&self) -> Self {
        Self {
            matcher: self.matcher.clone(),
            run: match &self.run {
                Run::Before(hook) => Run::Before(Arc::clone(hook)),
                Run::After(hook) => Run::After(Arc::clone(hook)),
            },
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for RequestHook<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestHook")
            .field("before", &self.is_before())
            .field("matcher", &self.matcher)
            .finish_non_exhaustive()
    }
}

/// The hooks of one route, in running order.
pub(crate) struct RouteHooks<U: AuthUser, A: Adapter<U>> {
    pub(crate) before: Arc<[BeforeFn<U, A>]>,
    pub(crate) after: Arc<[AfterFn<U, A>]>,
}

impl<U: AuthUser, A: Adapter<U>> RouteHooks<U, A> {
    /// The hooks of `hooks` (in order) that match the route.
    pub(crate) fn select(
        hooks: &[RequestHook<U, A>],
        method: &Method,
        pattern: &str,
        plugin: &str,
    ) -> Self {
        let mut before = Vec::new();
        let mut after = Vec::new();
        for hook in hooks
            .iter()
            .filter(|hook| hook.matcher.matches(method, pattern, plugin))
        {
            match &hook.run {
                Run::Before(run) => before.push(Arc::clone(run)),
                Run::After(run) => after.push(Arc::clone(run)),
            }
        }
        Self {
            before: before.into(),
            after: after.into(),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for RouteHooks<U, A> {
    fn clone(&self) -> Self {
        Self {
            before: Arc::clone(&self.before),
            after: Arc::clone(&self.after),
        }
    }
}

/// Runs the route's before hooks, its endpoint, and its after hooks.
pub(crate) async fn run<U: AuthUser, A: Adapter<U>>(
    routed: &Routed<U, A>,
    mut request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let hooks = &routed.hooks;
    for hook in hooks.before.iter() {
        request = hook(request).await?;
    }
    if hooks.after.is_empty() {
        return (routed.handler)(request).await;
    }
    // The after hooks see the request the endpoint got; the endpoint takes
    // its own copy (headers copied, the body shared).
    let seen = Arc::new(request.copy());
    let mut outcome = (routed.handler)(request).await;
    for hook in hooks.after.iter() {
        outcome = hook(Arc::clone(&seen), outcome).await;
    }
    outcome
}

/// What hooks read and change of a request.
impl<U: AuthUser, A: Adapter<U>> EndpointRequest<U, A> {
    /// The route's path under the base path, as its endpoint declared it
    /// (`/callback/{provider}`).
    pub fn route(&self) -> &str {
        &self.route
    }

    /// The name of the plugin that owns the route.
    pub fn plugin(&self) -> &'static str {
        self.plugin
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.parts.method
    }

    /// The body as read (size-checked; JSON or, where accepted, a form).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The request headers, to change for the hooks and the endpoint that
    /// follow (a before hook).
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.parts.headers
    }

    /// Replaces the body with `value` as JSON (and the `Content-Type` with
    /// `application/json`), for the hooks and the endpoint that follow: a
    /// before hook filling in a default field, say.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, EndpointRequest, Error, Matcher};
    /// use nanoauth::adapter::memory::MemoryAdapter;
    /// use serde_json::{Map, Value};
    ///
    /// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
    /// // Sign-ups without a name get one.
    /// auth.before(Matcher::any().path("/signup/email"), |mut request: EndpointRequest<_, _>| async move {
    ///     let mut body: Map<String, Value> = request.json()?;
    ///     body.entry("name").or_insert_with(|| Value::from("Anonymous"));
    ///     request.set_json(&body)?;
    ///     Ok(request)
    /// });
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::Internal`] if `value` cannot be serialized.
    pub fn set_json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.body = Bytes::from(serde_json::to_vec(value).map_err(Error::internal)?);
        self.parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        self.parts.headers.remove(header::CONTENT_LENGTH);
        Ok(())
    }

    /// A copy for the after hooks.
    fn copy(&self) -> Self {
        Self {
            auth: self.auth.clone(),
            parts: self.parts.clone(),
            body: self.body.clone(),
            params: self.params.clone(),
            route: Arc::clone(&self.route),
            plugin: self.plugin,
        }
    }
}

/// What after hooks read and change of a reply.
impl Reply {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body (JSON, unless the reply is a page or a redirect).
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body parsed as JSON into `T`.
    ///
    /// ```
    /// use nanoauth::Reply;
    /// let reply = Reply::success();
    /// let body: serde_json::Value = reply.json_body()?;
    /// assert_eq!(body["success"], true);
    /// # Ok::<(), nanoauth::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Internal`] if the body is not JSON of that shape (a reply
    /// is the server's own output, so that is a programming error).
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(Error::internal)
    }

    /// The same reply (status, session cookie, plugin cookies, headers)
    /// with `value` as its JSON body.
    ///
    /// ```
    /// use nanoauth::Reply;
    /// let reply = Reply::success();
    /// let mut body: serde_json::Value = reply.json_body()?;
    /// body["plan"] = "free".into();
    /// let reply = reply.with_json(&body)?;
    /// let sent: serde_json::Value = reply.json_body()?;
    /// assert_eq!(sent, serde_json::json!({ "plan": "free", "success": true }));
    /// # Ok::<(), nanoauth::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Internal`] if `value` cannot be serialized.
    pub fn with_json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, Error> {
        self.body = Bytes::from(serde_json::to_vec(value).map_err(Error::internal)?);
        self.headers
            .retain(|(name, _)| name != header::CONTENT_TYPE);
        Ok(self)
    }

    /// A header of the reply set by its endpoint or a hook (not those the
    /// core adds when answering: `Content-Type` for JSON, `Cache-Control`,
    /// cookies, CORS).
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .rev()
            .find(|(candidate, _)| candidate.as_str().eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    }

    /// Sets the header `name` to `value` on the answer, replacing the
    /// reply's own value. `Cache-Control` stays `no-store` whatever is set
    /// (a route says it serves public documents with
    /// [`Endpoint::cached_publicly`](crate::Endpoint::cached_publicly)).
    ///
    /// ```
    /// use http::{HeaderName, HeaderValue};
    /// use nanoauth::Reply;
    /// let reply = Reply::success()
    ///     .with_header(HeaderName::from_static("x-request-id"), HeaderValue::from_static("42"))?;
    /// assert_eq!(reply.header("x-request-id").map(|v| v.as_bytes()), Some(&b"42"[..]));
    /// # Ok::<(), nanoauth::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Internal`] for `Set-Cookie` (only the core writes cookies:
    /// see [`Reply::with_cookie`]) and `Content-Length` (the framework
    /// counts the body): programming errors.
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Result<Self, Error> {
        if name == header::SET_COOKIE || name == header::CONTENT_LENGTH {
            return Err(Error::internal(std::io::Error::other(format!(
                "a reply cannot set {name}"
            ))));
        }
        self.headers.retain(|(candidate, _)| *candidate != name);
        self.headers.push((name, value));
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_exactly_or_below_a_prefix() {
        assert!(path_matches("/signup/email", "/signup/email"));
        assert!(!path_matches("/signup/email", "/signup/emails"));
        assert!(path_matches("/callback/{provider}", "/callback/{provider}"));
        assert!(!path_matches("/callback/github", "/callback/{provider}"));
        assert!(path_matches("/signin/*", "/signin/email"));
        assert!(path_matches("/signin/*", "/signin/social/x"));
        assert!(!path_matches("/signin/*", "/signin"));
        assert!(!path_matches("/signin/*", "/signin/"));
        assert!(!path_matches("/signin/*", "/signinx/email"));
        assert!(path_matches("/*", "/session"));
    }
}
