//! The plugin's endpoints (and the passkey sign-up's) in the API
//! description (feature `openapi`). The WebAuthn shapes are the browser's
//! (`PublicKeyCredential.toJSON()`, the options `navigator.credentials`
//! takes), described here as objects; webauthn-rs checks them.

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{Adapter, AuthUser, Endpoint, Error};
use serde_json::{Value, json};

use crate::refusal;

/// A request body with exactly `properties` (the handlers refuse others).
fn closed(properties: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
}

fn credential(what: &str) -> Value {
    json!({ "type": "object", "description": what })
}

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: Adapter<U>>(endpoint: Endpoint<U, A>) -> Endpoint<U, A> {
    let options = |what: &str| {
        json!({
            "type": "object",
            "required": ["publicKey"],
            "description": format!("The {what} options for `navigator.credentials`; a short-lived cookie binds the ceremony to this browser.")
        })
    };
    let empty = closed(json!({}), &[]);
    let assertion = closed(
        json!({ "credential": credential("The browser's assertion (`PublicKeyCredential.toJSON()`).") }),
        &["credential"],
    );
    let registration = closed(
        json!({
            "name": { "type": "string", "description": "A name for lists (the authenticator's by default)." },
            "credential": credential("The browser's new credential (`PublicKeyCredential.toJSON()`).")
        }),
        &["credential"],
    );
    let passkey = |fields: &[&str]| {
        schemas::object(fields.iter().map(|name| {
            let schema = if name.ends_with("At") {
                schemas::integer()
            } else {
                schemas::string()
            };
            (*name, schema, true)
        }))
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/passkey/register/options") => EndpointDoc::new("Starts adding a passkey")
            .description("Needs a fresh session (or a passkey re-authentication lately). The body is `{}` or empty.")
            .request_schema(empty.clone())
            .body_optional()
            .session()
            .response_schema(options("registration"))
            .errors([Error::SessionNotFresh, refusal::too_many()]),
        ("POST", "/passkey/register/verify") => EndpointDoc::new("Adds the passkey the browser made")
            .request_schema(registration.clone())
            .session()
            .response_schema(schemas::object([("passkey", passkey(&["id", "name", "createdAt"]), true)]))
            .errors([
                refusal::invalid_challenge(),
                refusal::registration_failed(""),
                refusal::already_registered(),
                refusal::not_discoverable(),
                refusal::too_many(),
                refusal::invalid_name(),
            ]),
        ("POST", "/passkey/signin/options") => EndpointDoc::new("Starts a passkey sign-in")
            .description("The body is `{}` or empty.")
            .request_schema(empty.clone())
            .body_optional()
            .response_schema(options("sign-in")),
        ("POST", "/signin/passkey") => EndpointDoc::new("Signs in with a passkey")
            .request_schema(assertion.clone())
            .response_schema(schemas::signed_in())
            .errors([refusal::invalid_challenge(), refusal::invalid_passkey(), Error::EmailNotVerified]),
        ("GET", "/passkeys") => EndpointDoc::new("The user's passkeys")
            .session()
            .response_schema(schemas::array(json!({
                "type": "object",
                "required": ["id", "name", "createdAt", "lastUsedAt"],
                "properties": {
                    "id": schemas::string(),
                    "name": schemas::string(),
                    "createdAt": schemas::integer(),
                    "lastUsedAt": schemas::nullable(schemas::integer())
                }
            }))),
        ("POST", "/passkey/rename") => EndpointDoc::new("Renames a passkey")
            .request_schema(closed(json!({ "id": schemas::string(), "name": schemas::string() }), &["id", "name"]))
            .session()
            .response_schema(schemas::success())
            .errors([refusal::not_found(), refusal::invalid_name()]),
        ("POST", "/passkey/delete") => EndpointDoc::new("Deletes a passkey")
            .request_schema(closed(json!({ "id": schemas::string() }), &["id"]))
            .session()
            .response_schema(schemas::success())
            .error(refusal::not_found()),
        ("POST", "/passkey/verify/options") => EndpointDoc::new("Starts a re-authentication with a passkey")
            .description("The body is `{}` or empty.")
            .request_schema(empty.clone())
            .body_optional()
            .session()
            .response_schema(options("re-authentication"))
            .error(refusal::no_passkeys()),
        ("POST", "/passkey/verify") => EndpointDoc::new("Re-authenticates the session's user with a passkey")
            .description("Sensitive changes then take the session as fresh.")
            .request_schema(assertion)
            .session()
            .response_schema(schemas::object([
                ("verifiedAt", schemas::integer(), true),
                ("passkey", passkey(&["id", "name"]), true),
            ]))
            .errors([refusal::invalid_challenge(), refusal::invalid_passkey()]),
        ("POST", "/passkey/signup/options") => EndpointDoc::new("Starts a sign-up with a passkey (no password)")
            .description("Other fields are the application's sign-up fields.")
            .request_schema(json!({ "allOf": [
                schemas::sign_up_fields(),
                schemas::object([("email", schemas::string(), true)]),
            ] }))
            .response_schema(options("registration"))
            .error(Error::InvalidEmail),
        ("POST", "/signup/passkey") => EndpointDoc::new("Signs up with the passkey the browser made")
            .description("When email verification is required, answers `{\"user\": null, \"token\": null}` whether or not the address was free.")
            .request_schema(registration)
            .response_schema(json!({ "anyOf": [
                schemas::signed_in(),
                schemas::object([
                    ("user", json!({ "type": "null" }), true),
                    ("token", json!({ "type": "null" }), true),
                ]),
            ] }))
            .errors([
                refusal::invalid_challenge(),
                refusal::registration_failed(""),
                refusal::already_registered(),
                refusal::not_discoverable(),
                refusal::invalid_name(),
                Error::InvalidEmail,
                Error::UserAlreadyExists,
            ]),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
