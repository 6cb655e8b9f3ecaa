//! # Social sign-in for NanoAuth
//!
//! OAuth 2.0 and OpenID Connect providers as one NanoAuth plugin,
//! [`OAuth`]: Google, GitHub, Microsoft Entra ID, Discord, GitLab, Apple
//! ([`providers`]), and any OpenID Connect issuer by URL
//! ([`Provider::oidc`]).
//!
//! ```
//! use nanoauth::{Auth, BasicSignUp, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth_oauth::{OAuth, Provider, providers};
//!
//! let oauth = OAuth::<BasicUser>::new(|profile| BasicSignUp {
//!     name: profile.name.clone().unwrap_or_default(),
//! })
//! .provider(providers::github("client-id", "client-secret"))
//! .provider(Provider::oidc("corp", "https://id.example.com", "client-id").client_secret("secret"));
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("https://example.com")
//!     .plugin(oauth)
//!     .build()?;
//! // The browser posts to /api/auth/signin/github, goes to the answer's
//! // `url`, and comes back to /api/auth/callback/github.
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! ## The flow
//! 1. `POST /signin/:provider {callbackURL}` stores the flow's state (see
//!    below) and answers `{url, redirect: true}`: the provider's
//!    authorization URL with `state`, a PKCE S256 challenge and, for
//!    OpenID Connect, a `nonce`.
//! 2. The provider sends the browser to `GET /callback/:provider?code&state`.
//!    The state is consumed (once), the code exchanged with the PKCE
//!    verifier over a client that follows no redirects, the ID token
//!    checked (signature against the issuer's JWKS, `iss`, `aud`, `exp`,
//!    `nonce`) and the profile read. The user is found by the linked
//!    account, or created with the application's mapping of the profile,
//!    and signed in; the browser goes to `callbackURL` with the session
//!    cookie, or, on any failure, to `errorCallbackURL?error=CODE`.
//!
//! ## Where the state lives
//! In the application's store, as a single-use token of the core
//! (`VerificationAdapter`): only the SHA-256 of `state` is stored, next to
//! the PKCE verifier, the nonce and the checked callback URLs, for 10
//! minutes. No cookie is involved, so any instance can finish a sign-in
//! another started, and a replayed `state` finds nothing.
//!
//! ## Provider tokens
//! Access, refresh and ID tokens are used once to read the profile and
//! dropped; only the link (provider, provider's user id, user id) is
//! stored ([`AccountRecord`](nanoauth::AccountRecord)).
//!
//! ## Error codes
//! See [`OAuthError`]: each failure (provider down, consent denied, bad
//! state, replayed code, wrong issuer or audience, expired ID token, ...)
//! has its own stable code.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod callback;
mod discovery;
mod endpoints;
mod error;
mod exchange;
mod flow;
mod http;
mod id_token;
mod jwks;
#[cfg(feature = "openapi")]
mod openapi;
mod pkce;
mod plugin;
mod profile;
mod provider;
pub mod providers;
mod secret;

pub use api::{Authorization, LinkedAccount, OAuthApi, OAuthExt};
pub use callback::{CallbackOutcome, CallbackParams};
pub use error::OAuthError;
pub use flow::BINDING_COOKIE;
pub use plugin::{OAuth, OAuthAdapter};
pub use profile::Profile;
pub use provider::{Provider, TokenAuth};
pub use secret::ClientSecret;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
