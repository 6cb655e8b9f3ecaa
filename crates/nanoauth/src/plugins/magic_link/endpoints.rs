//! HTTP handlers of the magic-link plugin.

use std::sync::Arc;

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;
use crate::adapter::{CreateUserAdapter, EmailVerificationAdapter, VerificationAdapter};
use crate::{EndpointRequest, Reply};

use super::{MagicLink, MagicLinkApi};
use crate::AuthUser;
use crate::plugins::link_page;
use crate::utils::url;

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct SendBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
    /// The rest: sign-up fields, for sign-up on first use.
    #[serde(flatten)]
    fields: Map<String, Value>,
}

fn root() -> String {
    "/".to_owned()
}

pub(super) async fn send<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<MagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SendBody = request.json()?;
    MagicLinkApi::bound(request.auth(), plugin)
        .send_with_fields(&body.email, &body.callback_url, body.fields)
        .await?;
    Ok(Reply::success())
}

/// The link's fields, posted by its page's form (or as JSON by code).
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct LinkBody {
    token: String,
    #[serde(rename = "callbackURL")]
    callback_url: Option<String>,
}

/// `GET` of the link with `LinkConfirmation::Post`: the page that posts
/// it back. Uses nothing up, so it is declared safe (and `HEAD` runs it).
pub(super) async fn page<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    _plugin: Arc<MagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let query = request.parts().uri.query();
    let callback = url::query_param(query, "callbackURL").unwrap_or_else(root);
    // Checked here too, so the page never posts to a redirect we refuse.
    let callback = request.auth().check_redirect(&callback)?;
    let token = url::query_param(query, "token").unwrap_or_default();
    link_page::confirm(
        &request,
        &[("token", &token), ("callbackURL", &callback)],
        Some(&callback),
        &link_page::SIGN_IN,
    )
}

/// `GET` of the link with `LinkConfirmation::Get`: follows it at once
/// (`302`).
pub(super) async fn verify_on_get<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<MagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let query = request.parts().uri.query();
    let token = url::query_param(query, "token").unwrap_or_default();
    let callback = url::query_param(query, "callbackURL").unwrap_or_else(root);
    follow(plugin, &request, &token, &callback, StatusCode::FOUND).await
}

/// `POST` of the link (its page's form, or code): follows it (`303`).
pub(super) async fn verify<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<MagicLink>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: LinkBody = request.fields()?;
    let callback = body.callback_url.unwrap_or_else(root);
    follow(
        plugin,
        &request,
        &body.token,
        &callback,
        StatusCode::SEE_OTHER,
    )
    .await
}

/// Uses the link up and signs in: a redirect either way (`status`), since a
/// person followed it.
async fn follow<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<MagicLink>,
    request: &EndpointRequest<U, A>,
    token: &str,
    callback: &str,
    status: StatusCode,
) -> Result<Reply, Error> {
    // The callback was checked when the link was made, but the request is
    // in the clicker's hands: check it again.
    let callback = request.auth().check_redirect(callback)?;
    let reply = match MagicLinkApi::bound(request.auth(), plugin)
        .verify(token, request.client())
        .await
    {
        Ok(signed_in) => Reply::signed_in_redirect(signed_in, &callback)?,
        Err(error @ (Error::InvalidToken | Error::TokenExpired)) => {
            Reply::redirect(&url::with_param(&callback, "error", error.code()))?
        }
        Err(error) => return Err(error),
    };
    Ok(reply.with_status(status))
}

/// The plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    endpoint: crate::Endpoint<U, A>,
) -> crate::Endpoint<U, A> {
    use crate::openapi::{EndpointDoc, schemas};
    let signed_in = "To `callbackURL` with the session cookie set (or to a sign-in step's page), or with `error=CODE`.";
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/signin/magic-link") => EndpointDoc::new("Mails a sign-in link")
            .description("Answers the same whether or not the address has an account. Fields other than `email` and `callbackURL` are sign-up fields, for an account made on first use.")
            .request::<SendBody>()
            .response_schema(schemas::success())
            .errors([Error::InvalidEmail, Error::InvalidRedirect]),
        ("GET", "/magic/verify") if endpoint.is_safe() => EndpointDoc::new("The page of a sign-in link")
            .description("Posts the link back, so that a mail scanner's visit uses nothing up.")
            .query("token", "The link's token.", true)
            .query("callbackURL", "Where to go once signed in.", false)
            .page("A page that posts the link back.")
            .error(Error::InvalidRedirect),
        ("GET", "/magic/verify") => EndpointDoc::new("Follows a sign-in link")
            .query("token", "The link's token.", true)
            .query("callbackURL", "Where to go once signed in.", false)
            .redirect(http::StatusCode::FOUND, signed_in)
            .errors([Error::InvalidRedirect, Error::EmailNotVerified]),
        ("POST", "/magic/verify") => EndpointDoc::new("Follows a sign-in link")
            .request::<LinkBody>()
            .redirect(http::StatusCode::SEE_OTHER, signed_in)
            .errors([Error::InvalidRedirect, Error::EmailNotVerified]),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
