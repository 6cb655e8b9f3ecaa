//! HTTP handlers: JSON in, the exports of `api.rs`, JSON out.

use std::sync::Arc;

use nanoauth::{AuthUser, EndpointRequest, Error, RecordAdapter, Reply, Session};
use serde::Deserialize;

use crate::api::{ApiKeyChange, ApiKeysApi, NewApiKey};
use crate::plugin::ApiKeys;

/// Keys are managed from a signed-in session, never with a key: a leaked
/// key must not be able to mint or change keys.
async fn signed_in<U: AuthUser, A: RecordAdapter<U>>(
    request: &EndpointRequest<U, A>,
) -> Result<Session<U>, Error> {
    let session = request.require_session().await?;
    if session.credential().is_some() {
        return Err(session_required());
    }
    Ok(session)
}

/// `403 SESSION_REQUIRED`: keys are managed from a session, not a key.
pub(crate) fn session_required() -> Error {
    Error::plugin(
        http::StatusCode::FORBIDDEN,
        "SESSION_REQUIRED",
        "Sign in to manage API keys; an API key cannot.",
    )
}

pub(crate) async fn create<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let new: NewApiKey = request.json()?;
    let session = signed_in(&request).await?;
    let created = ApiKeysApi::bound(request.auth(), plugin)
        .create(&session.user, new)
        .await?;
    Reply::json(&serde_json::json!({ "key": created.key, "apiKey": created.api_key }))
}

pub(crate) async fn list<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = signed_in(&request).await?;
    let keys = ApiKeysApi::bound(request.auth(), plugin)
        .list(session.user.id())
        .await?;
    Reply::json(&keys)
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct UpdateBody {
    /// The key's `id`.
    key_id: String,
    #[serde(flatten)]
    change: ApiKeyChange,
}

pub(crate) async fn update<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UpdateBody = request.json()?;
    let session = signed_in(&request).await?;
    let api_key = ApiKeysApi::bound(request.auth(), plugin)
        .update(session.user.id(), &body.key_id, body.change)
        .await?;
    Reply::json(&serde_json::json!({ "apiKey": api_key }))
}

#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct DeleteBody {
    /// The key's `id`.
    key_id: String,
}

pub(crate) async fn delete<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: DeleteBody = request.json()?;
    let session = signed_in(&request).await?;
    ApiKeysApi::bound(request.auth(), plugin)
        .delete(session.user.id(), &body.key_id)
        .await?;
    Ok(Reply::success())
}
