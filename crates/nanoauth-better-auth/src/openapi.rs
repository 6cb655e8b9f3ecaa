//! The compatibility routes in the API description (feature `openapi`).
//!
//! Success answers are better-auth's shapes, written out (they are built
//! with `json!`). Errors: these routes answer better-auth's `{code,
//! message}` (see `shape::error`), which the description's per-status
//! error schema (NanoAuth's `{"error":{"code","message"}}`) cannot say, so
//! no route lists codes of its own; the crate docs say so.

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{Adapter, AuthUser, Endpoint};
use serde_json::{Value, json};

use crate::endpoints::{RevokeBody, SignInBody};

/// A string or `null`.
fn nullable_string() -> Value {
    schemas::nullable(schemas::string())
}

/// better-auth's user (`shape::user`): the application's fields in
/// camelCase, with better-auth's core fields always present.
fn user() -> Value {
    schemas::object([
        ("id", schemas::string(), true),
        ("email", schemas::string(), true),
        ("name", schemas::string(), true),
        ("image", nullable_string(), true),
        ("emailVerified", schemas::boolean(), true),
        ("createdAt", nullable_string(), true),
        ("updatedAt", nullable_string(), true),
    ])
}

/// better-auth's session (`shape::session`); `token` is its public id.
fn session() -> Value {
    schemas::object([
        ("id", schemas::string(), true),
        ("token", schemas::string(), true),
        ("userId", schemas::string(), true),
        ("expiresAt", schemas::string(), true),
        ("createdAt", schemas::string(), true),
        ("updatedAt", schemas::string(), true),
        ("ipAddress", nullable_string(), true),
        ("userAgent", nullable_string(), true),
    ])
}

/// `{"status": true}`.
fn status() -> Value {
    schemas::object([("status", json!({ "const": true }), true)])
}

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: Adapter<U>>(endpoint: Endpoint<U, A>) -> Endpoint<U, A> {
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/sign-up/email") => EndpointDoc::new("Signs up with email and password (better-auth's route)")
            .description(
                "Reads `email`, `password` and the application's own sign-up fields (better-auth's \
                 `additionalFields`); `name` is one of them when the user type has it. When email \
                 verification is required, the answer is `{\"token\": null, \"user\": null}` whether \
                 or not the address was free. A taken address is `422 \
                 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`; errors are better-auth's `{code, message}`.",
            )
            .request_schema(json!({ "allOf": [
                schemas::sign_up_fields(),
                schemas::object([
                    ("email", json!({ "type": "string", "format": "email" }), true),
                    ("password", schemas::string(), true),
                ]),
            ] }))
            .response_schema(json!({ "anyOf": [
                schemas::object([("token", schemas::string(), true), ("user", user(), true)]),
                schemas::object([
                    ("token", json!({ "type": "null" }), true),
                    ("user", json!({ "type": "null" }), true),
                ]),
                schemas::signed_in(),
            ] })),
        ("POST", "/sign-in/email") => EndpointDoc::new("Signs in with email and password (better-auth's route)")
            .description(
                "Sets the session cookie. `redirect` is `true`, with `url`, when `callbackURL` was \
                 given. A second factor, when required, is answered as its guard answers it. Wrong \
                 credentials are `401 INVALID_EMAIL_OR_PASSWORD`; errors are better-auth's \
                 `{code, message}`.",
            )
            .request::<SignInBody>()
            .response_schema(json!({ "anyOf": [
                schemas::object([
                    ("redirect", schemas::boolean(), true),
                    ("token", schemas::string(), true),
                    ("user", user(), true),
                    ("url", schemas::string(), false),
                ]),
                schemas::signed_in(),
            ] })),
        ("GET", "/get-session") => EndpointDoc::new("The current session and user, or `null` (better-auth's route)")
            .optional_session()
            .response_schema(schemas::nullable(schemas::object([
                ("session", session(), true),
                ("user", user(), true),
            ]))),
        ("POST", "/sign-out") => EndpointDoc::new("Signs out (better-auth's route)")
            .description("Clears the session cookie, with or without a valid session.")
            .optional_session()
            .response_schema(schemas::success()),
        ("GET", "/list-sessions") => EndpointDoc::new("The user's live sessions, newest first (better-auth's route)")
            .session()
            .response_schema(schemas::array(session())),
        ("POST", "/revoke-session") => EndpointDoc::new("Ends one of the user's sessions (better-auth's route)")
            .description("An unknown `token` is answered `{\"status\": true}` too: nothing of the user's to end.")
            .session()
            .request::<RevokeBody>()
            .response_schema(status()),
        ("POST", "/revoke-sessions") => EndpointDoc::new("Ends all the user's sessions, this one included (better-auth's route)")
            .session()
            .response_schema(status()),
        ("POST", "/revoke-other-sessions") => {
            EndpointDoc::new("Ends the user's other sessions (better-auth's route)")
                .session()
                .response_schema(status())
        }
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
