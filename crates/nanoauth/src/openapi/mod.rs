//! The API description (feature `openapi`): `GET /openapi.json`, an
//! OpenAPI 3.1 document made from the routes actually registered, and
//! `GET /reference`, a page that renders it.
//!
//! Each plugin describes its own endpoints with [`EndpointDoc`], attached
//! by [`Endpoint::describe`](crate::Endpoint::describe): a summary, the
//! request body's schema (from the type the handler reads, with
//! `#[derive(schemars::JsonSchema)]`), the success answer's, and the
//! [`Error`](crate::Error)s it can answer. The core adds what every route
//! can answer (the origin check, body errors, rate limits) and the shared
//! shapes ([`schemas`]: the error, the user, the session, a sign-in).
//!
//! The user type's own schema is optional: [`AuthBuilder::user_schema`]
//! when it implements `JsonSchema`, a generic object otherwise (a bound on
//! [`AuthUser`](crate::AuthUser) would break every application).
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//!
//! let auth: Auth<BasicUser, _> = Auth::builder(MemoryAdapter::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .user_schema()
//!     .build()?;
//! let description = auth.openapi();
//! assert_eq!(description["openapi"], "3.1.0");
//! assert!(description["paths"]["/session"]["get"].is_object());
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! [`AuthBuilder::user_schema`]: crate::AuthBuilder::user_schema

mod doc;
pub(crate) mod document;
mod reference;
pub mod schemas;

pub use doc::EndpointDoc;
pub(crate) use reference::API_REFERENCE;
pub use reference::ApiReference;
/// The `schemars` this crate builds schemas with, for plugins' derives.
pub use schemars;
