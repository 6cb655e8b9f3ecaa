//! HTTP handlers of the password-reset plugin.

use std::sync::Arc;

use serde::Deserialize;

use crate::Error;
use crate::adapter::{EmailVerificationAdapter, PasswordAdapter, VerificationAdapter};
use crate::{EndpointRequest, Reply};

use super::{PasswordReset, PasswordResetApi};
use crate::AuthUser;

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct RequestBody {
    #[cfg_attr(feature = "openapi", schemars(email))]
    email: String,
    redirect_to: String,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
struct ResetBody {
    token: String,
    new_password: String,
}

pub(super) async fn request<
    U: AuthUser,
    A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<PasswordReset>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: RequestBody = request.json()?;
    PasswordResetApi::bound(request.auth(), plugin)
        .request(&body.email, &body.redirect_to)
        .await?;
    Ok(Reply::success())
}

pub(super) async fn reset<
    U: AuthUser,
    A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>,
>(
    plugin: Arc<PasswordReset>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: ResetBody = request.json()?;
    PasswordResetApi::bound(request.auth(), plugin)
        .reset(&body.token, &body.new_password)
        .await?;
    Ok(Reply::success())
}

/// The plugin's endpoints, described for the API description.
#[cfg(feature = "openapi")]
pub(super) fn describe<
    U: AuthUser,
    A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>,
>(
    endpoint: crate::Endpoint<U, A>,
) -> crate::Endpoint<U, A> {
    use crate::openapi::{EndpointDoc, schemas};
    let doc = match (endpoint.method().as_str(), endpoint.path()) {
        ("POST", "/request-password-reset") => EndpointDoc::new("Mails a password-reset link")
            .description("Answers the same whether or not the address has an account.")
            .request::<RequestBody>()
            .response_schema(schemas::success())
            .errors([Error::InvalidEmail, Error::InvalidRedirect]),
        ("POST", "/reset-password") => {
            EndpointDoc::new("Sets a new password with a reset link's token")
                .description("Revokes every session of the user.")
                .request::<ResetBody>()
                .response_schema(schemas::success())
                .errors([
                    Error::InvalidToken,
                    Error::TokenExpired,
                    Error::PasswordTooShort { min: 0 },
                    Error::PasswordTooLong { max: 0 },
                ])
        }
        _ => return endpoint,
    };
    endpoint.describe(doc)
}
