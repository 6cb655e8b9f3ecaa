//! The plugins that ship with NanoAuth. Each is a folder with the same
//! roles: `mod.rs` (the plugin and its options), `endpoints.rs` (HTTP),
//! `api.rs` (typed exports on `Auth`). The storage capabilities they need
//! are traits in [`adapter`](crate::adapter), named as bounds.

#[cfg(feature = "email-password")]
pub mod email_password;
pub mod email_verification;
mod link_mail;
mod link_page;
pub mod magic_link;
#[cfg(feature = "email-password")]
pub mod password_reset;
pub mod sessions;

pub use link_page::LinkConfirmation;
