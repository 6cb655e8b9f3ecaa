//! Administration for NanoAuth: list and search users, create them, set
//! their roles and passwords, ban them (every sign-in refused, sessions
//! revoked at once), manage their sessions, remove them, and impersonate
//! them for a while, as a plugin ([`Admin`]) on the public plugin
//! contract. Bans are plugin records
//! ([`RecordAdapter`](nanoauth::RecordAdapter)), users are listed through
//! [`ListUsersAdapter`](nanoauth::ListUsersAdapter): every adapter NanoAuth
//! ships has both.
//!
//! ```
//! use nanoauth::{Auth, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//! use nanoauth_admin::{Admin, AdminUser};
//! # use nanoauth::{AuthUser, NewUser, NoFields};
//! # #[derive(Clone, serde::Serialize, serde::Deserialize)]
//! # struct MyUser { id: String, email: String, role: String }
//! # impl AuthUser for MyUser {
//! #     type SignUp = NoFields; type Update = NoFields;
//! #     fn id(&self) -> &str { &self.id }
//! #     fn email(&self) -> &str { &self.email }
//! #     fn from_sign_up(new: NewUser<NoFields>) -> Self { MyUser { id: new.id, email: new.email.into(), role: "user".into() } }
//! #     fn apply_update(&mut self, _: NoFields) {}
//! # }
//! # impl AdminUser for MyUser {
//! #     fn roles(&self) -> Vec<String> { vec![self.role.clone()] }
//! #     fn set_roles(&mut self, roles: &[String]) { self.role = roles.join(","); }
//! # }
//!
//! let auth = Auth::builder(MemoryAdapter::<MyUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .plugin(Admin::new())
//!     .build()?;
//! # Ok::<(), nanoauth::ConfigError>(())
//! ```
//!
//! | Module | Job |
//! |---|---|
//! | [`Admin`] | The plugin, its options and endpoints |
//! | [`AdminUser`] | What the user type gives: its roles |
//! | [`AdminExt`] | `auth.admin()`: the same from Rust, with the actor named |
//! | [`Ban`] | A ban as stored (also by `nanoauth user ban`) |
//! | [`events`] | The audit trail |
//!
//! | Feature | What it adds |
//! |---|---|
//! | `openapi` (default) | the endpoints' descriptions in `GET /openapi.json` |
#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod endpoints;
pub mod events;
mod impersonation;
#[cfg(feature = "openapi")]
mod openapi;
mod plugin;
mod refusal;
mod store;
mod user;

pub use api::{AdminApi, AdminExt, BanRequest, NewAdminUser, UserPage, UserSearch, UserView};
pub use impersonation::{
    ADMIN_SESSION_COOKIE, IMPERSONATED_BY, IMPERSONATION_METHOD, impersonator,
};
pub use plugin::{Admin, AdminStore, MAX_IMPERSONATION_SECS};
pub use store::{BAN_NAMESPACE, Ban, ban_of, lift_ban, put_ban};
pub use user::AdminUser;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;
