//! # The NanoAuth client for Rust
//!
//! Sign up, sign in, sign out and read the session of a NanoAuth server
//! over HTTP, from a CLI, a native app, or a browser app built for
//! `wasm32-unknown-unknown` (Leptos, Dioxus, Yew...). The server's types are
//! not needed: the client has its own [`Session`] and is generic over your
//! user type.
//!
//! ```no_run
//! use nanoauth_client::AuthClient;
//!
//! /// The fields of the server's user type that this app reads.
//! #[derive(Clone, Debug, serde::Deserialize)]
//! struct User {
//!     email: String,
//!     name: String,
//! }
//!
//! # #[tokio::main] async fn main() -> Result<(), nanoauth_client::ClientError> {
//! let client = AuthClient::<User>::new("http://localhost:3000")?;
//!
//! // Re-render whenever the session changes.
//! let _subscription = client.store().subscribe(|state| {
//!     match &state.session {
//!         Some(session) => println!("signed in as {}", session.user.name),
//!         None => println!("signed out"),
//!     }
//! });
//!
//! let outcome = client.sign_in_email("ada@example.com", "correct horse battery").await?;
//! // `None` when the account asks for a second factor (see `TwoFactor`).
//! if let Some(session) = outcome.session() {
//!     println!("{} until {}", session.user.email, session.session.expires_at);
//! }
//!
//! assert!(client.session().await?.is_some()); // asks the server again
//! client.sign_out().await?;
//! assert!(client.store().get().session.is_none());
//! # Ok(()) }
//! ```
//!
//! ## The pieces
//! - [`AuthClient`] has [`sign_up_email`](AuthClient::sign_up_email),
//!   [`sign_in_email`](AuthClient::sign_in_email),
//!   [`sign_out`](AuthClient::sign_out) and [`session`](AuthClient::session),
//!   the same calls as the JavaScript client, and the rest of the server's
//!   routes: the user's sessions ([`list_sessions`](AuthClient::list_sessions),
//!   [`revoke_session`](AuthClient::revoke_session),
//!   [`revoke_other_sessions`](AuthClient::revoke_other_sessions)), social
//!   accounts ([`sign_in_social`](AuthClient::sign_in_social),
//!   [`link_social`](AuthClient::link_social),
//!   [`unlink_account`](AuthClient::unlink_account),
//!   [`list_accounts`](AuthClient::list_accounts)), email links
//!   ([`send_magic_link`](AuthClient::send_magic_link),
//!   [`request_password_reset`](AuthClient::request_password_reset),
//!   [`reset_password`](AuthClient::reset_password),
//!   [`send_verification_email`](AuthClient::send_verification_email),
//!   [`verify_email`](AuthClient::verify_email)),
//!   [`change_password`](AuthClient::change_password), the account
//!   ([`update_user`](AuthClient::update_user),
//!   [`change_email`](AuthClient::change_email),
//!   [`delete_user`](AuthClient::delete_user)) and
//!   [`jwks`](AuthClient::jwks). Configure it with
//!   [`AuthClient::builder`].
//! - [`SignInOutcome`] is a sign-in's result: a [`Session`], or
//!   "two-factor required", finished through [`AuthClient::two_factor`]
//!   ([`TwoFactor`]: enable, confirm, verify a code, backup codes,
//!   trusted devices).
//! - [`AuthClient::passkeys`] ([`Passkeys`]) carries the JSON halves of
//!   the WebAuthn ceremonies (the options, then the authenticator's
//!   answer, as `serde_json::Value`: the ceremony itself is the browser's
//!   or an authenticator library's) and lists, renames and deletes
//!   passkeys. [`AuthClient::api_keys`] ([`ApiKeys`]) creates and manages
//!   API keys; [`AuthClient::jwt`] asks for a JWT for other services.
//! - [`Mode`] is the session cookie (default) or a bearer token
//!   ([`SessionToken`]) that an app can persist between runs.
//! - [`SessionStore`] holds the session state ([`AuthState`]: session,
//!   loading, error) with [`get`](SessionStore::get) and
//!   [`subscribe`](SessionStore::subscribe). No async runtime: bridge it to
//!   your framework's signals from the callback.
//! - [`ClientError`] carries the server's `code`, `message` and status
//!   ([`ClientError::Api`]), or a network, decoding or configuration
//!   failure.
//!
//! ## Cookies, origins and browsers
//! The server refuses state-changing requests that carry cookies without a
//! trusted `Origin` (its CSRF defence). On native targets the client sends
//! the base URL's origin with every `POST`
//! ([`AuthClientBuilder::origin`] overrides it). In a browser, the browser
//! sets `Origin` and keeps the HttpOnly session cookie; the client asks
//! `fetch` to include credentials, so a front-end on another origin works
//! once the server trusts that origin (`AuthBuilder::trusted_origin`) and
//! answers CORS with credentials.
//!
//! ## Features
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rustls` | yes | `https` URLs on native targets (rustls, the platform's certificate roots) |
//!
//! Without `rustls` a native client speaks plain `http` only, unless you
//! enable another TLS backend of reqwest in your own `Cargo.toml` (e.g.
//! `reqwest = { version = "0.13", default-features = false, features =
//! ["native-tls"] }`). In a browser, TLS is the browser's.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod account;
mod admin;
mod api_key;
mod builder;
mod client;
mod error;
mod organization;
mod passkey;
mod session;
mod store;
mod token;
mod two_factor;

pub use account::{Deletion, LinkedAccount, ListedSession};
pub use admin::{Admin, AdminSession, AdminUserView, UserList, UserListQuery};
pub use api_key::{ApiKey, ApiKeyChange, ApiKeyOwner, ApiKeys, CreatedApiKey, NewApiKey};
pub use builder::{AuthClientBuilder, Mode};
pub use client::AuthClient;
pub use error::{ClientError, ConfigError, DecodeError, NetworkError};
pub use organization::{FullOrganization, Invitation, Member, Organization, Organizations};
pub use passkey::{Passkey, PasskeyReauthenticated, Passkeys, RegisteredPasskey};
pub use session::{Session, SessionInfo, SignInOutcome};
pub use store::{AuthState, Listener, SessionStore, Subscription};
pub use token::SessionToken;
pub use two_factor::{Enrolment, TotpVerified, TrustedDevice, TwoFactor, TwoFactorStatus};

/// The HTTP status type of [`ClientError::status`], re-exported from the
/// `http` crate.
pub use http::StatusCode;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
