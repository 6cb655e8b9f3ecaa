//! NanoAuth on Cloudflare Workers (workers-rs).
//!
//! The Worker hands every request under `/api/auth/` to [`Auth::handler`],
//! after converting the `worker::Request` into an `http::Request`, and turns
//! the `http::Response<Bytes>` it gets back into a `worker::Response`.
//! Anything else gets a short text page.
//!
//! # Storage: read this before deploying
//!
//! [`MemoryAdapter`] keeps users and sessions in the memory of **one isolate**.
//! Cloudflare runs many isolates (per location, and restarts them whenever it
//! likes), so a user who signed up on one may be unknown to the next request,
//! and everything is lost when the isolate is evicted. That is fine for this
//! demo and for `wrangler dev` (one isolate); a real deployment needs an
//! [`nanoauth::Adapter`] over a remote store (D1, KV plus Durable Objects for
//! atomic updates, or PostgreSQL through Hyperdrive). Writing that adapter
//! is out of scope for this example.
//!
//! # CPU
//!
//! Workers have no threads, so password hashing (Argon2id, 19 MiB, t=2) runs
//! inline through [`InlineOffload`] and blocks this isolate while it runs.
//! Sign-up and sign-in therefore cost noticeably more CPU time than the
//! Workers Free plan's 10 ms per request allows; use a paid plan's CPU
//! limit for them.

use std::net::{IpAddr, SocketAddr};
use std::sync::OnceLock;

use bytes::Bytes;
use futures_util::StreamExt as _;
use http_body_util::Full;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, ClientAddr, InlineOffload};
use worker::{Context, Env, Headers, Request, Response, ResponseBody, console_error, event};

/// The `Auth` this Worker serves.
type AppAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

/// Where the auth endpoints live (NanoAuth's default, spelled out because the
/// routing below depends on it).
const BASE_PATH: &str = "/api/auth";

/// The largest request body NanoAuth accepts; the Worker stops reading a body
/// just past it, so an oversized upload is never buffered whole.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// One `Auth` per isolate, built on the first request that needs it.
///
/// Caching is sound because `Auth` holds configuration, keys, the router and
/// the adapter, never per-request state. It does mean the `MemoryAdapter`
/// (all users and sessions) lives exactly as long as this isolate: see the
/// crate documentation.
static AUTH: OnceLock<AppAuth> = OnceLock::new();

#[event(fetch)]
async fn fetch(request: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let url = request.url()?;
    if !is_auth_path(url.path()) {
        return Response::ok(
            "NanoAuth on Cloudflare Workers.\n\n\
             POST /api/auth/signup/email  {\"email\",\"password\",\"name\"}\n\
             POST /api/auth/signin/email  {\"email\",\"password\"}\n\
             GET  /api/auth/session\n\
             POST /api/auth/signout\n",
        );
    }

    let auth = match auth(&env) {
        Ok(auth) => auth,
        Err(problem) => {
            // Details go to the Worker's logs (`wrangler tail`), not to clients.
            console_error!("nanoauth is not configured: {problem}");
            return Response::error("authentication is not configured", 500);
        }
    };

    let request = match to_http_request(request).await {
        Ok(request) => request,
        Err(ConvertError::BadRequest(problem)) => {
            return Response::error(format!("bad request: {problem}"), 400);
        }
        Err(ConvertError::Worker(error)) => return Err(error),
    };
    let response = auth.handler(request).await;
    to_worker_response(response)
}

/// True for `/api/auth` and everything below it.
fn is_auth_path(path: &str) -> bool {
    path.strip_prefix(BASE_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// This isolate's `Auth`, built from the Worker's environment the first time.
///
/// A failed build (missing secret, bad URL) is not cached: the next request
/// tries again, so fixing the configuration needs no restart.
fn auth(env: &Env) -> Result<AppAuth, String> {
    if let Some(auth) = AUTH.get() {
        return Ok(auth.clone());
    }
    // `wrangler secret put AUTH_SECRET` in production, `.dev.vars` locally.
    let secret = env
        .secret("AUTH_SECRET")
        .map_err(|_| "the AUTH_SECRET secret is not set".to_owned())?
        .to_string();
    // A plain variable from wrangler.toml's [vars].
    let base_url = env
        .var("BASE_URL")
        .map_err(|_| "the BASE_URL variable is not set".to_owned())?
        .to_string();

    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(secret)
        .base_url(base_url)
        .base_path(BASE_PATH)
        .max_body_bytes(MAX_BODY_BYTES)
        // No threads on Workers: hash passwords on the request's own task.
        .offload(InlineOffload)
        .plugin(EmailPassword::new())
        .build()
        .map_err(|error| error.to_string())?;
    // Two requests of one isolate may race here (one awaits while another
    // starts); the first stored `Auth` wins and both use it.
    Ok(AUTH.get_or_init(|| auth).clone())
}

/// Why a `worker::Request` could not become an `http::Request`.
#[derive(Debug)]
enum ConvertError {
    /// The client sent something `http` cannot represent: answer 400.
    BadRequest(String),
    /// The Workers runtime failed (reading the body, say).
    Worker(worker::Error),
}

impl From<worker::Error> for ConvertError {
    fn from(error: worker::Error) -> Self {
        Self::Worker(error)
    }
}

/// `worker::Request` to `http::Request`: method, path and query, every
/// header, the body (bounded), and the client's address.
async fn to_http_request(mut request: Request) -> Result<http::Request<Full<Bytes>>, ConvertError> {
    let url = request.url()?;
    let path_and_query = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    // The method as the client sent it: `worker::Method` would turn any
    // method it does not know (PROPFIND, say) into GET.
    let method = http::Method::from_bytes(request.inner().method().as_bytes())
        .map_err(|error| ConvertError::BadRequest(error.to_string()))?;

    let mut builder = http::Request::builder().method(method).uri(path_and_query);
    // `entries()` yields each header name once, repeated ones already joined
    // with ", " by the runtime (the Fetch standard). Browsers send a single
    // `Cookie` header; a client sending two (RFC 6265 forbids it) gets them
    // joined with ", " rather than "; ", and its session cookie is not found.
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    // Cloudflare sets CF-Connecting-IP itself (a client cannot forge it), so
    // it is the peer address here. NanoAuth records it on new sessions. The
    // port is unknown.
    if let Some(ip) = request
        .headers()
        .get("cf-connecting-ip")?
        .and_then(|ip| ip.parse::<IpAddr>().ok())
    {
        builder = builder.extension(ClientAddr(SocketAddr::new(ip, 0)));
    }

    let body = read_body(&mut request).await?;
    builder
        .body(Full::new(body))
        .map_err(|error| ConvertError::BadRequest(error.to_string()))
}

/// The request body, read until it ends or just passes [`MAX_BODY_BYTES`].
///
/// A body cut short is still over the limit, so NanoAuth answers it with its
/// own `413 PAYLOAD_TOO_LARGE`, the same as in any other host.
async fn read_body(request: &mut Request) -> worker::Result<Bytes> {
    if request.inner().body().is_none() {
        return Ok(Bytes::new()); // GET, HEAD, or a POST without a body
    }
    let mut stream = request.stream()?;
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        body.extend_from_slice(&chunk?);
        if body.len() > MAX_BODY_BYTES {
            break;
        }
    }
    Ok(Bytes::from(body))
}

/// `http::Response<Bytes>` to `worker::Response`: status, every header value
/// (each `Set-Cookie` separately), body.
fn to_worker_response(response: http::Response<Bytes>) -> worker::Result<Response> {
    let (parts, body) = response.into_parts();
    let headers = Headers::new();
    // `HeaderMap`'s iterator visits every value of a repeated header, and
    // `Headers::append` keeps each `Set-Cookie` as its own header line.
    for (name, value) in &parts.headers {
        let value = value
            .to_str()
            .map_err(|_| worker::Error::RustError(format!("header {name} is not visible ASCII")))?;
        headers.append(name.as_str(), value)?;
    }
    // An empty body must be "no body": the JS `Response` constructor throws
    // on a body, even an empty one, with statuses such as 204 or 304.
    let body = if body.is_empty() {
        ResponseBody::Empty
    } else {
        ResponseBody::Body(body.to_vec())
    };
    Ok(Response::from_body(body)?
        .with_status(parts.status.as_u16())
        .with_headers(headers))
}
