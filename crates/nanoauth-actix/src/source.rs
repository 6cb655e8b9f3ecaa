//! `SessionSource`: how extractors reach an `Auth` without naming its
//! adapter type.

use std::sync::Arc;

use actix_web::web;
use nanoauth::{Adapter, Auth, AuthUser, BoxFuture, Error, Session, SessionToken};

/// Looks sessions up for the [`Session`](crate::Session) and
/// [`MaybeSession`](crate::MaybeSession) extractors.
///
/// Handlers name only the user type (`Session<MyUser>`), so the extractors
/// find the [`Auth`] through this object-safe trait, registered in the app
/// data as `web::Data<dyn SessionSource<U>>` by [`configure`](crate::configure)
/// or [`data`](crate::data). It is implemented for every `Auth<U, A>`; you
/// normally never implement or call it yourself.
pub trait SessionSource<U>: Send + Sync + 'static {
    /// The session presented in `headers`, as
    /// [`Auth::get_session_from_headers`] finds it.
    ///
    /// # Errors
    /// Only adapter failures; no or a bad token is `Ok(None)`.
    fn get_session<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>>;

    /// The `Set-Cookie` value carrying `token`, as [`Auth::session_cookie`]
    /// writes it.
    ///
    /// # Errors
    /// Never for tokens NanoAuth issued.
    fn session_cookie(&self, token: &SessionToken) -> Result<http::HeaderValue, Error>;
}

impl<U: AuthUser, A: Adapter<U>> SessionSource<U> for Auth<U, A> {
    fn get_session<'a>(
        &'a self,
        headers: &'a http::HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>> {
        Box::pin(self.get_session_from_headers(headers))
    }

    fn session_cookie(&self, token: &SessionToken) -> Result<http::HeaderValue, Error> {
        Auth::session_cookie(self, token)
    }
}

/// The app data the extractors look for: `auth` behind its
/// [`SessionSource`] trait.
///
/// [`configure`](crate::configure) registers it already; use this when you
/// mount the routes with [`scope`](crate::scope) instead, or need the
/// extractors in an app that does not serve the auth routes itself.
///
/// ```
/// use actix_web::App;
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
///
/// # fn app(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
/// let app = App::new()
///     .app_data(nanoauth_actix::data(auth.clone()))
///     .service(nanoauth_actix::scope(auth));
/// # }
/// ```
pub fn data<U: AuthUser, A: Adapter<U>>(auth: Auth<U, A>) -> web::Data<dyn SessionSource<U>> {
    let source: Arc<dyn SessionSource<U>> = Arc::new(auth);
    web::Data::from(source)
}
