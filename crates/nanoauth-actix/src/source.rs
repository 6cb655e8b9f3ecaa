//! The app data the extractors look for: the `Auth` behind the core's
//! [`SessionSource`] trait, so handlers name the user type only.

use std::sync::Arc;

use actix_web::web;
use nanoauth::{Adapter, Auth, AuthUser};

/// Looks sessions up for the [`Session`](crate::Session) and
/// [`MaybeSession`](crate::MaybeSession) extractors: the core's
/// [`nanoauth::SessionSource`], re-exported here.
///
/// [`configure`](crate::configure) or [`data`](crate::data) register it in
/// the app data as `web::Data<dyn SessionSource<U>>`.
pub use nanoauth::SessionSource;

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
