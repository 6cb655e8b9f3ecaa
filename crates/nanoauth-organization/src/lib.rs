//! Organizations for NanoAuth: users create organizations, invite others
//! by email, give members roles, and switch the organization their session
//! works in; the application declares, in Rust, what the roles may do
//! ([`access`]) and asks with one call. A plugin ([`Organizations`]) on the
//! public plugin contract, with its state in the core's plugin records
//! ([`RecordAdapter`](nanoauth::RecordAdapter)): every adapter with records
//! stores organizations, with no table of their own.
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::email::DangerConsoleSender;
//! use nanoauth_organization::Organizations;
//! use nanoauth_organization::access::{AccessControl, Role};
//!
//! let access = AccessControl::new()
//!     .resource("project", ["create", "read", "update", "delete"])
//!     .role(Role::member().allow("project", ["read"]))
//!     .role(Role::new("editor").allow("project", ["read", "update"]))
//!     .build()?;
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     // Invitation links point there.
//!     .base_url("http://localhost:3000")
//!     .plugin(Organizations::new(DangerConsoleSender).access(access))
//!     .build()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! | Module | Job |
//! |---|---|
//! | [`Organizations`] | The plugin, its options and endpoints |
//! | [`access`] | Resources, actions and roles; the permission check (shared with other plugins) |
//! | [`OrganizationsExt`] | `auth.organizations()` and `auth.has_permission(..)` from Rust, for a user or the [`Actor::System`] |
//! | [`events`] | One event per change: the audit trail |
//!
//! A member's roles decide what they may do: the union of what each
//! allows. Nobody grants, changes or removes a role at or above their own
//! (owners excepted), and an organization always keeps an owner.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod access;
mod active;
mod api;
mod endpoints;
mod errors;
pub mod events;
mod grant;
mod model;
#[cfg(feature = "openapi")]
mod openapi;
mod plugin;
mod store;

pub use active::{ACTIVE_ORGANIZATION, ACTIVE_TEAM};
pub use api::{Actor, INVITATION_PURPOSE, OrganizationAdapter, OrganizationsApi, OrganizationsExt};
pub use grant::member_permits;
pub use model::{
    FullOrganization, Invitation, InvitationStatus, Member, MemberWithUser, NewOrganization,
    Organization, OrganizationUpdate, Team,
};
pub use plugin::{InvitationMail, Organizations, RenderInvitation};
