//! `Session` and `MaybeSession`: the signed-in user, as handler arguments.

use std::future::Future;
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use nanoauth::AuthUser;

use crate::rejection::{NotConfigured, SessionRejection};
use crate::source::SessionSource;
use crate::{convert, refresh};

/// The signed-in user and their session; refuses the request when there is
/// none.
///
/// Reads the `Authorization: Bearer` token, else the session cookie, as
/// [`nanoauth::Auth::get_session`] does. Needs [`configure`](crate::configure)
/// (or [`data`](crate::data)) on the `App` for the same user type.
///
/// # Errors
/// A [`SessionRejection`]: `401 UNAUTHORIZED` without a valid session,
/// `503 DATABASE_UNAVAILABLE` when the adapter cannot reach its database,
/// each as the core's JSON error.
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use nanoauth::BasicUser;
/// use nanoauth_actix::Session;
///
/// #[get("/me")]
/// async fn me(session: Session<BasicUser>) -> HttpResponse {
///     HttpResponse::Ok().json(&session.user)
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Session<U>(pub nanoauth::Session<U>);

/// The signed-in user and their session, if any: `MaybeSession(None)` for
/// a visitor, never a rejection for that.
///
/// # Errors
/// A [`SessionRejection`] only when the lookup itself fails (the adapter is
/// down: `503 DATABASE_UNAVAILABLE`), so a broken database is never taken
/// for "signed out".
///
/// ```
/// use actix_web::{HttpResponse, get};
/// use nanoauth::BasicUser;
/// use nanoauth_actix::MaybeSession;
///
/// #[get("/")]
/// async fn home(MaybeSession(session): MaybeSession<BasicUser>) -> HttpResponse {
///     match session {
///         Some(session) => HttpResponse::Ok().body(format!("Hello, {}!", session.user.name)),
///         None => HttpResponse::Ok().body("Hello, visitor!"),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct MaybeSession<U>(pub Option<nanoauth::Session<U>>);

impl<U> Session<U> {
    /// The core's session value.
    pub fn into_inner(self) -> nanoauth::Session<U> {
        self.0
    }
}

impl<U> MaybeSession<U> {
    /// The core's session value, if any.
    pub fn into_inner(self) -> Option<nanoauth::Session<U>> {
        self.0
    }
}

impl<U> Deref for Session<U> {
    type Target = nanoauth::Session<U>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<U> Deref for MaybeSession<U> {
    type Target = Option<nanoauth::Session<U>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<U: AuthUser> FromRequest for Session<U> {
    type Error = SessionRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let lookup = lookup::<U>(request);
        Box::pin(async move {
            lookup
                .await?
                .map(Session)
                .ok_or_else(|| nanoauth::Error::Unauthorized.into())
        })
    }
}

impl<U: AuthUser> FromRequest for MaybeSession<U> {
    type Error = SessionRejection;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let lookup = lookup::<U>(request);
        Box::pin(async move { lookup.await.map(MaybeSession) })
    }
}

/// Finds the session of `request` through the registered [`SessionSource`],
/// and leaves a refreshed cookie for [`RefreshSessionCookie`](crate::RefreshSessionCookie).
fn lookup<U: AuthUser>(
    request: &HttpRequest,
) -> impl Future<Output = Result<Option<nanoauth::Session<U>>, SessionRejection>> + 'static {
    // Everything borrowed from the request is taken now: the future outlives
    // the borrow.
    let source = request
        .app_data::<web::Data<dyn SessionSource<U>>>()
        .cloned();
    let headers = convert::headers(request.headers());
    let request = request.clone();
    async move {
        let source = source
            .ok_or_else(|| nanoauth::Error::internal(NotConfigured(std::any::type_name::<U>())))?;
        let headers = headers.map_err(nanoauth::Error::internal)?;
        let session = source.get_session(&headers).await?;
        if let Some(session) = &session
            && let Some(cookie) = source.refreshed_cookie(session)?
        {
            let cookie = convert::header_value(&cookie).map_err(nanoauth::Error::internal)?;
            refresh::stash(&request, cookie);
        }
        Ok(session)
    }
}
