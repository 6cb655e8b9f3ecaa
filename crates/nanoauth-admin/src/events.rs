//! The events the plugin emits, as [`Event::Plugin`](nanoauth::Event::Plugin)
//! with these names: the audit trail of administration. Each concerns the
//! user acted upon (`user_id`) and names the administrator who acted in
//! `data.actorId` (the real one: an impersonation session acts as its user,
//! never as an administrator).
//!
//! ```
//! use nanoauth::{Auth, BasicUser, Event, EventKind, adapter::memory::MemoryAdapter};
//! use nanoauth_admin::events;
//!
//! # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
//! auth.on(EventKind::Plugin(events::USER_BANNED), |event, _auth| async move {
//!     if let Event::Plugin(event) = event {
//!         eprintln!("{} banned by {}", event.user_id, event.data["actorId"]);
//!     }
//! });
//! # }
//! ```

/// A user was created by an administrator: `{actorId, withPassword}`.
pub const USER_CREATED: &str = "admin.user-created";
/// A user's roles were set: `{actorId, roles, previous}`.
pub const ROLE_SET: &str = "admin.role-set";
/// A user was banned and their sessions revoked:
/// `{actorId, reason, expiresAt, revoked}`.
pub const USER_BANNED: &str = "admin.user-banned";
/// A ban was lifted by an administrator: `{actorId}`. (A ban that expires
/// lifts without an event.)
pub const USER_UNBANNED: &str = "admin.user-unbanned";
/// A user's password was set and their sessions revoked: `{actorId, revoked}`.
pub const PASSWORD_SET: &str = "admin.password-set";
/// A user was removed with everything they own: `{actorId}`.
pub const USER_REMOVED: &str = "admin.user-removed";
/// Sessions of a user were revoked: `{actorId, revoked, sessionId?}`.
pub const SESSIONS_REVOKED: &str = "admin.sessions-revoked";
/// An administrator started a session as the user:
/// `{actorId, sessionId, expiresAt}`.
pub const IMPERSONATION_STARTED: &str = "admin.impersonation-started";
/// An administrator ended an impersonation session: `{actorId, sessionId}`.
pub const IMPERSONATION_STOPPED: &str = "admin.impersonation-stopped";
/// A request that changes something was made in an impersonation session:
/// `{actorId, method, path}`, so what an administrator did as a user is
/// recorded with the administrator's id.
pub const IMPERSONATED_REQUEST: &str = "admin.impersonated-request";
