//! # nanoauth-actix
//!
//! [NanoAuth](nanoauth) for actix-web 4: mount the auth routes, and take the
//! signed-in user as a handler argument. This crate only converts between
//! actix's `http` 0.2 types and the core's `http` 1 types; every decision
//! (routing, CSRF check, body limit, cookies, errors) is the core's.
//!
//! ```no_run
//! use actix_web::{App, HttpResponse, HttpServer, get};
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth_actix::{MaybeSession, RefreshSessionCookie, Session};
//!
//! #[get("/me")]
//! async fn me(session: Session<BasicUser>) -> HttpResponse {
//!     HttpResponse::Ok().json(&session.user) // 401 JSON without a session
//! }
//!
//! #[get("/")]
//! async fn home(MaybeSession(session): MaybeSession<BasicUser>) -> String {
//!     match session {
//!         Some(session) => format!("Hello, {}!", session.user.name),
//!         None => "Hello, visitor!".to_owned(),
//!     }
//! }
//!
//! #[actix_web::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!         .secret("a secret of at least thirty-two bytes!!")
//!         .base_url("http://localhost:3000")
//!         .plugin(EmailPassword::new())
//!         .build()?;
//!
//!     HttpServer::new(move || {
//!         App::new()
//!             .wrap(RefreshSessionCookie)
//!             // POST /api/auth/signup/email, /api/auth/signin/email, ...
//!             .configure(nanoauth_actix::configure(auth.clone()))
//!             .service(me)
//!             .service(home)
//!     })
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await?;
//!     Ok(())
//! }
//! ```
//!
//! ## The pieces
//! - [`configure`]: the routes under `auth.base_path()` (`/api/auth` by
//!   default) and the app data the extractors need, for
//!   [`App::configure`](actix_web::App::configure). [`scope`] and [`data`]
//!   are its two halves, for apps that wire them separately.
//! - [`Session<U>`](Session): the signed-in user and session, or the core's
//!   `401 UNAUTHORIZED` JSON error. [`MaybeSession<U>`](MaybeSession): an
//!   `Option` of it. Both answer `503 DATABASE_UNAVAILABLE` when the adapter
//!   cannot reach its database ([`SessionRejection`]).
//! - [`RefreshSessionCookie`]: middleware that sends the new cookie when an
//!   extractor's lookup slid the session's expiry forward.
//! - [`SessionSource`]: the object-safe face of `Auth` the extractors use,
//!   so handlers name the user type only, never the adapter (the core's
//!   [`nanoauth::SessionSource`], re-exported).
//!
//! ## What the bridge does
//! - Requests: method, URI, version and every header (repeated ones too)
//!   become an `http::Request`; the socket's peer address becomes
//!   [`nanoauth::ClientAddr`] (never `X-Forwarded-For`). The body is
//!   streamed to the core, which enforces its size limit while reading
//!   (64 KiB by default, `413 PAYLOAD_TOO_LARGE` past it).
//! - Responses: status, every header (each `Set-Cookie` separately) and the
//!   JSON body.
//!
//! ## Features
//! - `tracing` (default): turns on the core's `tracing` feature, a span per
//!   request through the core's handler and events for sign-ins, rate-limit
//!   hits and failures, never with a secret in them. Nothing is printed
//!   until the application installs a `tracing` subscriber;
//!   `default-features = false` leaves `tracing` out of the build.
//!
//! Otherwise the bridge needs none of the core's features: the application
//! enables the core features (plugins) it uses.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod convert;
mod extract;
mod mount;
mod refresh;
mod rejection;
mod source;

pub use extract::{MaybeSession, Session};
pub use mount::{configure, scope};
pub use refresh::{RefreshSessionCookie, RefreshSessionCookieService};
pub use rejection::SessionRejection;
pub use source::{SessionSource, data};

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
