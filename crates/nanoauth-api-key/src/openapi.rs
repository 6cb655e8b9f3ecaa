//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{AuthUser, Endpoint, Error, RecordAdapter};
use schemars::JsonSchema;

use crate::api::{ApiKey, NewApiKey, key_not_found};
use crate::endpoints::{DeleteBody, UpdateBody, session_required};

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

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: RecordAdapter<U>>(
    endpoint: Endpoint<U, A>,
) -> Endpoint<U, A> {
    let managed = |doc: EndpointDoc| {
        doc.session()
            .error(session_required())
            .description("From a signed-in session only: a request made with an API key is refused (`SESSION_REQUIRED`), so a leaked key cannot mint or change keys.")
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/api-key/create") => managed(
            EndpointDoc::new("Creates an API key")
                .request::<NewApiKey>()
                .response::<Created>()
                .error(crate::api::too_many_keys(0)),
        ),
        ("GET", "/api-key/list") => {
            managed(EndpointDoc::new("The user's API keys").response::<Vec<ApiKey>>())
        }
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
