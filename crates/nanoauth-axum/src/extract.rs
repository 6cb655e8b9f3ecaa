//! Extractors for the signed-in user.

use axum::body::Body;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use nanoauth::{AuthUser, Error};

use crate::source::SessionHandle;

/// The signed-in user and their session; rejects with `401 UNAUTHORIZED`
/// (JSON) when the request has no valid session.
///
/// ```
/// use nanoauth::BasicUser;
/// use nanoauth_axum::Session;
///
/// async fn me(Session(session): Session<BasicUser>) -> String {
///     session.user.email
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Session<U>(pub nanoauth::Session<U>);

/// The signed-in user's session, if any; rejects only when the session
/// store fails (503).
///
/// ```
/// use nanoauth::BasicUser;
/// use nanoauth_axum::MaybeSession;
///
/// async fn home(MaybeSession(session): MaybeSession<BasicUser>) -> String {
///     session.map_or("hello, stranger".into(), |s| format!("hello, {}", s.user.name))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct MaybeSession<U>(pub Option<nanoauth::Session<U>>);

/// Why a session extractor rejected a request. Answers with NanoAuth's JSON
/// error body.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthRejection {
    /// No valid session (401 `UNAUTHORIZED`).
    Unauthorized,
    /// The session store failed (its status, e.g. 503).
    Failed(Error),
    /// The router has no `.nanoauth(auth)` layer over this route, or one
    /// for another user type: a programming error (500).
    NotMounted,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let error = match self {
            Self::Unauthorized => Error::Unauthorized,
            Self::Failed(error) => error,
            Self::NotMounted => Error::plugin(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "AUTH_NOT_MOUNTED",
                "The server is misconfigured.",
            ),
        };
        error.into_response().map(Body::from)
    }
}

/// The request's session, looked up once per request: the guard and the
/// handler's extractor share the answer.
async fn lookup<U: AuthUser>(
    parts: &mut Parts,
) -> Result<Option<nanoauth::Session<U>>, AuthRejection> {
    if let Some(cached) = parts.extensions.get::<Looked<U>>() {
        return Ok(cached.0.clone());
    }
    let handle = parts
        .extensions
        .get::<SessionHandle<U>>()
        .cloned()
        .ok_or(AuthRejection::NotMounted)?;
    let session = handle
        .0
        .get_session(&parts.headers)
        .await
        .map_err(AuthRejection::Failed)?;
    parts.extensions.insert(Looked(session.clone()));
    Ok(session)
}

#[derive(Clone)]
struct Looked<U>(Option<nanoauth::Session<U>>);

impl<U: AuthUser, S: Send + Sync> FromRequestParts<S> for Session<U> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        lookup(parts)
            .await?
            .map(Session)
            .ok_or(AuthRejection::Unauthorized)
    }
}

impl<U: AuthUser, S: Send + Sync> FromRequestParts<S> for MaybeSession<U> {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        lookup(parts).await.map(MaybeSession)
    }
}
