//! The plugins that ship with NanoAuth. Each is a folder with the same
//! roles: `mod.rs` (the plugin and its options), `endpoints.rs` (HTTP),
//! `api.rs` (typed exports on `Auth`). The storage capabilities they need
//! are traits in [`adapter`](crate::adapter), named as bounds.
//!
//! They are written against the public plugin contract only, as a plugin
//! outside this crate is: `link_mail` (enumeration-safe background mail)
//! and `link_page` (links that survive mail scanners) are public for that
//! reason. No file under `plugins/` uses a `pub(crate)` item of the core;
//! `tests/plugin_contract.rs` checks it.

#[cfg(feature = "email-password")]
pub mod account;
#[cfg(feature = "email-password")]
pub mod email_password;
pub mod email_verification;
pub mod link_mail;
pub mod link_page;
pub mod magic_link;
#[cfg(feature = "email-password")]
pub mod password_reset;

pub use link_page::LinkConfirmation;

/// The session endpoints (`GET /session`, sign-out, list and revoke): the
/// core's own, always served (see [`sessions::Sessions`]).
pub mod sessions {
    pub use crate::session::plugin::Sessions;
}
