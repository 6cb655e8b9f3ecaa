//! The plugin's own errors, as they go on the wire, and how webauthn-rs's
//! verdicts map onto them.

use http::StatusCode;
use nanoauth::Error;
use webauthn_rs::prelude::WebauthnError;

/// Sign-in and re-authentication refusals: unknown or deleted credential,
/// bad signature, wrong origin or RP id, a counter that went backwards.
pub(crate) const INVALID_PASSKEY: &str = "INVALID_PASSKEY";
/// The ceremony's challenge is unknown, expired, used, or another's.
pub(crate) const INVALID_CHALLENGE: &str = "INVALID_PASSKEY_CHALLENGE";

/// One answer for every way an assertion can be wrong, so that a caller
/// learns nothing about which credentials exist.
pub(crate) fn invalid_passkey() -> Error {
    Error::plugin(
        StatusCode::UNAUTHORIZED,
        INVALID_PASSKEY,
        "This passkey could not be verified.",
    )
}

/// No ceremony waits under this browser's cookie: it expired (5 minutes),
/// was used already (challenges are single use), or belongs to another
/// user, session or kind of ceremony. The client starts again.
pub(crate) fn invalid_challenge() -> Error {
    Error::plugin(
        StatusCode::UNAUTHORIZED,
        INVALID_CHALLENGE,
        "The passkey request has expired or was already used. Try again.",
    )
}

/// A registration response that does not verify; the signed-in owner may
/// learn why, since nothing about other accounts is at stake.
pub(crate) fn registration_failed(reason: &'static str) -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "PASSKEY_REGISTRATION_FAILED",
        reason,
    )
}

pub(crate) fn already_registered() -> Error {
    Error::plugin(
        StatusCode::CONFLICT,
        "PASSKEY_ALREADY_REGISTERED",
        "This passkey is already registered.",
    )
}

/// The browser said the credential is not discoverable (`credProps.rk`
/// false): it could never sign in without an address, the only way the
/// sign-in endpoint offers.
pub(crate) fn not_discoverable() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "PASSKEY_NOT_DISCOVERABLE",
        "This authenticator cannot keep a passkey on the device. Use another one.",
    )
}

pub(crate) fn not_found() -> Error {
    Error::plugin(
        StatusCode::NOT_FOUND,
        "PASSKEY_NOT_FOUND",
        "No such passkey.",
    )
}

pub(crate) fn no_passkeys() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "NO_PASSKEYS",
        "This account has no passkey yet.",
    )
}

pub(crate) fn too_many() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "TOO_MANY_PASSKEYS",
        "This account has as many passkeys as it may have. Delete one first.",
    )
}

pub(crate) fn invalid_name() -> Error {
    Error::plugin(
        StatusCode::BAD_REQUEST,
        "INVALID_PASSKEY_NAME",
        "A passkey's name is 1 to 64 characters, without control characters.",
    )
}

/// The plugin's relying-party settings cannot work (an IP address as RP id,
/// an origin outside it): a configuration mistake, answered 500 with the
/// detail kept for `Error::source`.
pub(crate) fn misconfigured(detail: String) -> Error {
    Error::internal(std::io::Error::other(format!("passkeys: {detail}")))
}

/// What a failed registration tells its owner.
pub(crate) fn registration_error(error: &WebauthnError) -> Error {
    match error {
        WebauthnError::InvalidRPOrigin => {
            registration_failed("The passkey was created for another site (origin).")
        }
        WebauthnError::InvalidRPIDHash => {
            registration_failed("The passkey was created for another site (RP id).")
        }
        WebauthnError::MismatchedChallenge => {
            registration_failed("The passkey answers another request.")
        }
        WebauthnError::UserNotVerified => {
            registration_failed("The authenticator did not verify the user (PIN or biometrics).")
        }
        WebauthnError::Configuration => misconfigured(error.to_string()),
        _ => registration_failed("The passkey could not be verified."),
    }
}
