//! `RefreshSessionCookie`: sends back the cookie of a session whose expiry
//! a lookup slid forward.
//!
//! A session lookup more than `session_update_age` (a day by default) after
//! the last refresh extends the session and issues a new token; the old one
//! keeps its own, earlier expiry. Inside the auth routes the core sends the
//! new cookie itself. An extractor cannot touch the response, so it leaves
//! the cookie in the request's extensions and this middleware appends it.

use std::future::{Ready, ready};
use std::rc::Rc;

use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{HttpMessage as _, HttpRequest};
use futures_util::future::LocalBoxFuture;

/// The refreshed session cookie an extractor found, waiting for the response.
#[derive(Clone, Debug)]
struct RefreshedCookie(HeaderValue);

/// Leaves `cookie` for [`RefreshSessionCookie`] to send.
pub(crate) fn stash(request: &HttpRequest, cookie: HeaderValue) {
    request.extensions_mut().insert(RefreshedCookie(cookie));
}

/// Middleware that sends the refreshed session cookie with the response,
/// when a [`Session`](crate::Session) or [`MaybeSession`](crate::MaybeSession)
/// lookup of this request refreshed the session.
///
/// Without it, a user who only ever calls your own routes is signed out when
/// the token first issued expires (7 days by default), however active they
/// are. A response that sets the session cookie itself (the auth routes,
/// your own sign-out) is left as it is.
///
/// ```
/// use actix_web::App;
/// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
///
/// # fn app(auth: Auth<BasicUser, MemoryAdapter<BasicUser>>) {
/// let app = App::new()
///     .wrap(nanoauth_actix::RefreshSessionCookie)
///     .configure(nanoauth_actix::configure(auth));
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RefreshSessionCookie;

impl<S, B> Transform<S, ServiceRequest> for RefreshSessionCookie
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Transform = RefreshSessionCookieService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(RefreshSessionCookieService {
            service: Rc::new(service),
        }))
    }
}

/// The service [`RefreshSessionCookie`] wraps around the app.
#[derive(Debug)]
pub struct RefreshSessionCookieService<S> {
    service: Rc<S>,
}

impl<S, B> Service<ServiceRequest> for RefreshSessionCookieService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: 'static,
{
    type Response = ServiceResponse<B>;
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        Box::pin(async move {
            let mut response = service.call(request).await?;
            let cookie = response
                .request()
                .extensions_mut()
                .remove::<RefreshedCookie>();
            if let Some(RefreshedCookie(cookie)) = cookie {
                append_unless_set(response.headers_mut(), cookie);
            }
            Ok(response)
        })
    }
}

/// Appends `cookie` unless the response already sets a cookie of that name:
/// whatever the handler decided (a sign-out, a new sign-in) wins.
fn append_unless_set(headers: &mut HeaderMap, cookie: HeaderValue) {
    let Some(name) = cookie_name(&cookie) else {
        return;
    };
    let already_set = headers
        .get_all(header::SET_COOKIE)
        .any(|existing| cookie_name(existing) == Some(name));
    if !already_set {
        headers.append(header::SET_COOKIE, cookie);
    }
}

fn cookie_name(set_cookie: &HeaderValue) -> Option<&[u8]> {
    let bytes = set_cookie.as_bytes();
    let end = bytes.iter().position(|&byte| byte == b'=')?;
    bytes.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_the_handler_set_wins() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_static("nanoauth.session_token=; Max-Age=0"),
        );
        append_unless_set(
            &mut headers,
            HeaderValue::from_static("nanoauth.session_token=new; Max-Age=604800"),
        );
        let cookies: Vec<_> = headers.get_all(header::SET_COOKIE).collect();
        assert_eq!(cookies, ["nanoauth.session_token=; Max-Age=0"]);
    }

    #[test]
    fn other_cookies_do_not_block_the_refresh() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, HeaderValue::from_static("theme=dark"));
        append_unless_set(
            &mut headers,
            HeaderValue::from_static("nanoauth.session_token=new"),
        );
        assert_eq!(headers.get_all(header::SET_COOKIE).count(), 2);
    }
}
