//! Mounting the routes under the base path.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::routing::any;
use axum::{Extension, Router};
use nanoauth::{Adapter, Auth, AuthUser, ClientAddr};

use crate::source::SessionHandle;

/// Adds NanoAuth to an axum [`Router`].
pub trait AuthRouterExt {
    /// Mounts `auth.handler` at `{base_path}/*` (default `/api/auth/*`) and
    /// makes `auth` available to [`Session`](crate::Session),
    /// [`MaybeSession`](crate::MaybeSession) and
    /// [`require_session`](crate::require_session) in every route added
    /// *before* this call (it is a layer). Serve the app with
    /// `into_make_service_with_connect_info::<SocketAddr>()`: the rate limits
    /// count clients by their address, and sessions record it. Without it,
    /// no per-client limit applies (see `nanoauth::rate_limit::RateLimit`).
    #[must_use]
    fn nanoauth<U: AuthUser, A: Adapter<U>>(self, auth: Auth<U, A>) -> Self;
}

impl<S: Clone + Send + Sync + 'static> AuthRouterExt for Router<S> {
    fn nanoauth<U: AuthUser, A: Adapter<U>>(self, auth: Auth<U, A>) -> Self {
        let path = format!("{}/{{*rest}}", auth.base_path());
        let handle = SessionHandle::<U>(Arc::new(auth.clone()));
        // The layer first, then the route: the extractors of the routes
        // added before need `auth`, the auth route itself does not, and
        // would otherwise pay for inserting it into every request's
        // extensions.
        self.layer(Extension(handle)).route(
            &path,
            any(move |mut request: Request| {
                let auth = auth.clone();
                async move {
                    if let Some(ConnectInfo(addr)) = request
                        .extensions()
                        .get::<ConnectInfo<SocketAddr>>()
                        .copied()
                    {
                        request.extensions_mut().insert(ClientAddr(addr));
                    }
                    auth.handler(request).await.map(Body::from)
                }
            }),
        )
    }
}
