//! API keys for NanoAuth: a signed-in user creates keys for scripts and
//! services, and every `get_session` (the handler's endpoints, the
//! framework extractors, your own routes) accepts them from the
//! `x-api-key` header as that user. A plugin on the public contract, with
//! its keys in the core's plugin records
//! ([`RecordAdapter`](nanoauth::RecordAdapter)), so every adapter that has
//! records stores them.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth_api_key::ApiKeys;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(ApiKeys::new())
//!     .build()?;
//!
//! // A service then calls: GET /api/auth/session  with  x-api-key: na_v1_...
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! | Feature | What it adds |
//! |---|---|
//! | `openapi` (default) | the endpoints' descriptions in `GET /openapi.json` |
//! | `organization` | keys owned by an organization, checked by `nanoauth-organization`'s access control |
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod authority;
mod endpoints;
mod index;
mod key;
#[cfg(feature = "openapi")]
mod openapi;
mod owner;
mod plugin;

pub use api::{
    ApiKey, ApiKeyChange, ApiKeysApi, ApiKeysExt, CreatedApiKey, KeyActor, KeyIdentity,
    KeyRateLimit, NewApiKey,
};
pub use key::PREFIX;
pub use owner::KeyOwner;
pub use plugin::ApiKeys;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
