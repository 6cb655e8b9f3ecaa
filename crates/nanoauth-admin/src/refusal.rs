//! The plugin's own errors, as they go on the wire.

use http::StatusCode;
use nanoauth::Error;

use crate::store::Ban;

/// Not an administrator, or not allowed this action.
pub(crate) fn forbidden(message: &'static str) -> Error {
    Error::plugin(StatusCode::FORBIDDEN, "FORBIDDEN", message)
}

/// No user has this id.
pub(crate) fn user_not_found() -> Error {
    Error::plugin(StatusCode::NOT_FOUND, "USER_NOT_FOUND", "No such user.")
}

/// No session of this user has this id.
pub(crate) fn session_not_found() -> Error {
    Error::plugin(
        StatusCode::NOT_FOUND,
        "SESSION_NOT_FOUND",
        "No such session.",
    )
}

/// An administrator acting on their own account where that would lock
/// them out (ban, remove, change their own roles).
pub(crate) fn not_on_yourself() -> Error {
    Error::plugin(
        StatusCode::FORBIDDEN,
        "CANNOT_ACT_ON_SELF",
        "Administrators cannot do this to their own account.",
    )
}

/// A role the plugin was not told about.
pub(crate) fn invalid_role() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "INVALID_ROLE",
        "Unknown role, or no role given.",
    )
}

pub(crate) fn invalid_input(message: &'static str) -> Error {
    Error::plugin(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
}

/// The password is shorter than the plugin's minimum (the core's code for it).
pub(crate) fn password_too_short() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "PASSWORD_TOO_SHORT",
        "The password must have at least 8 characters.",
    )
}

/// The password is longer than the plugin's maximum.
pub(crate) fn password_too_long() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "PASSWORD_TOO_LONG",
        "The password must have at most 128 characters.",
    )
}

/// The address is taken.
pub(crate) fn user_exists() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "USER_ALREADY_EXISTS",
        "A user with this email address exists already.",
    )
}

/// What a banned user is answered, at every sign-in: `403 BANNED` with the
/// reason and, for a ban that ends, when.
pub(crate) fn banned(ban: &Ban) -> Error {
    let mut message = String::from("This account is banned");
    if let Some(reason) = ban.reason.as_deref().filter(|r| !r.is_empty()) {
        message.push_str(": ");
        message.push_str(reason);
    }
    message.push('.');
    if let Some(until) = ban.expires_at {
        message.push_str(&format!(" The ban ends at {until} (Unix time)."));
    }
    Error::plugin(StatusCode::FORBIDDEN, "BANNED", message)
}

/// Impersonating an administrator, or from an impersonation.
pub(crate) fn cannot_impersonate(message: &'static str) -> Error {
    Error::plugin(StatusCode::FORBIDDEN, "CANNOT_IMPERSONATE", message)
}

/// Stopping when the session is no impersonation.
pub(crate) fn not_impersonating() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "NOT_IMPERSONATING",
        "This session is not an impersonation.",
    )
}
