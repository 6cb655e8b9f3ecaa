//! The events the plugin emits, as [`Event::Plugin`](nanoauth::Event::Plugin)
//! with these names. Subscribe with
//! `auth.on(EventKind::Plugin(events::ENABLED), ...)`.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, Event, EventKind, adapter::memory::MemoryAdapter};
//! use nanoauth_two_factor::events;
//!
//! # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
//! auth.on(EventKind::Plugin(events::CHALLENGE_FAILED), |event, _auth| async move {
//!     if let Event::Plugin(event) = event {
//!         eprintln!("wrong second factor for {}: {}", event.user_id, event.data);
//!     }
//! });
//! # }
//! ```

/// Two-factor was turned on (an enrolment was confirmed). No data.
pub const ENABLED: &str = "two-factor.enabled";
/// Two-factor was turned off. No data.
pub const DISABLED: &str = "two-factor.disabled";
/// A wrong second factor against a sign-in challenge: `{"factor":
/// "totp" | "backup-code" | "email-otp", "locked": bool}` (`locked` when
/// this failure locked the account's second factor).
pub const CHALLENGE_FAILED: &str = "two-factor.challenge-failed";
