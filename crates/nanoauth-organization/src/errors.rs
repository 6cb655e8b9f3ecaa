//! The plugin's refusals, each with its status and stable code.
//!
//! | code | status | when |
//! |---|---|---|
//! | `FORBIDDEN` | 403 | not a member, or a role that does not allow it (also: a role at or above one's own) |
//! | `ORGANIZATION_NOT_FOUND` | 404 | no organization has this id |
//! | `MEMBER_NOT_FOUND` | 404 | no member of the organization has this id |
//! | `INVITATION_NOT_FOUND` | 404 | no invitation has this id (or it was purged) |
//! | `TEAM_NOT_FOUND` | 404 | no team of the organization has this id |
//! | `USER_NOT_FOUND` | 404 | adding a user that does not exist |
//! | `SLUG_TAKEN` | 409 | another organization has this slug |
//! | `ALREADY_MEMBER` | 409 | the user is a member already |
//! | `LAST_OWNER` | 409 | the change would leave the organization without an owner |
//! | `INVITATION_NOT_PENDING` | 409 | accepted, rejected or canceled already |
//! | `CONCURRENT_UPDATE` | 409 | too many concurrent writes; try again |
//! | `INVITATION_EXPIRED` | 410 | past its expiry |
//! | `INVITATION_RECIPIENT_MISMATCH` | 403 | signed in with another address than the invited one |
//! | `EMAIL_NOT_VERIFIED` | 403 | the invited address is not verified on the account (the core's code) |
//! | `ORGANIZATION_LIMIT_REACHED` / `MEMBER_LIMIT_REACHED` / `INVITATION_LIMIT_REACHED` / `TEAM_LIMIT_REACHED` | 403 | a configured limit |
//! | `NO_ACTIVE_ORGANIZATION` | 400 | no organization named and none active |
//! | `UNKNOWN_ROLE` | 400 | a role that is not declared |
//! | `UNKNOWN_PERMISSION` | 400 | a permission that is not declared |
//! | `INVALID_BODY` | 400 | a name, slug, logo or metadata out of bounds (the core's code) |

use http::StatusCode;
use nanoauth::Error;

use crate::access::AccessError;

pub(crate) fn forbidden(message: &'static str) -> Error {
    Error::plugin(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

pub(crate) fn not_a_member() -> Error {
    forbidden("You are not a member of this organization.")
}

pub(crate) fn organization_not_found() -> Error {
    Error::plugin(
        StatusCode::NOT_FOUND,
        "ORGANIZATION_NOT_FOUND",
        "No such organization.",
    )
}

pub(crate) fn member_not_found() -> Error {
    Error::plugin(StatusCode::NOT_FOUND, "MEMBER_NOT_FOUND", "No such member.")
}

pub(crate) fn invitation_not_found() -> Error {
    Error::plugin(
        StatusCode::NOT_FOUND,
        "INVITATION_NOT_FOUND",
        "No such invitation.",
    )
}

pub(crate) fn team_not_found() -> Error {
    Error::plugin(StatusCode::NOT_FOUND, "TEAM_NOT_FOUND", "No such team.")
}

pub(crate) fn user_not_found() -> Error {
    Error::plugin(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user.")
}

pub(crate) fn slug_taken() -> Error {
    Error::plugin(StatusCode::CONFLICT, "SLUG_TAKEN", "This slug is taken.")
}

pub(crate) fn already_member() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "ALREADY_MEMBER",
        "Already a member of this organization.",
    )
}

pub(crate) fn last_owner() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "LAST_OWNER",
        "An organization must keep an owner: make someone else owner first.",
    )
}

pub(crate) fn invitation_not_pending() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "INVITATION_NOT_PENDING",
        "This invitation was used or withdrawn.",
    )
}

pub(crate) fn invitation_expired() -> Error {
    Error::plugin(
        StatusCode::GONE,
        "INVITATION_EXPIRED",
        "This invitation has expired.",
    )
}

pub(crate) fn recipient_mismatch() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "INVITATION_RECIPIENT_MISMATCH",
        "This invitation is for another address.",
    )
}

pub(crate) fn concurrent_update() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "CONCURRENT_UPDATE",
        "The organization changed meanwhile; try again.",
    )
}

pub(crate) fn organization_limit() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "ORGANIZATION_LIMIT_REACHED",
        "You are in as many organizations as allowed.",
    )
}

pub(crate) fn member_limit() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "MEMBER_LIMIT_REACHED",
        "This organization has as many members as allowed.",
    )
}

pub(crate) fn invitation_limit() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "INVITATION_LIMIT_REACHED",
        "This organization has as many pending invitations as allowed.",
    )
}

pub(crate) fn team_limit() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "TEAM_LIMIT_REACHED",
        "This organization has as many teams as allowed.",
    )
}

pub(crate) fn no_active_organization() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "NO_ACTIVE_ORGANIZATION",
        "Name an organization, or set one active.",
    )
}

pub(crate) fn invalid(message: &str) -> Error {
    Error::InvalidBody(message.to_owned())
}

/// A declaration mistake met at run time: the caller named a role or a
/// permission that is not declared.
pub(crate) fn access(error: AccessError) -> Error {
    match error {
        AccessError::UnknownPermission(_) => Error::plugin(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_PERMISSION",
            "A permission that is not declared.",
        ),
        _ => Error::plugin(
            StatusCode::BAD_REQUEST,
            "UNKNOWN_ROLE",
            "A role that is not declared.",
        ),
    }
}
