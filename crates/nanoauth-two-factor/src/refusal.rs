//! The plugin's own errors, as they go on the wire.

use http::StatusCode;
use nanoauth::Error;

/// The code was wrong, malformed, used already, or expired.
pub(crate) const INVALID_CODE: &str = "INVALID_CODE";

pub(crate) fn invalid_code() -> Error {
    Error::plugin(
        StatusCode::UNAUTHORIZED,
        INVALID_CODE,
        "The code is not correct.",
    )
}

/// No sign-in waits for a second factor here: the challenge is unknown,
/// expired, used, or ended by too many wrong codes.
pub(crate) fn invalid_challenge() -> Error {
    Error::plugin(
        StatusCode::UNAUTHORIZED,
        "INVALID_CHALLENGE",
        "This sign-in has expired. Sign in again.",
    )
}

pub(crate) fn no_pending() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "NO_PENDING_TWO_FACTOR",
        "Start turning two-factor on first.",
    )
}

pub(crate) fn not_enabled() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "TWO_FACTOR_NOT_ENABLED",
        "Two-factor authentication is not on for this account.",
    )
}

pub(crate) fn email_not_enabled() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "EMAIL_OTP_NOT_ENABLED",
        "Codes by email are not offered here.",
    )
}

/// A stored seed that no key opens: the secrets were rotated without
/// keeping the old one, or the record was tampered with.
pub(crate) fn unreadable_secret() -> Error {
    Error::internal(std::io::Error::other(
        "a two-factor secret could not be opened with any configured key",
    ))
}
