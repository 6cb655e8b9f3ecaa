//! HTTP handlers: JSON in, the exports of `api.rs`, JSON out.

use std::sync::Arc;

use nanoauth::{AuthUser, EndpointRequest, Error, Reply, Session};
use serde::Deserialize;

use crate::api::{Factor, TwoFactorApi};
use crate::plugin::{CHALLENGE_COOKIE, TwoFactor, TwoFactorAdapter};

/// Password checks share the email/password plugin's lockout: both guess
/// the same password.
const PASSWORD_CHECK: &str = "password";

#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Reauthentication {
    /// The account's password.
    #[serde(default)]
    password: Option<String>,
    /// A current code from the authenticator app (accounts without a
    /// password).
    #[serde(default)]
    code: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CodeBody {
    /// The code.
    code: String,
    /// Skip the second factor on this browser for a while.
    #[serde(default)]
    trust_device: bool,
}

#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeviceBody {
    /// The trusted device's `id` (from `GET /two-factor/status`).
    id: String,
}

/// The body, or an empty one for clients that send none.
fn body_or_default<T: for<'de> Deserialize<'de>, U: AuthUser, A: TwoFactorAdapter<U>>(
    request: &EndpointRequest<U, A>,
    empty: T,
) -> Result<T, Error> {
    if request.body().is_empty() {
        Ok(empty)
    } else {
        request.json()
    }
}

/// Checks the body's password (counted like sign-in's), a fresh session,
/// or the body's code, as [`TwoFactorApi::reauthenticate`] says.
async fn reauthenticate<U: AuthUser, A: TwoFactorAdapter<U>>(
    api: &TwoFactorApi<'_, U, A>,
    request: &EndpointRequest<U, A>,
    session: &Session<U>,
) -> Result<(), Error> {
    let body = body_or_default(
        request,
        Reauthentication {
            password: None,
            code: None,
        },
    )?;
    let lockout = request
        .auth()
        .lockout(PASSWORD_CHECK, session.user.email(), request.parts());
    lockout.check().await?;
    match api
        .reauthenticate(session, body.password.as_deref(), body.code.as_deref())
        .await
    {
        Ok(()) => lockout.clear().await,
        Err(Error::InvalidPassword) => {
            lockout.record_failure().await?;
            Err(Error::InvalidPassword)
        }
        Err(error) => Err(error),
    }
}

pub(crate) async fn enable<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    reauthenticate(&api, &request, &session).await?;
    let enrolment = api.enable(&session.user).await?;
    Reply::json(&serde_json::json!({
        "totpURI": enrolment.totp_uri.as_str(),
        "backupCodes": enrolment.backup_codes,
    }))
}

/// A signed-in user with a pending enrolment confirms it; otherwise the
/// code answers the sign-in challenge in the cookie.
pub(crate) async fn verify_totp<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: CodeBody = request.json()?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    if let Some(session) = request.session().await?
        && api.status(&session.user).await?.pending
    {
        api.confirm(&session.user, &body.code).await?;
        return Reply::json(&serde_json::json!({ "enabled": true }));
    }
    answer_challenge(&api, &request, Factor::Totp(&body.code), body.trust_device).await
}

pub(crate) async fn verify_backup_code<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: CodeBody = request.json()?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    answer_challenge(
        &api,
        &request,
        Factor::BackupCode(&body.code),
        body.trust_device,
    )
    .await
}

pub(crate) async fn verify_otp<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: CodeBody = request.json()?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    answer_challenge(
        &api,
        &request,
        Factor::EmailCode(&body.code),
        body.trust_device,
    )
    .await
}

async fn answer_challenge<U: AuthUser, A: TwoFactorAdapter<U>>(
    api: &TwoFactorApi<'_, U, A>,
    request: &EndpointRequest<U, A>,
    factor: Factor<'_>,
    trust_device: bool,
) -> Result<Reply, Error> {
    let token = request
        .cookie(CHALLENGE_COOKIE)
        .ok_or_else(crate::refusal::invalid_challenge)?;
    let verified = api
        .verify_challenge(token, factor, request.client(), trust_device)
        .await?;
    let mut reply = Reply::signed_in(verified.outcome)?.clearing_cookie(CHALLENGE_COOKIE);
    if let Some(device) = verified.device_token {
        let (name, max_age) = api.device_cookie()?;
        reply = reply.with_cookie(name, &device, max_age)?;
    }
    Ok(reply)
}

pub(crate) async fn send_otp<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let token = request
        .cookie(CHALLENGE_COOKIE)
        .ok_or_else(crate::refusal::invalid_challenge)?;
    TwoFactorApi::bound(request.auth(), plugin)
        .send_email_code(token)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn disable<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    reauthenticate(&api, &request, &session).await?;
    api.disable(&session.user).await?;
    Reply::json(&serde_json::json!({ "enabled": false }))
}

pub(crate) async fn backup_codes<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let api = TwoFactorApi::bound(request.auth(), plugin);
    reauthenticate(&api, &request, &session).await?;
    let codes = api.regenerate_backup_codes(&session.user).await?;
    Reply::json(&serde_json::json!({ "backupCodes": codes }))
}

pub(crate) async fn status<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let status = TwoFactorApi::bound(request.auth(), plugin)
        .status(&session.user)
        .await?;
    Reply::json(&status)
}

pub(crate) async fn revoke_device<U: AuthUser, A: TwoFactorAdapter<U>>(
    plugin: Arc<TwoFactor>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: DeviceBody = request.json()?;
    let session = request.require_session().await?;
    let revoked = TwoFactorApi::bound(request.auth(), plugin)
        .revoke_trusted_device(session.user.id(), &body.id)
        .await?;
    if revoked {
        Ok(Reply::success())
    } else {
        Err(device_not_found())
    }
}

/// `404 DEVICE_NOT_FOUND`.
pub(crate) fn device_not_found() -> Error {
    Error::plugin(
        http::StatusCode::NOT_FOUND,
        "DEVICE_NOT_FOUND",
        "No such trusted device.",
    )
}
