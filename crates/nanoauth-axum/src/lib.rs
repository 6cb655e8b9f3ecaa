//! # NanoAuth for axum
//!
//! Mount NanoAuth's routes and extract the signed-in user. No auth logic
//! lives here: the routes call [`Auth::handler`](nanoauth::Auth::handler),
//! the extractors call [`Auth::get_session`](nanoauth::Auth::get_session).
//!
//! ```no_run
//! use axum::{Router, middleware, routing::get};
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth_axum::{AuthRouterExt, MaybeSession, Session, require_session};
//!
//! async fn me(Session(session): Session<BasicUser>) -> String {
//!     format!("hello {}", session.user.email)
//! }
//!
//! async fn home(MaybeSession(session): MaybeSession<BasicUser>) -> &'static str {
//!     if session.is_some() { "welcome back" } else { "hello, stranger" }
//! }
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret(std::env::var("AUTH_SECRET")?)
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .build()?;
//!
//! let app = Router::new()
//!     .route("/me", get(me))
//!     .route("/admin", get(|| async { "secret" }))
//!     .route_layer(middleware::from_fn(require_session::<BasicUser>)) // 401 above this line
//!     .route("/", get(home))
//!     .nanoauth(auth); // last: mounts /api/auth/* and serves the extractors
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
//! # Ok(()) }
//! ```
//!
//! - [`AuthRouterExt::nanoauth`] mounts `{base_path}/*` and makes the `Auth`
//!   available to the extractors of every route added before it.
//! - [`Session<U>`] extracts the signed-in user or answers 401 (JSON);
//!   [`MaybeSession<U>`] never rejects for a missing session.
//! - [`require_session`] guards routes with a 401, and renews the session
//!   cookie when the lookup slid the session's expiry.
//!
//! ## Features
//! - `tracing` (default): turns on the core's `tracing` feature, a span per
//!   request through [`Auth::handler`](nanoauth::Auth::handler) and events
//!   for sign-ins, rate-limit hits and failures, never with a secret in
//!   them. Nothing is printed until the application installs a `tracing`
//!   subscriber (the demo in `apps/demo` uses `tracing-subscriber`);
//!   `default-features = false` leaves `tracing` out of the build.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod extract;
mod guard;
mod mount;
mod source;

pub use extract::{AuthRejection, MaybeSession, Session};
pub use guard::require_session;
pub use mount::AuthRouterExt;

// The README's examples use every crate of the workspace; this crate's
// dev-dependencies reach them all, so they are compiled (and the runnable
// ones run) here.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDocTests;

// This crate's own README, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDocTests;
