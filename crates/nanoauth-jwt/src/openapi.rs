//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{AuthUser, Endpoint, RecordAdapter};
use serde_json::json;

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: RecordAdapter<U>>(
    endpoint: Endpoint<U, A>,
) -> Endpoint<U, A> {
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("GET", "/token") => EndpointDoc::new("A short-lived JWT for other services")
            .description("Signed with the current key of `GET /jwks`; never accepted as a session here. A session made from an API key is accepted, and the token says so.")
            .session()
            .response_schema(schemas::object([("token", schemas::string(), true)])),
        ("GET", "/jwks") => EndpointDoc::new("The public keys that verify those JWTs (a JWK Set)")
            .description("Keys are published from before they sign until their last token has expired. Cached publicly.")
            .response_schema(schemas::object([(
                "keys",
                schemas::array(json!({
                    "type": "object",
                    "required": ["kty", "kid"],
                    "properties": {
                        "kty": { "type": "string" },
                        "kid": { "type": "string" },
                        "alg": { "type": "string" },
                        "use": { "type": "string" }
                    }
                })),
                true,
            )])),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
