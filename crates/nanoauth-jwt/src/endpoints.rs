//! HTTP handlers: the exports of `api.rs` as JSON.

use std::sync::Arc;

use nanoauth::{AuthUser, EndpointRequest, Error, RecordAdapter, Reply};

use crate::api::JwtApi;
use crate::plugin::Jwt;

/// `GET /token`: `{token}` for the signed-in user. A session made from an
/// API key is accepted (the token says so), since services and scripts are
/// who call other services.
pub(crate) async fn token<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Jwt<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    let session = request.require_session().await?;
    let token = JwtApi::bound(request.auth(), plugin)
        .token(&session)
        .await?;
    Reply::json(&serde_json::json!({ "token": token }))
}

/// `GET /jwks`: the public keys, for anyone.
pub(crate) async fn jwks<U: AuthUser, A: RecordAdapter<U>>(
    plugin: Arc<Jwt<U>>,
    request: EndpointRequest<U, A>,
) -> Result<Reply, Error> {
    // Public and the same for everyone: the route is declared cacheable
    // (for less than a token lifetime, see `Jwt::jwks_max_age`).
    let jwks = JwtApi::bound(request.auth(), plugin).jwks().await?;
    Reply::json(&jwks)
}
