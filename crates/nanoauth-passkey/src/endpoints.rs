//! HTTP handlers: JSON in, the exports of `api.rs`, JSON out, in the
//! wire shapes of issue 17.

use std::sync::Arc;

use nanoauth::{AuthUser, EndpointRequest, Error, RecordAdapter, Reply};
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential};

use crate::api::{CeremonyStart, PasskeyInfo, PasskeysApi};
use crate::ceremony::{ExpectReauthentication, ExpectRegistration, ExpectSignIn, Kind};
use crate::plugin::Passkeys;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    #[serde(default)]
    name: Option<String>,
    credential: RegisterPublicKeyCredential,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssertionBody {
    credential: PublicKeyCredential,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameBody {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IdBody {
    id: String,
}

/// An options body is `{}` (or none at all): anything else is refused, so
/// that a client sending fields we would ignore learns it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

/// A passkey as the list shows it: exactly the contract's fields.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listed<'a> {
    id: &'a str,
    name: &'a str,
    created_at: u64,
    last_used_at: Option<u64>,
}

impl<'a> From<&'a PasskeyInfo> for Listed<'a> {
    fn from(info: &'a PasskeyInfo) -> Self {
        Self {
            id: &info.id,
            name: &info.name,
            created_at: info.created_at,
            last_used_at: info.last_used_at,
        }
    }
}

fn no_body<U: AuthUser, A: RecordAdapter<U>>(request: &EndpointRequest<U, A>) -> Result<(), Error> {
    if !request.body().is_empty() {
        request.json::<Empty>()?;
    }
    Ok(())
}

/// The options as JSON, and the ceremony's cookie.
pub(crate) fn options_reply<K: Kind, O: Serialize>(
    start: &CeremonyStart<O>,
) -> Result<Reply, Error> {
    Reply::json(&start.options)?.with_cookie(K::COOKIE, &start.cookie_value, start.max_age)
}

/// Registering needs a fresh session, or one a passkey re-authenticated
/// lately: adding a way in is what a stolen old session must not do.
pub(crate) async fn register_options<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    no_body(&request)?;
    let session = request.require_session().await?;
    let api = PasskeysApi::bound(request.auth(), plugin);
    if !api.is_fresh(&session).await? {
        return Err(Error::SessionNotFresh);
    }
    let start = api.registration_options(&session.user).await?;
    options_reply::<ExpectRegistration, _>(&start)
}

pub(crate) async fn register_verify<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: RegisterBody = request.json()?;
    let session = request.require_session().await?;
    let info = PasskeysApi::bound(request.auth(), plugin)
        .register(
            &session.user,
            request.cookie(ExpectRegistration::COOKIE),
            &body.credential,
            body.name.as_deref(),
        )
        .await?;
    Ok(Reply::json(&serde_json::json!({
        "passkey": {
            "id": info.id,
            "name": info.name,
            "createdAt": info.created_at,
        }
    }))?
    .clearing_cookie(ExpectRegistration::COOKIE))
}

pub(crate) async fn sign_in_options<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    no_body(&request)?;
    let start = PasskeysApi::bound(request.auth(), plugin)
        .sign_in_options()
        .await?;
    options_reply::<ExpectSignIn, _>(&start)
}

pub(crate) async fn sign_in<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: AssertionBody = request.json()?;
    let outcome = PasskeysApi::bound(request.auth(), plugin)
        .sign_in(
            request.cookie(ExpectSignIn::COOKIE),
            &body.credential,
            request.client(),
        )
        .await?;
    Ok(Reply::signed_in(outcome)?.clearing_cookie(ExpectSignIn::COOKIE))
}

pub(crate) async fn list<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let passkeys = PasskeysApi::bound(request.auth(), plugin)
        .list(&session.user)
        .await?;
    Reply::json(&passkeys.iter().map(Listed::from).collect::<Vec<_>>())
}

pub(crate) async fn rename<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: RenameBody = request.json()?;
    let session = request.require_session().await?;
    PasskeysApi::bound(request.auth(), plugin)
        .rename(&session.user, &body.id, &body.name)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn delete<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: IdBody = request.json()?;
    let session = request.require_session().await?;
    PasskeysApi::bound(request.auth(), plugin)
        .delete(&session.user, &body.id)
        .await?;
    Ok(Reply::success())
}

pub(crate) async fn reauth_options<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    no_body(&request)?;
    let session = request.require_session().await?;
    let start = PasskeysApi::bound(request.auth(), plugin)
        .reauthentication_options(&session)
        .await?;
    options_reply::<ExpectReauthentication, _>(&start)
}

pub(crate) async fn reauthenticate<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Passkeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: AssertionBody = request.json()?;
    let session = request.require_session().await?;
    let done = PasskeysApi::bound(request.auth(), plugin)
        .reauthenticate(
            &session,
            request.cookie(ExpectReauthentication::COOKIE),
            &body.credential,
        )
        .await?;
    Ok(Reply::json(&serde_json::json!({
        "verifiedAt": done.verified_at,
        "passkey": { "id": done.passkey.id, "name": done.passkey.name },
    }))?
    .clearing_cookie(ExpectReauthentication::COOKIE))
}
