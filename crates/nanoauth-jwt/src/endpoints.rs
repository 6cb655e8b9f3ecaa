//! HTTP handlers: the exports of `api.rs` as JSON.

use std::sync::Arc;

use http::{HeaderValue, header};
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
    let max_age = plugin.jwks_max_age();
    let jwks = JwtApi::bound(request.auth(), plugin).jwks().await?;
    // Public and the same for everyone; cached for less than a token
    // lifetime, so a cache never hides a key whose tokens are live.
    let cache_control =
        HeaderValue::from_str(&format!("public, max-age={max_age}")).map_err(Error::internal)?;
    Reply::json(&jwks)?.with_header(header::CACHE_CONTROL, cache_control)
}
