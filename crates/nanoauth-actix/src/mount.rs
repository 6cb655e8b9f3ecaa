//! Mounting: every request under the base path goes to `Auth::handler`.

use std::pin::pin;

use actix_web::guard::{Guard, GuardContext};
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use futures_util::future::{Either, select};
use nanoauth::{Adapter, Auth, AuthUser};

use crate::{body, convert, source};

/// Mounts the auth routes and registers the session extractors, in one
/// call for [`App::configure`](actix_web::App::configure):
/// [`scope`] plus [`data`](crate::data).
///
/// Call it on the `App` itself, not inside a scope: the core routes by the
/// full request path (its base path, `/api/auth` by default), and app data
/// registered inside a scope is invisible to the routes outside it.
///
/// ```
/// use actix_web::App;
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
///
/// # fn app(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
/// let app = App::new().configure(nanoauth_actix::configure(auth));
/// # }
/// ```
pub fn configure<U: AuthUser, A: Adapter<U>>(
    auth: Auth<U, A>,
) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        config
            .app_data(source::data(auth.clone()))
            .service(scope(auth));
    }
}

/// The auth routes alone, as an actix [`Scope`]: every method and path under
/// `auth.base_path()` goes to [`Auth::handler`], which answers unknown paths
/// with its own `404 NOT_FOUND` JSON.
///
/// Register it on the `App` (see [`configure`] for why), and add
/// [`data`](crate::data) when handlers use the session extractors. The
/// scope can be wrapped in middleware like any other.
///
/// The request body is streamed to the core, which stops reading at its
/// limit (`AuthBuilder::max_body_bytes`, 64 KiB by default) and answers
/// `413 PAYLOAD_TOO_LARGE`; nothing is buffered here. The socket's peer
/// address is passed as [`nanoauth::ClientAddr`] and recorded on new
/// sessions; behind a reverse proxy that is the proxy's address.
pub fn scope<U: AuthUser, A: Adapter<U>>(auth: Auth<U, A>) -> Scope {
    let base_path = BasePath(auth.base_path().to_owned());
    // An empty-prefix scope with a guard, not `web::scope(base_path)`: actix
    // would read the base path as a pattern (`{...}` segments) and match it
    // against a partly decoded path, where the core compares the raw path
    // literally. The guard makes both agree on what is "under" it.
    web::scope("").guard(base_path).default_service(web::to(
        move |request: HttpRequest, payload: web::Payload| answer(auth.clone(), request, payload),
    ))
}

/// Matches the base path itself and everything below it, segment-wise:
/// `/api/auth` and `/api/auth/session`, not `/api/authors`.
#[derive(Debug)]
struct BasePath(String);

impl Guard for BasePath {
    fn check(&self, context: &GuardContext<'_>) -> bool {
        context
            .head()
            .uri
            .path()
            .strip_prefix(self.0.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

/// One request through the core: convert, stream the body while the core
/// runs, convert back.
async fn answer<U: AuthUser, A: Adapter<U>>(
    auth: Auth<U, A>,
    request: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (body, pump) = body::stream(payload);
    let request = match convert::request(&request, body) {
        Ok(request) => request,
        Err(error) => return convert::error_response(nanoauth::Error::internal(error)),
    };
    let handler = pin!(auth.handler(request));
    // The handler finishing first ends the pump: a client still sending a
    // body the core refused is not waited for.
    let response = match select(handler, pin!(pump)).await {
        Either::Left((response, _pump)) => response,
        Either::Right(((), handler)) => handler.await,
    };
    convert::response(response)
        .unwrap_or_else(|error| convert::error_response(nanoauth::Error::internal(error)))
}
