//! The plugin's endpoints in the API description (feature `openapi`).

use nanoauth::openapi::{EndpointDoc, schemas};
use nanoauth::{Adapter, AuthUser, Endpoint, Error};
use serde_json::json;

use crate::api::LinkedAccount;
use crate::endpoints::StartBody;
use crate::error::OAuthError;

/// The endpoint, described.
pub(crate) fn describe<U: AuthUser, A: Adapter<U>>(endpoint: Endpoint<U, A>) -> Endpoint<U, A> {
    let start = || {
        schemas::object([
            (
                "url",
                json!({ "type": "string", "description": "The provider's authorization URL: send the browser there." }),
                true,
            ),
            ("redirect", json!({ "const": true }), true),
        ])
    };
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/signin/{provider}") => EndpointDoc::new("Starts a sign-in with a provider")
            .description("Answers the provider's URL and sets a short-lived cookie that binds the flow to this browser. `{}` comes back to `/`.")
            .request::<StartBody>()
            .response_schema(start())
            .errors([Error::from(OAuthError::ProviderNotFound), Error::InvalidRedirect, Error::from(OAuthError::ProviderError), Error::from(OAuthError::ProviderUnavailable)]),
        ("GET", "/callback/{provider}") => EndpointDoc::new("Where the provider sends the browser back")
            .description("Always a redirect: signed in (the session cookie set), linked, or to the error callback with `error=CODE`.")
            .query("state", "The flow's state.", false)
            .query("code", "The authorization code.", false)
            .query("error", "The provider's error, if any.", false)
            .redirect(http::StatusCode::FOUND, "To the flow's callback, or its error callback with `error=CODE`.")
            .error(Error::from(OAuthError::ProviderNotFound)),
        ("POST", "/link/{provider}") => EndpointDoc::new("Starts linking a provider account to the signed-in user")
            .description("Needs a fresh session: linking adds a way into the account.")
            .request::<StartBody>()
            .session()
            .response_schema(start())
            .errors([Error::SessionNotFresh, Error::from(OAuthError::ProviderNotFound), Error::InvalidRedirect, Error::from(OAuthError::ProviderError), Error::from(OAuthError::ProviderUnavailable)]),
        ("POST", "/unlink/{provider}") => EndpointDoc::new("Unlinks a provider account")
            .description("Refused for the last way into an account without a password.")
            .session()
            .response_schema(schemas::success())
            .errors([Error::from(OAuthError::AccountNotFound), Error::from(OAuthError::LastAccount), Error::from(OAuthError::ProviderNotFound)]),
        ("GET", "/list-accounts") => EndpointDoc::new("The user's linked provider accounts")
            .session()
            .response::<Vec<LinkedAccount>>(),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
