//! HTTP handlers of the email-verification plugin.

use serde::Deserialize;

use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::endpoint::{EndpointRequest, Reply};
use crate::error::Error;
use crate::user::AuthUser;
use crate::utils::url;

#[derive(Deserialize)]
struct SendBody {
    email: String,
    #[serde(default = "root", rename = "callbackURL")]
    callback_url: String,
}

fn root() -> String {
    "/".to_owned()
}

pub(super) async fn send<U, A>(request: EndpointRequest<U, A>) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let body: SendBody = request.json()?;
    request
        .auth()
        .email_verification()
        .send(&body.email, &body.callback_url)
        .await?;
    Ok(Reply::success())
}

/// Follows the link: a redirect when the link names a callback (a person
/// clicked it), JSON otherwise.
pub(super) async fn verify<U, A>(request: EndpointRequest<U, A>) -> Result<Reply, Error>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    let query = request.parts().uri.query();
    let callback = match url::query_param(query, "callbackURL") {
        Some(callback) => Some(request.auth().check_redirect(&callback)?),
        None => None,
    };
    let token = url::query_param(query, "token").unwrap_or_default();
    let verified = request.auth().email_verification().verify(&token).await;
    match (verified, callback) {
        (Ok(_), Some(callback)) => Reply::redirect(&url::with_param(&callback, "verified", "true")),
        (Ok(_), None) => Ok(Reply::success()),
        (Err(error @ (Error::InvalidToken | Error::TokenExpired)), Some(callback)) => {
            Reply::redirect(&url::with_param(&callback, "error", error.code()))
        }
        (Err(error), _) => Err(error),
    }
}
