//! `Auth` as a tower `Service`, for hyper and any tower stack.

use std::convert::Infallible;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;

use crate::adapter::Adapter;
use crate::auth::Auth;
use crate::runtime::BoxFuture;
use crate::user::AuthUser;

/// [`Auth::handler`] as a [`tower_service::Service`]: always ready, never
/// failing (errors are JSON responses), responses with a [`Full`] body.
///
/// ```
/// # use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
/// # fn example(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
/// use tower_service::Service as _;
/// let mut service = auth.into_service();
/// let future = service.call(http::Request::get("/api/auth/session").body(String::new()).unwrap());
/// # let _ = future; }
/// ```
pub struct AuthService<U: AuthUser, A: Adapter<U>> {
    auth: Auth<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Clone for AuthService<U, A> {
    fn clone(&self) -> Self {
        Self {
            auth: self.auth.clone(),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for AuthService<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthService")
            .field("auth", &self.auth)
            .finish()
    }
}

impl<U: AuthUser, A: Adapter<U>> Auth<U, A> {
    /// This `Auth` as a tower `Service` (feature `tower`).
    pub fn into_service(self) -> AuthService<U, A> {
        AuthService { auth: self }
    }
}

impl<U, A, B> tower_service::Service<Request<B>> for AuthService<U, A>
where
    U: AuthUser,
    A: Adapter<U>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Nothing to wait for: `Auth` holds no connection of its own; the
        // adapter's pool applies its own back-pressure inside the call.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let auth = self.auth.clone();
        Box::pin(async move { Ok(auth.handler(request).await.map(Full::new)) })
    }
}
