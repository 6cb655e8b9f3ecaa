//! JWTs for other services. Your other backends (an API in another
//! language, a worker, a partner) want to know who is calling without
//! sharing NanoAuth's database or secrets: `GET /api/auth/token` gives the
//! signed-in user (or an API key's) a short-lived JWT, and
//! `GET /api/auth/jwks` publishes the public keys that verify it, for any
//! JOSE library (PyJWT's `PyJWKClient`, `jose`, the `jsonwebtoken` crate,
//! `JwksVerifier` here).
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth_jwt::Jwt;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("https://app.example.com")
//!     // EdDSA, 15-minute tokens, a new key every 30 days; `iss` and `aud`
//!     // are the base URL's origin unless set.
//!     .plugin(Jwt::new().audience("https://api.example.com"))
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! A tour:
//! - [`Jwt`]: the plugin, its options and its routes.
//! - [`JwtExt::jwt`]: tokens from Rust (`token(&session)`,
//!   `token_for(&user)`) and the JWKS.
//! - [`PublicKeys`] and [`Expected`]: verifying tokens against a JWKS you
//!   hold; `JwksVerifier` (feature `verify`) fetches and caches it.
//! - Keys live in the core's plugin records
//!   ([`RecordAdapter`](nanoauth::RecordAdapter)), so every adapter that has
//!   records stores them: one record per rotation period, the private key
//!   sealed under the application secrets, plus one record of the
//!   published public keys.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `verify` | no | `JwksVerifier`: fetches a JWKS over HTTP (reqwest, rustls), caches it and refetches on an unknown `kid` at most once a minute |
#![cfg_attr(docsrs, feature(doc_cfg))]

mod algorithm;
mod api;
mod endpoints;
mod key;
#[cfg(feature = "openapi")]
mod openapi;
mod plugin;
#[cfg(feature = "verify")]
mod remote;
mod store;
mod verify;

pub use algorithm::Algorithm;
pub use api::{JwtApi, JwtExt, RESERVED_CLAIMS};
pub use plugin::Jwt;
#[cfg(feature = "verify")]
pub use remote::JwksVerifier;
pub use verify::{Claims, CredentialClaim, DEFAULT_LEEWAY, Expected, PublicKeys, VerifyError};

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
