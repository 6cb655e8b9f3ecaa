//! The demo's two-factor routes: the challenge page a sign-in stops at, and
//! the enrolment step of the account page.
//!
//! Everything else (status, confirm, disable, backup codes, trusted
//! devices, the codes themselves) is the plugin's JSON API under
//! `/api/auth/two-factor/*`, called by `app.js` through the JS client.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nanoauth::ClientAddr;
use nanoauth::email::DangerConsoleSender;
use nanoauth::utils::redirect::safe_redirect;
use nanoauth::utils::url::query_param;
use nanoauth_axum::MaybeSession;
use nanoauth_two_factor::TwoFactor;
use nanoauth_two_factor::uri::parse_otpauth_uri;
use serde::Deserialize;

use crate::app::DemoAuth;
use crate::pages;
use crate::store::DemoStore;
use crate::user::DemoUser;

/// The page a sign-in of a user with two-factor on stops at (the plugin's
/// `challenge_page`).
pub(crate) const CHALLENGE_PAGE: &str = "/two-factor";

/// The plugin's challenge cookie, before `Auth::plugin_cookie_name`.
const CHALLENGE_COOKIE: &str = "two_factor";

/// Whether [`plugin`] emails codes, so the challenge page offers it.
const EMAIL_CODES: bool = true;

/// The demo's two-factor plugin: authenticator apps, backup codes, and
/// codes by email (printed in the console, like every mail of the demo).
pub(crate) fn plugin() -> TwoFactor {
    TwoFactor::new("NanoAuth Demo")
        .challenge_page(CHALLENGE_PAGE)
        .email_otp(DangerConsoleSender)
}

/// Where to go once signed in: the `callbackURL` the sign-in carried when
/// it is a path on this site, else the account page.
fn next_page(query: Option<&str>) -> String {
    query_param(query, "callbackURL")
        // No trusted origins: only a path on this site passes.
        .and_then(|target| safe_redirect(&target, &[]).ok())
        .unwrap_or_else(|| "/account".to_owned())
}

/// `GET /two-factor`: the code form, for a browser whose sign-in waits for
/// its second factor.
pub(crate) async fn challenge_page<A: DemoStore>(
    State(auth): State<DemoAuth<A>>,
    MaybeSession(session): MaybeSession<DemoUser>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let next = next_page(uri.query());
    if session.is_some() {
        return Redirect::to(&next).into_response();
    }
    // The challenge cookie is HttpOnly: only the server can tell the page
    // that the sign-in is gone (expired after five minutes, or never was).
    if !has_cookie(&headers, &auth.plugin_cookie_name(CHALLENGE_COOKIE)) {
        return Redirect::to("/sign-in?error=INVALID_CHALLENGE").into_response();
    }
    Html(pages::two_factor_challenge(&next, EMAIL_CODES)).into_response()
}

fn has_cookie(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(cookie, value)| cookie == name && !value.is_empty())
}

/// What `POST /two-factor/enable` answers.
#[derive(Deserialize)]
struct Enrolment {
    #[serde(rename = "totpURI")]
    totp_uri: String,
    #[serde(rename = "backupCodes")]
    backup_codes: Vec<String>,
}

/// `POST /account/two-factor/enable` with `{password}`: starts an
/// enrolment and answers the HTML to show once: the QR code, the secret
/// for typing in, the backup codes.
///
/// The request goes through the plugin's own endpoint (`auth.handler`), so
/// its origin check, rate limit and password lockout apply as to any
/// client; this route only turns the answer into HTML. The secret thus
/// travels once, server to browser, in a `no-store` answer: never back to
/// the server, never in a URL, and the demo logs none of it.
pub(crate) async fn enable<A: DemoStore>(
    State(auth): State<DemoAuth<A>>,
    request: Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = format!("{}/two-factor/enable", auth.base_path());
    let Ok(api_uri) = path.parse::<Uri>() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.uri = api_uri;
    // As the mounted API does: rate limits and sessions know the client.
    if let Some(ConnectInfo(address)) = parts.extensions.get::<ConnectInfo<SocketAddr>>().copied() {
        parts.extensions.insert(ClientAddr(address));
    }
    let answer = auth.handler(Request::from_parts(parts, body)).await;
    if answer.status() != StatusCode::OK {
        // The API's error (`{"error":{...}}`), for the page to show.
        return answer.map(Body::from);
    }
    let enrolment: Enrolment = match serde_json::from_slice(answer.body()) {
        Ok(enrolment) => enrolment,
        Err(_) => return StatusCode::BAD_GATEWAY.into_response(),
    };
    let Some(parsed) = parse_otpauth_uri(&enrolment.totp_uri) else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let secret = parsed.secret.to_base32();
    let qr = match nanoauth_two_factor::qr::qr_svg(&enrolment.totp_uri) {
        Ok(svg) => svg,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mut response = Html(pages::two_factor_enrolment(
        &qr,
        &secret,
        &enrolment.backup_codes,
    ))
    .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // A session the lookup slid forward renews its cookie here too.
    for cookie in answer.headers().get_all(header::SET_COOKIE) {
        headers.append(header::SET_COOKIE, cookie.clone());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        assert_eq!(next_page(None), "/account");
        assert_eq!(next_page(Some("callbackURL=%2Faccount")), "/account");
        assert_eq!(
            next_page(Some("callbackURL=%2Faccount%3Ftab%3D2")),
            "/account?tab=2"
        );
        for hostile in [
            "callbackURL=https%3A%2F%2Fevil.example%2F",
            "callbackURL=%2F%2Fevil.example",
            "callbackURL=%2F%5Cevil.example",
            "callbackURL=javascript%3Aalert(1)",
            "callbackURL=",
        ] {
            assert_eq!(next_page(Some(hostile)), "/account", "{hostile}");
        }
    }

    #[test]
    fn the_challenge_cookie_is_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; nanoauth.two_factor=abc"),
        );
        assert!(has_cookie(&headers, "nanoauth.two_factor"));
        assert!(!has_cookie(&headers, "__Host-nanoauth.two_factor"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("nanoauth.two_factor="),
        );
        assert!(!has_cookie(&headers, "nanoauth.two_factor"));
    }
}
