//! better-auth compatibility for NanoAuth: a front-end built on
//! better-auth's own client keeps it while its server moves to NanoAuth.
//!
//! [`BetterAuthCompat`] serves the routes `createAuthClient` from
//! `better-auth/client` calls for email and password (`/sign-up/email`,
//! `/sign-in/email`, `/get-session`, `/sign-out`, `/list-sessions`,
//! `/revoke-session`, `/revoke-sessions`, `/revoke-other-sessions`) with
//! better-auth's JSON shapes and error codes, through NanoAuth's own
//! pipeline. Together with `nanoauth import better-auth` (users, password
//! hashes, provider accounts) and
//! `EmailPassword::accept_better_auth_hashes`, it is the second step of the
//! README's "Migrating from better-auth".
//!
//! ```
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth_better_auth::BetterAuthCompat;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .cookie_prefix("better-auth")
//!     .plugin(EmailPassword::new())
//!     .plugin(BetterAuthCompat::new())
//!     .build()?;
//! let request = http::Request::get("/api/auth/get-session").body(String::new())?;
//! let response = auth.handler(request).await;
//! assert_eq!(response.body().as_ref(), b"null");
//! # Ok(())
//! # }
//! ```
//!
//! What it does not cover (better-auth's other plugins, `rememberMe`,
//! the cookie cache) is listed in the README.

mod dates;
mod endpoints;
mod plugin;
mod shape;

pub use plugin::{BetterAuthCompat, NAME};
