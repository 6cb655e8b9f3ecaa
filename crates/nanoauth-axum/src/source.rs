//! The `Auth` behind a request, without its adapter type in sight.
//!
//! Extractors name only the user type (`Session<MyUser>`), so the `Auth<U,
//! A>` travels in the request extensions as a trait object over `U`.

use std::sync::Arc;

use axum::http::HeaderMap;
use nanoauth::{Adapter, Auth, AuthUser, BoxFuture, Error, Session};

/// Reads sessions; implemented by every `Auth<U, A>`.
pub(crate) trait SessionSource<U>: Send + Sync {
    fn session<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>>;
    fn session_cookie(&self, session: &Session<U>) -> Option<axum::http::HeaderValue>;
}

impl<U: AuthUser, A: Adapter<U>> SessionSource<U> for Auth<U, A> {
    fn session<'a>(
        &'a self,
        headers: &'a HeaderMap,
    ) -> BoxFuture<'a, Result<Option<Session<U>>, Error>> {
        Box::pin(self.get_session_from_headers(headers))
    }

    fn session_cookie(&self, session: &Session<U>) -> Option<axum::http::HeaderValue> {
        session
            .refreshed_token()
            .and_then(|token| Auth::session_cookie(self, token).ok())
    }
}

/// The request extension the extractors look for.
pub(crate) struct SessionHandle<U>(pub(crate) Arc<dyn SessionSource<U>>);

impl<U> Clone for SessionHandle<U> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}
