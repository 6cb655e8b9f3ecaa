//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{AuthUser, Endpoint, Error};
use serde_json::json;

use crate::api::Status;
use crate::endpoints::{CodeBody, DeviceBody, Reauthentication, device_not_found};
use crate::plugin::TwoFactorAdapter;
use crate::refusal;

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: TwoFactorAdapter<U>>(
    endpoint: Endpoint<U, A>,
) -> Endpoint<U, A> {
    // Changes to the second factor prove the user again: the password
    // (counted like sign-in's), a fresh session, or a current code.
    let reauthenticated = |doc: EndpointDoc| {
        doc.request::<Reauthentication>()
            .body_optional()
            .session()
            .errors([
                Error::InvalidPassword,
                Error::SessionNotFresh,
                refusal::invalid_code(),
            ])
    };
    // The second step of a sign-in: the challenge cookie set by the first.
    let challenge = |doc: EndpointDoc| {
        doc.request::<CodeBody>()
            .response_schema(schemas::signed_in())
            .errors([refusal::invalid_challenge(), refusal::invalid_code()])
    };
    let enabled = |value: bool| schemas::object([("enabled", json!({ "const": value }), true)]);
    let codes = || schemas::array(schemas::string());
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/two-factor/enable") => reauthenticated(
            EndpointDoc::new("Starts a two-factor enrolment")
                .description("Answers the authenticator app's `otpauth://` URI and backup codes; sign-in asks for a code once `POST /two-factor/verify-totp` confirms the first one.")
                .response_schema(schemas::object([
                    ("totpURI", schemas::string(), true),
                    ("backupCodes", codes(), true),
                ])),
        ),
        ("POST", "/two-factor/verify-totp") => challenge(
            EndpointDoc::new("Checks an authenticator-app code")
                .description("With a session and a pending enrolment, confirms it (`{\"enabled\": true}`); otherwise answers the sign-in challenge of the challenge cookie and signs in.")
                .optional_session(),
        )
        .response_schema(json!({ "anyOf": [schemas::signed_in(), enabled(true)] }))
        .error(refusal::no_pending()),
        ("POST", "/two-factor/verify-backup-code") => challenge(
            EndpointDoc::new("Answers the sign-in challenge with a backup code"),
        ),
        ("POST", "/two-factor/send-otp") => EndpointDoc::new("Mails a sign-in code for the challenge")
            .response_schema(schemas::success())
            .errors([refusal::invalid_challenge(), refusal::email_not_enabled()]),
        ("POST", "/two-factor/verify-otp") => challenge(
            EndpointDoc::new("Answers the sign-in challenge with a mailed code"),
        )
        .error(refusal::email_not_enabled()),
        ("POST", "/two-factor/disable") => reauthenticated(
            EndpointDoc::new("Turns two-factor sign-in off").response_schema(enabled(false)),
        ),
        ("POST", "/two-factor/backup-codes") => reauthenticated(
            EndpointDoc::new("Replaces the backup codes")
                .response_schema(schemas::object([("backupCodes", codes(), true)])),
        )
        .error(refusal::not_enabled()),
        ("GET", "/two-factor/status") => EndpointDoc::new("The user's two-factor state")
            .session()
            .response::<Status>(),
        ("POST", "/two-factor/trusted-devices/revoke") => EndpointDoc::new("Stops trusting a browser")
            .request::<DeviceBody>()
            .session()
            .response_schema(schemas::success())
            .error(device_not_found()),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
