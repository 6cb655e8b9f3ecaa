//! The events the plugin emits, as [`Event::Plugin`](nanoauth::Event::Plugin)
//! with these names. Subscribe with
//! `auth.on(EventKind::Plugin(events::COUNTER_REGRESSED), ...)`.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, Event, EventKind, adapter::memory::MemoryAdapter};
//! use nanoauth_passkey::events;
//!
//! # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
//! auth.on(EventKind::Plugin(events::COUNTER_REGRESSED), |event, _auth| async move {
//!     if let Event::Plugin(event) = event {
//!         eprintln!("a passkey of {} may be cloned: {}", event.user_id, event.data);
//!     }
//! });
//! # }
//! ```

/// A passkey was registered: `{"id": credential id}`.
pub const REGISTERED: &str = "passkey.registered";
/// A passkey was deleted by its owner: `{"id": credential id}`.
pub const DELETED: &str = "passkey.deleted";
/// A passkey presented a signature counter at or below the one last seen:
/// the authenticator may have been cloned, and the sign-in (or
/// re-authentication) was refused. `{"id", "stored", "received"}`: the
/// counters (`received` is `null` when webauthn-rs refused it against the
/// registration's counter without saying what it got). A counter of 0
/// means "no counter" (synced passkeys) and is never a regression.
pub const COUNTER_REGRESSED: &str = "passkey.counter-regressed";
