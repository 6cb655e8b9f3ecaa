//! `Auth::handler`: one request in, one response out.
//!
//! Reads top to bottom as the request travels: route (and CORS preflight),
//! origin check, rate limit, body, before hooks, endpoint, after hooks,
//! cookie, JSON error, CORS headers. Nothing here keeps state
//! between requests.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, header};
use http_body::Body;
use http_body_util::{BodyExt as _, Limited};

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::observe::{self, LimitKey};
use crate::pipeline::cookie;
use crate::pipeline::cors;
use crate::pipeline::endpoint::{EndpointRequest, Reply, SessionChange};
use crate::pipeline::form;
use crate::pipeline::origin;
use crate::pipeline::request_hooks;
use crate::pipeline::router::Route;
use crate::plugin::events::Event;
use crate::session::ClientAddr;
use crate::user::AuthUser;

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// Answers a request under the base path. Works with any body type, so it
    /// plugs into any framework built on the `http` crate.
    ///
    /// Every failure is answered as `{"error":{"code","message"}}` with a
    /// fitting status, never a panic; requests outside the base path get
    /// `404 NOT_FOUND`, so mount it where it belongs.
    ///
    /// ```
    /// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    /// # async fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
    /// let request = http::Request::get("/api/auth/session").body(String::new()).unwrap();
    /// let response = auth.handler(request).await;
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.body().as_ref(), b"null");
    /// # }
    /// ```
    pub async fn handler<B>(&self, request: Request<B>) -> Response<Bytes>
    where
        B: Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let span = observe::RequestSpan::start(request.method());
        span.instrument(self.answer(request, &span)).await
    }

    /// [`handler`](Self::handler), inside the request's span.
    async fn answer<B>(&self, request: Request<B>, span: &observe::RequestSpan) -> Response<Bytes>
    where
        B: Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        // Only an error reports the path: keep the URI (a reference count,
        // for a parsed request) rather than copy the path on every request.
        let uri = request.uri().clone();
        let is_head = request.method() == Method::HEAD;
        let origin = request.headers().get(header::ORIGIN).cloned();
        let preflight = cors::is_preflight(request.method(), request.headers());
        let config = self.config();
        // Set once the request is routed, if its route writes its own errors.
        let mut error_body = None;
        let mut response = match self.handle(request, preflight, span, &mut error_body).await {
            Ok(response) => {
                span.finish(response.status(), None);
                response
            }
            Err(error) => {
                span.finish(error.status(), Some(&error));
                let path = uri.path();
                let allowed = matches!(error, Error::MethodNotAllowed)
                    .then(|| {
                        let relative = path.strip_prefix(self.base_path())?;
                        self.registry().router.allowed_methods(relative).cloned()
                    })
                    .flatten();
                self.emit(Event::Error {
                    code: error.code(),
                    status: error.status().as_u16(),
                    path: path.to_owned(),
                })
                .await;
                let custom = error_body.map(|body| body(&error));
                let mut response = error.into_response();
                // A `Value` always serializes; the core's body stays if not.
                if let Some(Ok(bytes)) = custom.map(|custom| serde_json::to_vec(&custom)) {
                    *response.body_mut() = Bytes::from(bytes);
                }
                // RFC 9110 §15.5.6: a 405 lists the methods the path takes
                // (found by schemathesis's `unsupported_method` check).
                if let Some(methods) = allowed {
                    response.headers_mut().insert(header::ALLOW, methods);
                }
                // An answer to HEAD has no body, errors included.
                if is_head {
                    *response.body_mut() = Bytes::new();
                }
                response
            }
        };
        config.cors.add_headers(
            &mut response,
            origin.as_ref(),
            preflight,
            &config.trusted_origins,
        );
        response
    }

    async fn handle<B>(
        &self,
        request: Request<B>,
        preflight: bool,
        span: &observe::RequestSpan,
        error_body: &mut Option<crate::pipeline::endpoint::ErrorBody>,
    ) -> Result<Response<Bytes>, Error>
    where
        B: Body + Send,
        B::Data: Send,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (parts, body) = request.into_parts();

        // 1. Route.
        let relative = parts
            .uri
            .path()
            .strip_prefix(self.base_path())
            .filter(|rest| rest.starts_with('/'))
            .ok_or(Error::NotFound)?;
        let registry = self.registry();
        // A CORS preflight is answered from the route table alone: it runs
        // no endpoint, reads no body and is not a credential attempt.
        if preflight {
            let methods = registry
                .router
                .allowed_methods(relative)
                .ok_or(Error::NotFound)?;
            let config = self.config();
            return config
                .cors
                .preflight(&parts.headers, methods, &config.trusted_origins);
        }
        let (routed, params) = match registry.router.route(&parts.method, relative) {
            Route::Found(endpoint, params) => (endpoint, params),
            Route::WrongMethod => return Err(Error::MethodNotAllowed),
            Route::Missing => return Err(Error::NotFound),
        };
        span.route(&routed.pattern, routed.plugin);
        *error_body = routed.error_body;

        // 2. Cross-site request check, before any body is read.
        origin::check(
            &parts.method,
            &parts.headers,
            &self.config().trusted_origins,
        )?;

        // 3. Rate limit per client, before any body is read. Without the
        //    peer's address there is no client to count (one shared bucket
        //    would let one client lock out everyone): say so, once.
        let limits = &self.config().rate_limit;
        let now = self.now();
        if parts.extensions.get::<ClientAddr>().is_none() && limits.first_missing_peer() {
            self.emit(Event::ClientAddrMissing {
                path: parts.uri.path().to_owned(),
            })
            .await;
        }
        limits
            .check_client(
                relative,
                routed.client_limit.map(|limit| (&*routed.pattern, limit)),
                &parts,
                now,
            )
            .await?
            .map_err(|exceeded| {
                self.rate_limited(LimitKey::Client, &routed.pattern, &parts, exceeded)
            })?;

        // 4. Body: size-limited, and JSON whenever there is one (or a form,
        //    on the few endpoints an HTML form posts to); then the
        //    per-account limit of paths that send mail, which needs the
        //    body's email. (Credential checks count failures instead, in
        //    their endpoint: see `Auth::lockout`.)
        let body = read_body(body, &parts.headers, self.config().max_body_bytes).await?;
        let accepted = form::is_json(&parts.headers)
            || (routed.accepts_forms && form::is_form(&parts.headers));
        if !body.is_empty() && !accepted {
            return Err(Error::UnsupportedMediaType);
        }
        if limits.limits_accounts(relative)
            && let Some(account) = account_of(&body)
        {
            limits
                .check_account(relative, account.as_str(), now)
                .await?
                .map_err(|exceeded| {
                    self.rate_limited(LimitKey::Account, &routed.pattern, &parts, exceeded)
                })?;
        }

        // 5. Before hooks, endpoint, after hooks (see `request_hooks.rs`):
        //    the route carries the hooks that match it.
        let is_head = parts.method == Method::HEAD;
        let request = EndpointRequest {
            auth: self.clone(),
            parts,
            body,
            params,
            route: Arc::clone(&routed.pattern),
            plugin: routed.plugin,
        };
        let reply = request_hooks::run(&routed, request).await?;

        // 6. Response and cookie.
        self.respond(reply, is_head, routed.public_max_age)
    }

    /// The answer to a request a per-client or per-account limit refused,
    /// reported with the route and the key's kind; the client's address
    /// only if the application asked for personal data in traces.
    fn rate_limited(
        &self,
        key: LimitKey<'_>,
        route: &str,
        parts: &http::request::Parts,
        exceeded: crate::rate_limit::Exceeded,
    ) -> Error {
        let config = self.config();
        let client = config
            .trace_personal_data
            .then(|| config.rate_limit.client_of(parts))
            .flatten();
        observe::rate_limited(
            key,
            Some(route),
            client.as_ref().map(|client| client.as_str()),
        );
        Error::RateLimited {
            retry_after_secs: exceeded.retry_after_secs,
        }
    }

    fn respond(
        &self,
        reply: Reply,
        is_head: bool,
        public_max_age: Option<u64>,
    ) -> Result<Response<Bytes>, Error> {
        let body = if is_head { Bytes::new() } else { reply.body };
        let mut response = Response::new(body);
        *response.status_mut() = reply.status;
        let headers = response.headers_mut();
        // Sized once for what this answer and the layers around it add
        // (type, caching, CORS, a cookie, a server's security headers and
        // length), instead of growing and rehashing the map on the way.
        headers.reserve(RESPONSE_HEADERS + reply.headers.len() + reply.cookies.len());
        // Redirects carry no body; everything else is JSON unless the reply
        // says otherwise (the link pages are HTML).
        match reply.location {
            Some(location) => {
                headers.insert(header::LOCATION, location);
            }
            None => {
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
        }
        for (name, value) in reply.headers {
            headers.insert(name, value);
        }
        // Auth answers are per user: no shared cache may keep them, unless
        // the route was declared a public document (a JWKS: see
        // `Endpoint::cached_publicly`) and this answer sets no cookie. No
        // reply or hook decides it.
        let sets_cookies =
            !matches!(reply.session, SessionChange::Keep) || !reply.cookies.is_empty();
        let caching = match public_max_age {
            Some(max_age) if !sets_cookies => {
                HeaderValue::from_str(&format!("public, max-age={max_age}"))
                    .map_err(Error::internal)?
            }
            _ => HeaderValue::from_static("no-store"),
        };
        headers.insert(header::CACHE_CONTROL, caching);
        match reply.session {
            SessionChange::Keep => {}
            SessionChange::Start(token) => {
                headers.append(header::SET_COOKIE, self.session_cookie(&token)?);
            }
            SessionChange::End => {
                headers.append(header::SET_COOKIE, self.clear_session_cookie());
            }
        }
        for plugin_cookie in reply.cookies {
            let name = self.plugin_cookie_name(&plugin_cookie.name);
            let value = match plugin_cookie.value {
                Some(value) => {
                    cookie::set(&name, &value, plugin_cookie.max_age, self.secure_cookies())?
                }
                None => cookie::clear(&name, self.secure_cookies()),
            };
            headers.append(header::SET_COOKIE, value);
        }
        Ok(response)
    }
}

/// Headers an answer is expected to carry by the time it is sent.
const RESPONSE_HEADERS: usize = 12;

/// Reads the whole body, refusing more than `limit` bytes. A declared
/// `Content-Length` over the limit is refused before reading anything.
async fn read_body<B>(body: B, headers: &http::HeaderMap, limit: usize) -> Result<Bytes, Error>
where
    B: Body + Send,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Error::PayloadTooLarge);
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(Error::PayloadTooLarge),
        Err(_) => Err(Error::InvalidBody(
            "the request body could not be read".into(),
        )),
    }
}

/// The account an attempt is aimed at: the body's `email`, normalised. A
/// body without one (or not JSON) is refused by the endpoint itself.
fn account_of(body: &[u8]) -> Option<crate::user::Email> {
    #[derive(serde::Deserialize)]
    struct Account {
        email: Option<String>,
    }
    let account: Account = serde_json::from_slice(body).ok()?;
    crate::user::Email::parse(&account.email?)
}
