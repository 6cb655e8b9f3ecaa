//! HTTP handlers of the email-verification plugin.

use std::sync::Arc;

use http::StatusCode;
use serde::Deserialize;

use crate::Error;
use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::{EndpointRequest, Reply};

use super::{EmailVerification, EmailVerificationApi};
use crate::AuthUser;
use crate::plugins::link_page;
use crate::utils::url;

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
struct SendBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
}

fn root() -> String {
    "/".to_owned()
}

pub(super) async fn send<U, A>(
    plugin: Arc<EmailVerification>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: SendBody = request.json()?;
    EmailVerificationApi::bound(request.auth(), plugin)
        .send(&body.email, &body.callback_url)
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

/// `GET` of the link with `LinkConfirmation::Post`: the page that posts it
/// back. Uses nothing up, so it is declared safe (and `HEAD` runs it).
pub(super) async fn page<U, A>(
    _plugin: Arc<EmailVerification>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let query = request.parts().uri.query();
    let token = url::query_param(query, "token").unwrap_or_default();
    let mut fields = vec![("token", token.as_str())];
    // Checked here too, so the page never posts to a redirect we refuse.
    let callback = match url::query_param(query, "callbackURL") {
        Some(callback) => Some(request.auth().check_redirect(&callback)?),
        None => None,
    };
    if let Some(callback) = &callback {
        fields.push(("callbackURL", callback));
    }
    link_page::confirm(
        &request,
        &fields,
        callback.as_deref(),
        &link_page::VERIFY_EMAIL,
    )
}

/// `GET` of the link with `LinkConfirmation::Get`: follows it at once
/// (`302`, or JSON without a callback).
pub(super) async fn verify_on_get<U, A>(
    plugin: Arc<EmailVerification>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let query = request.parts().uri.query();
    let token = url::query_param(query, "token").unwrap_or_default();
    let callback = url::query_param(query, "callbackURL");
    follow(
        plugin,
        &request,
        &token,
        callback.as_deref(),
        StatusCode::FOUND,
    )
    .await
}

/// `POST` of the link (its page's form, or code): follows it (`303`, or
/// JSON without a callback).
pub(super) async fn verify<U, A>(
    plugin: Arc<EmailVerification>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: LinkBody = request.fields()?;
    let callback = body.callback_url.as_deref();
    follow(
        plugin,
        &request,
        &body.token,
        callback,
        StatusCode::SEE_OTHER,
    )
    .await
}

/// Uses the link up: a redirect (`status`) when the link names a callback
/// (a person followed it), JSON otherwise (an API call).
async fn follow<U, A>(
    plugin: Arc<EmailVerification>,
    request: &EndpointRequest<U, A>,
    token: &str,
    callback: Option<&str>,
    status: StatusCode,
) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let callback = match callback {
        Some(callback) => Some(request.auth().check_redirect(callback)?),
        None => None,
    };
    let verified = EmailVerificationApi::bound(request.auth(), plugin)
        .verify(token)
        .await;
    let back = |name, value| {
        Reply::redirect(&url::with_param(
            callback.as_deref().unwrap_or("/"),
            name,
            value,
        ))
        .map(|reply| reply.with_status(status))
    };
    match (verified, &callback) {
        (Ok(_), Some(_)) => back("verified", "true"),
        (Ok(_), None) => Ok(Reply::success()),
        (Err(error @ (Error::InvalidToken | Error::TokenExpired)), Some(_)) => {
            back("error", error.code())
        }
        (Err(error), _) => Err(error),
    }
}

/// The plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<U, A>(endpoint: crate::Endpoint<U, A>) -> crate::Endpoint<U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    use crate::openapi::{EndpointDoc, schemas};
    let link_errors = [
        Error::InvalidToken,
        Error::TokenExpired,
        Error::InvalidRedirect,
    ];
    let back = "To `callbackURL` with `verified=true` or `error=CODE`.";
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("GET", "/verify-email") if endpoint.is_safe() => EndpointDoc::new("The page of a verification link")
            .description("Posts the link back, so that a mail scanner's visit uses nothing up.")
            .query("token", "The link's token.", true)
            .query("callbackURL", "Where to go afterwards.", false)
            .page("A page that posts the link back.")
            .error(Error::InvalidRedirect),
        ("GET", "/verify-email") => EndpointDoc::new("Follows a verification link")
            .query("token", "The link's token.", true)
            .query("callbackURL", "Where to go afterwards.", false)
            .response_schema(schemas::success())
            .redirect(http::StatusCode::FOUND, back)
            .errors(link_errors),
        ("POST", "/verify-email") => EndpointDoc::new("Follows a verification link")
            .description("Without `callbackURL`, answers JSON; with one, `303` there.")
            .request::<LinkBody>()
            .response_schema(schemas::success())
            .redirect(http::StatusCode::SEE_OTHER, back)
            .errors(link_errors),
        ("POST", "/send-verification-email") => EndpointDoc::new("Mails a verification link")
            .description("Answers the same whether or not the address has an account or is verified already.")
            .request::<SendBody>()
            .response_schema(schemas::success())
            .errors([Error::InvalidEmail, Error::InvalidRedirect]),
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
