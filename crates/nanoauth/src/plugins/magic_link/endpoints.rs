//! HTTP handlers of the magic-link plugin.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::adapter::{CreateUserAdapter, EmailVerificationAdapter, VerificationAdapter};
use crate::endpoint::{EndpointRequest, Reply};
use crate::error::Error;
use crate::user::AuthUser;
use crate::utils::url;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendBody {
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
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: SendBody = request.json()?;
    request
        .auth()
        .magic_link()
        .send_with_fields(&body.email, &body.callback_url, body.fields)
        .await?;
    Ok(Reply::success())
}

/// Follows the link: a redirect either way, since a person clicked it.
pub(super) async fn verify<
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
>(
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let query = request.parts().uri.query();
    // The callback was checked when the link was made, but the query is in
    // the clicker's hands: check it again.
    let callback = url::query_param(query, "callbackURL").unwrap_or_else(root);
    let callback = request.auth().check_redirect(&callback)?;
    let token = url::query_param(query, "token").unwrap_or_default();
    match request
        .auth()
        .magic_link()
        .verify(&token, request.client())
        .await
    {
        Ok(signed_in) => Reply::signed_in_redirect(signed_in, &callback),
        Err(error @ (Error::InvalidToken | Error::TokenExpired)) => {
            Reply::redirect(&url::with_param(&callback, "error", error.code()))
        }
        Err(error) => Err(error),
    }
}
