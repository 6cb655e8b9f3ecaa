//! Run locally without `--base-url`, the demo's name is
//! `http://localhost:PORT`: passkeys need a domain for their RP id, and
//! browsers refuse IP addresses. A page opened on `127.0.0.1:PORT` would
//! get cookies and passkeys of its own, so it is sent to `localhost` first.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};

/// `router`, with pages asked for on `127.0.0.1:port` redirected to the
/// same path on `localhost:port`.
///
/// Only `GET` and `HEAD` outside the API move: a form post or an API call
/// would lose its body to a redirect, and scripts (and the start-up check
/// of the test scripts) may keep calling the API on the address.
pub(crate) fn send_to_localhost(router: Router, port: u16) -> Router {
    router.layer(middleware::from_fn_with_state(port, redirect))
}

async fn redirect(State(port): State<u16>, request: Request, next: Next) -> Response {
    match target(&request, port) {
        Some(location) => Redirect::temporary(&location).into_response(),
        None => next.run(request).await,
    }
}

/// Where a request for a page on the loopback address goes instead.
fn target(request: &Request, port: u16) -> Option<String> {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return None;
    }
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    if path == "/api" || path.starts_with("/api/") {
        return None;
    }
    let host = request.headers().get(header::HOST)?.to_str().ok()?;
    (host == format!("127.0.0.1:{port}")).then(|| format!("http://localhost:{port}{path}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use axum::body::Body;

    use super::*;

    fn request(method: Method, host: &str, path: &str) -> Request {
        Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap()
    }

    #[test]
    fn pages_on_the_address_go_to_localhost() {
        let at = |method, host, path| target(&request(method, host, path), 3000);
        assert_eq!(
            at(Method::GET, "127.0.0.1:3000", "/sign-in?error=X").as_deref(),
            Some("http://localhost:3000/sign-in?error=X")
        );
        assert_eq!(
            at(Method::HEAD, "127.0.0.1:3000", "/").as_deref(),
            Some("http://localhost:3000/")
        );
        assert_eq!(at(Method::GET, "localhost:3000", "/sign-in"), None);
        assert_eq!(at(Method::GET, "127.0.0.1:3000", "/api/auth/session"), None);
        assert_eq!(at(Method::POST, "127.0.0.1:3000", "/account"), None);
        assert_eq!(at(Method::GET, "127.0.0.1:4000", "/"), None, "another port");
    }
}
