//! HTTP handlers of the social sign-in plugin.

use std::sync::Arc;

use nanoauth::{AuthUser, EndpointRequest, Error, Reply};
use serde::Deserialize;

use crate::api::{Authorization, OAuthApi};
use crate::callback::{CallbackOutcome, CallbackParams};
use crate::error::OAuthError;
use crate::flow::{self, BINDING_COOKIE};
use crate::plugin::{OAuth, OAuthAdapter};

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub(crate) struct StartBody {
    /// Where to go once signed in (a path here, or a trusted origin).
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
    /// Where to go when it fails, with `error=CODE` (`callbackURL` by
    /// default).
    #[serde(default, rename = "errorCallbackURL")]
    error_callback_url: Option<String>,
}

fn root() -> String {
    "/".to_owned()
}

/// `{}` means "come back to `/`".
fn start_body<U: AuthUser, A: OAuthAdapter<U>>(
    request: &EndpointRequest<U, A>,
) -> Result<StartBody, Error> {
    request.json()
}

fn provider_param<U: AuthUser, A: OAuthAdapter<U>>(
    request: &EndpointRequest<U, A>,
) -> Result<String, Error> {
    Ok(request
        .param("provider")
        .ok_or(OAuthError::ProviderNotFound)?
        .to_owned())
}

/// `{url, redirect: true}`, and the browser binding in its cookie.
fn redirect_answer(start: &Authorization) -> Result<Reply, Error> {
    Reply::json(&serde_json::json!({ "url": start.url, "redirect": true }))?.with_cookie(
        BINDING_COOKIE,
        &start.browser_binding,
        flow::TTL,
    )
}

pub(crate) async fn sign_in<U: AuthUser, A: OAuthAdapter<U>>(
    plugin: Arc<OAuth<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let provider = provider_param(&request)?;
    let body = start_body(&request)?;
    let start = OAuthApi::bound(request.auth(), plugin)
        .authorization_url(
            &provider,
            &body.callback_url,
            body.error_callback_url.as_deref(),
            None,
        )
        .await?;
    redirect_answer(&start)
}

pub(crate) async fn link<U: AuthUser, A: OAuthAdapter<U>>(
    plugin: Arc<OAuth<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    // Linking adds a way into the account: not for a session signed in
    // long ago (stolen, or left open on a shared computer).
    let session = request.require_fresh_session().await?;
    let provider = provider_param(&request)?;
    let body = start_body(&request)?;
    let start = OAuthApi::bound(request.auth(), plugin)
        .authorization_url(
            &provider,
            &body.callback_url,
            body.error_callback_url.as_deref(),
            Some(session.user.id()),
        )
        .await?;
    redirect_answer(&start)
}

/// A person's browser arrives here from the provider: the answer is a
/// redirect whatever happens, never an error page.
pub(crate) async fn callback<U: AuthUser, A: OAuthAdapter<U>>(
    plugin: Arc<OAuth<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let provider = provider_param(&request)?;
    let mut params = CallbackParams::from_query(request.parts().uri.query());
    params.browser_binding = request.cookie(BINDING_COOKIE).map(str::to_owned);
    // Only a link needs the session; a broken store must not stop a sign-in.
    let session = request.session().await.ok().flatten();
    let outcome = OAuthApi::bound(request.auth(), plugin)
        .callback(&provider, &params, session.as_ref(), request.client())
        .await;
    let reply = match outcome {
        CallbackOutcome::SignedIn {
            signed_in,
            redirect_to,
        } => Reply::signed_in_redirect(signed_in, &redirect_to),
        CallbackOutcome::Linked { redirect_to, .. } => Reply::redirect(&redirect_to),
        CallbackOutcome::Failed { error, redirect_to } => {
            Reply::redirect(&with_error(&redirect_to, error.code()))
        }
    }?;
    // The binding has served (or the flow is gone): drop it.
    Ok(if params.browser_binding.is_some() {
        reply.clearing_cookie(BINDING_COOKIE)
    } else {
        reply
    })
}

pub(crate) async fn unlink<U: AuthUser, A: OAuthAdapter<U>>(
    plugin: Arc<OAuth<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let provider = provider_param(&request)?;
    OAuthApi::bound(request.auth(), plugin)
        .unlink(session.user.id(), &provider)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn list_accounts<U: AuthUser, A: OAuthAdapter<U>>(
    plugin: Arc<OAuth<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let accounts = OAuthApi::bound(request.auth(), plugin)
        .list_accounts(session.user.id())
        .await?;
    Reply::json(&accounts)
}

/// `url` with `error=code` added to its query, before any fragment.
fn with_error(url: &str, code: &str) -> String {
    nanoauth::utils::url::with_param(url, "error", code)
}

#[cfg(test)]
mod tests {
    use super::with_error;

    #[test]
    fn error_goes_into_the_query() {
        assert_eq!(with_error("/", "ACCESS_DENIED"), "/?error=ACCESS_DENIED");
        assert_eq!(with_error("/a?b=1#top", "X"), "/a?b=1&error=X#top");
    }
}
