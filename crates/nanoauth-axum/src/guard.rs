//! A middleware that answers 401 unless the request has a session.

use axum::extract::Request;
use axum::http::header::SET_COOKIE;
use axum::middleware::Next;
use axum::response::Response;
use nanoauth::AuthUser;

use crate::extract::Session;
use crate::source::SessionHandle;

/// Guards routes: `401 UNAUTHORIZED` (JSON) without a valid session.
/// When the lookup slid the session's expiry, the renewed cookie is added to
/// the response.
///
/// ```
/// use axum::{Router, middleware, routing::get};
/// use nanoauth::BasicUser;
/// use nanoauth_axum::require_session;
///
/// let private: Router = Router::new()
///     .route("/dashboard", get(|| async { "private" }))
///     .route_layer(middleware::from_fn(require_session::<BasicUser>));
/// ```
pub async fn require_session<U: AuthUser>(
    Session(session): Session<U>,
    request: Request,
    next: Next,
) -> Response {
    let cookie = request
        .extensions()
        .get::<SessionHandle<U>>()
        .and_then(|handle| handle.0.refreshed_cookie(&session).ok().flatten());
    let mut response = next.run(request).await;
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}
