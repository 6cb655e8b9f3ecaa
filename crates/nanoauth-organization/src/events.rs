//! The events the plugin emits, one for every change, as
//! [`Event::Plugin`](nanoauth::Event::Plugin) with these names: the audit
//! trail. Each event's `user_id` is the acting user (`"system"` for the
//! trusted server actor), and its data names the organization and the actor
//! (`{"organizationId", "actor": {"type": "user", "id"} | {"type":
//! "system", "reason"}, ...}`), plus what the change was about.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, Event, EventKind, adapter::memory::MemoryAdapter};
//! use nanoauth_organization::events;
//!
//! # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
//! auth.on(EventKind::Plugin(events::MEMBER_ROLE_CHANGED), |event, _auth| async move {
//!     if let Event::Plugin(event) = event {
//!         println!("{} changed a role: {}", event.user_id, event.data);
//!     }
//! });
//! # }
//! ```

/// An organization was created: `{organizationId, actor, slug}`.
pub const CREATED: &str = "organization.created";
/// Its name, slug, logo or metadata changed: `{organizationId, actor, fields}`.
pub const UPDATED: &str = "organization.updated";
/// It was deleted with its members and invitations: `{organizationId, actor}`.
pub const DELETED: &str = "organization.deleted";
/// A member was added: `{organizationId, actor, memberId, userId, role}`.
pub const MEMBER_ADDED: &str = "organization.member-added";
/// A member was removed by someone else: `{organizationId, actor, memberId, userId}`.
pub const MEMBER_REMOVED: &str = "organization.member-removed";
/// A member left: `{organizationId, actor, memberId, userId}`.
pub const MEMBER_LEFT: &str = "organization.member-left";
/// A member's roles changed: `{organizationId, actor, memberId, userId, from, to}`.
pub const MEMBER_ROLE_CHANGED: &str = "organization.member-role-changed";
/// An invitation was sent: `{organizationId, actor, invitationId, email, role, replaced}`.
pub const INVITATION_SENT: &str = "organization.invitation-sent";
/// An invitation was accepted: `{organizationId, actor, invitationId, memberId, proof}`
/// (`proof`: `"verified-address"` or `"link"`).
pub const INVITATION_ACCEPTED: &str = "organization.invitation-accepted";
/// An invitation was declined: `{organizationId, actor, invitationId}`.
pub const INVITATION_REJECTED: &str = "organization.invitation-rejected";
/// An invitation was withdrawn: `{organizationId, actor, invitationId}`.
pub const INVITATION_CANCELED: &str = "organization.invitation-canceled";
/// A session's active organization (or team) changed: `{organizationId, actor, teamId?}`.
pub const ACTIVE_CHANGED: &str = "organization.active-changed";
/// A team was created: `{organizationId, actor, teamId, name}`.
pub const TEAM_CREATED: &str = "organization.team-created";
/// A team was removed (and its members' assignments): `{organizationId, actor, teamId}`.
pub const TEAM_REMOVED: &str = "organization.team-removed";
/// A member joined a team: `{organizationId, actor, teamId, memberId}`.
pub const TEAM_MEMBER_ADDED: &str = "organization.team-member-added";
/// A member left a team: `{organizationId, actor, teamId, memberId}`.
pub const TEAM_MEMBER_REMOVED: &str = "organization.team-member-removed";

/// Every event name, for listeners that want all of them.
pub const ALL: &[&str] = &[
    CREATED,
    UPDATED,
    DELETED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    MEMBER_LEFT,
    MEMBER_ROLE_CHANGED,
    INVITATION_SENT,
    INVITATION_ACCEPTED,
    INVITATION_REJECTED,
    INVITATION_CANCELED,
    ACTIVE_CHANGED,
    TEAM_CREATED,
    TEAM_REMOVED,
    TEAM_MEMBER_ADDED,
    TEAM_MEMBER_REMOVED,
];
