//! HTTP handlers: JSON in, the exports of `api.rs`, JSON out.

use std::sync::Arc;

use nanoauth::utils::url::query_param;
use nanoauth::{AuthUser, EndpointRequest, Error, RecordAdapter, Reply, Session};
use serde::Deserialize;

use crate::api::{ApiKeyChange, ApiKeysApi, KeyActor, KeyRateLimit, NewApiKey};
use crate::owner::KeyOwner;
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

/// The owner a request names (at most one of the three), else the
/// signed-in user.
fn owner_named(
    session_user: &str,
    organization_id: Option<String>,
    user_id: Option<String>,
    service_name: Option<String>,
) -> Result<KeyOwner, Error> {
    match (organization_id, user_id, service_name) {
        (None, None, None) => Ok(KeyOwner::user(session_user)),
        (Some(id), None, None) => Ok(KeyOwner::organization(id)),
        (None, Some(id), None) => Ok(KeyOwner::user(id)),
        (None, None, Some(name)) => Ok(KeyOwner::service(name)),
        _ => Err(Error::InvalidBody(
            "name at most one of organizationId, userId and serviceName".into(),
        )),
    }
}

/// `POST /api-key/create`'s body.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct CreateBody {
    /// A name for lists ("deploy script"), 1 to 100 characters.
    name: String,
    /// Seconds until it stops working; absent: never.
    #[serde(default)]
    expires_in: Option<u64>,
    /// Scopes, as the application defines them.
    #[serde(default)]
    permissions: Vec<String>,
    /// Its own limit on requests.
    #[serde(default)]
    rate_limit: Option<KeyRateLimit>,
    /// The application's own data about it (at most 4 KiB of JSON).
    #[serde(default)]
    metadata: Option<serde_json::Value>,
    /// An organization's key (needs its `apiKey:create` permission); the
    /// key signs in as the creating member with the organization attached.
    #[serde(default)]
    organization_id: Option<String>,
    /// Another user's key (administrators only).
    #[serde(default)]
    user_id: Option<String>,
    /// A service identity's key, with no user (administrators only).
    #[serde(default)]
    service_name: Option<String>,
}

pub(crate) async fn create<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: CreateBody = request.json()?;
    let session = signed_in(&request).await?;
    let owner = owner_named(
        session.user.id(),
        body.organization_id,
        body.user_id,
        body.service_name,
    )?;
    let new = NewApiKey {
        name: body.name,
        expires_in: body.expires_in,
        permissions: body.permissions,
        rate_limit: body.rate_limit,
        metadata: body.metadata,
    };
    let created = ApiKeysApi::bound(request.auth(), plugin)
        .create_for(KeyActor::User(&session.user), owner, new)
        .await?;
    Reply::json(&serde_json::json!({ "key": created.key, "apiKey": created.api_key }))
}

pub(crate) async fn list<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = signed_in(&request).await?;
    let query = request.parts().uri.query();
    let named = |name: &str| query_param(query, name).filter(|value| !value.is_empty());
    let owner = owner_named(
        session.user.id(),
        named("organizationId"),
        named("userId"),
        named("serviceName"),
    )?;
    let keys = ApiKeysApi::bound(request.auth(), plugin)
        .list_for(KeyActor::User(&session.user), &owner)
        .await?;
    Reply::json(&keys)
}

/// `POST /api-key/update`'s body.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct UpdateBody {
    /// The key's `id`.
    key_id: String,
    /// A new name.
    #[serde(default)]
    name: Option<String>,
    /// Turned on or off: a disabled key is refused at once.
    #[serde(default)]
    enabled: Option<bool>,
    /// A new expiry, in seconds from now.
    #[serde(default)]
    expires_in: Option<u64>,
    /// The key is the organization's (needs `apiKey:update`).
    #[serde(default)]
    organization_id: Option<String>,
    /// The key is this user's (administrators only, unless oneself).
    #[serde(default)]
    user_id: Option<String>,
    /// The key is this service identity's (administrators only).
    #[serde(default)]
    service_name: Option<String>,
}

pub(crate) async fn update<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: UpdateBody = request.json()?;
    let session = signed_in(&request).await?;
    let owner = owner_named(
        session.user.id(),
        body.organization_id,
        body.user_id,
        body.service_name,
    )?;
    let change = ApiKeyChange {
        name: body.name,
        enabled: body.enabled,
        expires_in: body.expires_in,
    };
    let api_key = ApiKeysApi::bound(request.auth(), plugin)
        .update_for(KeyActor::User(&session.user), &owner, &body.key_id, change)
        .await?;
    Reply::json(&serde_json::json!({ "apiKey": api_key }))
}

/// `POST /api-key/delete`'s body.
#[derive(Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct DeleteBody {
    /// The key's `id`.
    key_id: String,
    /// The key is the organization's (needs `apiKey:delete`).
    #[serde(default)]
    organization_id: Option<String>,
    /// The key is this user's (administrators only, unless oneself).
    #[serde(default)]
    user_id: Option<String>,
    /// The key is this service identity's (administrators only).
    #[serde(default)]
    service_name: Option<String>,
}

pub(crate) async fn delete<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<ApiKeys>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let body: DeleteBody = request.json()?;
    let session = signed_in(&request).await?;
    let owner = owner_named(
        session.user.id(),
        body.organization_id,
        body.user_id,
        body.service_name,
    )?;
    ApiKeysApi::bound(request.auth(), plugin)
        .delete_for(KeyActor::User(&session.user), &owner, &body.key_id)
        .await?;
    Ok(Reply::success())
}
