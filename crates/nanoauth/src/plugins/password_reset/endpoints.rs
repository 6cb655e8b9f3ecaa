//! HTTP handlers of the password-reset plugin.

use std::sync::Arc;

use serde::Deserialize;

use crate::Error;
use crate::adapter::{EmailVerificationAdapter, PasswordAdapter, VerificationAdapter};
use crate::{EndpointRequest, Reply};

use super::{PasswordReset, PasswordResetApi};
use crate::AuthUser;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestBody {
    email: String,
    redirect_to: String,
}

#[derive(Deserialize)]
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
