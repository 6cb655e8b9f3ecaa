//! # NanoAuth
//!
//! Authentication for Rust web services. Bring your own database (an
//! [`Adapter`]) and your own user type (an [`AuthUser`]); NanoAuth runs the
//! flows, the security and the sessions.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .build()?;
//!
//! // Any framework: hand it `http::Request`s under /api/auth.
//! let sign_up = http::Request::post("/api/auth/signup/email")
//!     .header("content-type", "application/json")
//!     .body(r#"{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}"#.to_owned())?;
//! let response = auth.handler(sign_up).await;
//! assert_eq!(response.status(), 200);
//! let cookie = response.headers()["set-cookie"].to_str()?.split(';').next().unwrap_or_default().to_owned();
//!
//! // Elsewhere in the app: who is this?
//! let page = http::Request::get("/dashboard").header("cookie", cookie).body(())?;
//! let session = auth.get_session(&page).await?.expect("signed in");
//! assert_eq!(session.user.name, "Ada");
//! # Ok(()) }
//! ```
//!
//! ## The pieces
//! - [`AuthUser`]: your user struct. Everything hands it back typed.
//! - [`Adapter`]: your storage. Plugins that need more state it as
//!   capability traits bounded on `Adapter` (all in [`adapter`]), checked at
//!   compile time.
//! - [`Plugin`]: endpoints, hooks and typed exports. Sessions and
//!   email/password are plugins ([`plugins`]).
//! - [`Auth`]: built once, cloned freely; [`Auth::handler`] and
//!   [`Auth::get_session`] work on plain `http` types.
//! - [`SessionSource`]: `Auth` as a trait object over the user type alone,
//!   for framework integrations whose extractors cannot name the adapter.
//!
//! ## Features
//! | feature | default | what it adds |
//! |---|---|---|
//! | `email-password` | yes | [`plugins::email_password`], [`utils::password`] (the [`PasswordAdapter`] capability is always there: a storage trait needs no Argon2) |
//! | `tokio` | yes | [`TokioOffload`]: password hashing on tokio's blocking pool; [`Auth::spawn_sweeper`]: purging expired sessions and tokens in the background |
//! | `tower` | yes | `AuthService`: `Auth` as a tower `Service` (hyper, tower stacks) |
//! | `tracing` | no (yes through `nanoauth-axum` and `nanoauth-actix`) | `tracing` spans and events, see below |
//!
//! A feature only makes an API available; nothing changes until you add the
//! plugin to your `Auth`. (`tracing` is the exception: it adds no API, and
//! reports what happens to whichever subscriber the application installs.)
//!
//! ## Logging and tracing
//! With the `tracing` feature, every request through [`Auth::handler`] runs
//! in a `request` span (target `nanoauth::request`) with its `method`, the
//! matched route's *pattern* (`route`, e.g. `/callback/{provider}`, never
//! the raw path) and `plugin`, and, once answered, its `status` and
//! `error_code`; an `answered` event closes it. Events, each on its own
//! target for filtering: `nanoauth::sign_in` (signed in: user id, session
//! id, `sign_in_method`; sign-in failed on a `/signin/` route: the reason code),
//! `nanoauth::rate_limit` (a limit or lockout refused: route and the kind of
//! key), `nanoauth::adapter` (an adapter error that ended a request: the
//! [`AdapterError`] variant and the driver's text), `nanoauth::email` (mail
//! not sent), `nanoauth::internal`, and `nanoauth::event` (the other
//! lifecycle [`Event`]s).
//!
//! Never recorded: passwords, session tokens or cookies, single-use tokens
//! or links, secrets, request bodies, the messages of client errors. Email
//! addresses appear only where they are the subject, as `a***@example.com`
//! (in free text from drivers and mail servers too), and client IP
//! addresses not at all, unless
//! [`AuthBuilder::trace_personal_data`] says otherwise.
//! `tests/observability.rs` checks it on the captured output of a session's
//! whole life.
#![cfg_attr(docsrs, feature(doc_cfg))]

// The layout shows the architecture: the request pipeline, sessions and
// keys, storage traits, the plugin contract, the built-in plugins, and
// building blocks. Arrows point from the plugins to the core, never back:
// the built-ins use only what is re-exported here (tests/plugin_contract.rs).
pub mod adapter;
mod auth;
mod clock;
pub mod email;
mod error;
mod observe;
#[cfg(feature = "openapi")]
pub mod openapi;
mod ownership;
mod pipeline;
mod plugin;
pub mod plugins;
pub mod rate_limit;
mod runtime;
#[cfg(feature = "tower")]
mod service;
mod session;
mod user;
pub mod utils;

pub use adapter::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, CreateUserAdapter, DeleteUserAdapter,
    EmailVerificationAdapter, ListUsersAdapter, PasswordAdapter, PasswordCredential, PluginRecord,
    RecordAdapter, Typed, TypedRecords, UpdateUserAdapter, UserRecordsAdapter, VerificationAdapter,
    VerificationRecord,
};
pub use auth::{Auth, AuthBuilder, ConfigError};
pub use clock::{Clock, SystemClock};
pub use error::Error;
pub use ownership::EmailProof;
pub use pipeline::endpoint::{Endpoint, EndpointRequest, ErrorBody, PluginEndpoints, Reply};
pub use pipeline::origin::origin_of;
pub use pipeline::request_hooks::{Matcher, RequestHook};
pub use plugin::Plugin;
pub use plugin::events::{Event, EventKind, Hook, PluginEvent};
#[cfg(feature = "tokio")]
pub use runtime::TokioOffload;
pub use runtime::{
    BlockingJob, BoxFuture, InlineOffload, JobCancelled, Offload, ThreadOffload, run_blocking,
    run_low_priority,
};
#[cfg(feature = "tower")]
pub use service::AuthService;
pub use session::keys::MIN_SECRET_LEN;
pub use session::source::SessionSource;
#[cfg(feature = "tokio")]
pub use session::sweeper::Sweeper;
pub use session::sweeper::{Purge, Purged};
pub use session::{
    CachedSessions, ClientAddr, ClientInfo, Credential, CredentialResolver, GuardVerdict,
    NewSession, Reauthentication, Session, SessionAttributes, SessionGuard, SessionRecord,
    SessionToken, SignInAttempt, SignInChallenge, SignInMethod, SignInOutcome, SignedIn,
};
pub use user::{AuthUser, BasicSignUp, BasicUpdate, BasicUser, Email, NewUser, NoFields};

// The architecture guide's examples are compiled and run as doc-tests, so
// the documentation cannot drift from the code. (The README's are run from
// nanoauth-sqlx, which can reach every crate they use.)
#[cfg(doctest)]
#[doc = include_str!("../../../docs/architecture.md")]
struct ArchitectureDocTests;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
