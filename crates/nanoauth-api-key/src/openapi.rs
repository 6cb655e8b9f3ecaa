//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{AuthUser, Endpoint, Error, RecordAdapter};
use schemars::JsonSchema;

use crate::api::{ApiKey, key_not_found, user_not_found};
use crate::authority::{forbidden, organization_keys_unavailable};
use crate::endpoints::{CreateBody, DeleteBody, UpdateBody, session_required};

/// `POST /api-key/create`'s answer.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // A description of the wire shape, never built.
struct Created {
    /// The key: shown this once, never stored.
    key: String,
    /// What lists show of it.
    api_key: ApiKey,
}

/// `POST /api-key/update`'s answer.
#[derive(JsonSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Updated {
    api_key: ApiKey,
}

/// `404 ORGANIZATION_NOT_FOUND`, as the organization plugin answers it
/// (this crate may be built without it).
fn organization_not_found() -> Error {
    Error::plugin(
        http::StatusCode::NOT_FOUND,
        "ORGANIZATION_NOT_FOUND",
        "No such organization.",
    )
}

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: RecordAdapter<U>>(
    endpoint: Endpoint<U, A>,
) -> Endpoint<U, A> {
    let managed = |doc: EndpointDoc| {
        doc.session()
            .error(session_required())
            .error(forbidden())
            .error(organization_not_found())
            .error(organization_keys_unavailable())
            .description("From a signed-in session only: a request made with an API key is refused (`SESSION_REQUIRED`), so a leaked key cannot mint or change keys. The owner is the signed-in user unless one of `organizationId` (the organization's `apiKey` permission), `userId` or `serviceName` (administrators) names another; anyone else is refused `403 FORBIDDEN`.")
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/api-key/create") => managed(
            EndpointDoc::new("Creates an API key")
                .request::<CreateBody>()
                .response::<Created>()
                .error(crate::api::too_many_keys(0))
                .error(user_not_found()),
        ),
        ("GET", "/api-key/list") => managed(
            EndpointDoc::new("The API keys of the user, an organization or a service identity")
                .query(
                    "organizationId",
                    "An organization's keys (`apiKey:read`).",
                    false,
                )
                .query("userId", "Another user's keys (administrators).", false)
                .query(
                    "serviceName",
                    "A service identity's keys (administrators).",
                    false,
                )
                .response::<Vec<ApiKey>>()
                .error(Error::InvalidBody(String::new())),
        ),
        ("POST", "/api-key/update") => managed(
            EndpointDoc::new("Renames, turns on or off, or re-dates an API key")
                .request::<UpdateBody>()
                .response::<Updated>()
                .error(key_not_found())
                .error(Error::Adapter(nanoauth::AdapterError::Conflict)),
        ),
        ("POST", "/api-key/delete") => managed(
            EndpointDoc::new("Deletes an API key")
                .request::<DeleteBody>()
                .response_schema(schemas::success())
                .error(key_not_found()),
        ),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
