//! CORS: preflights from trusted origins are answered with credentials
//! allowed; untrusted origins get no CORS header; every answer varies on
//! `Origin`.

mod common;

use std::net::SocketAddr;

use bytes::Bytes;
use common::*;
use http::{Request, Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::rate_limit::{Limit, RateLimit};
use nanoauth::{Auth, ClientAddr, ConfigError};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

/// An `Auth` served at `ORIGIN` that also trusts `APP`, with `limits`.
fn cors_auth(limits: RateLimit) -> TestAuth {
    Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .trusted_origin(APP)
        .rate_limit(limits)
        .plugin(fast_plugin())
        .build()
        .unwrap_or_else(|error| unreachable!("test config is valid: {error}"))
}

fn preflight(path: &str, origin: &str, method: &str) -> Request<String> {
    Request::options(path)
        .header("origin", origin)
        .header("access-control-request-method", method)
        .header("access-control-request-headers", "content-type")
        .body(String::new())
        .unwrap_or_else(|_| unreachable!())
}

fn from_client(mut request: Request<String>) -> Request<String> {
    let addr: SocketAddr = "203.0.113.7:40000"
        .parse()
        .unwrap_or_else(|_| unreachable!());
    request.extensions_mut().insert(ClientAddr(addr));
    request
}

/// The request with `Origin: APP` (in place of `post`'s `ORIGIN`).
fn from_app(mut request: Request<String>) -> Request<String> {
    request
        .headers_mut()
        .insert("origin", http::HeaderValue::from_static(APP));
    request
}

fn header<'a>(response: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

/// Every `Access-Control-*` header of the response.
fn cors_headers(response: &Response<Bytes>) -> Vec<String> {
    response
        .headers()
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

#[tokio::test]
async fn a_preflight_from_a_trusted_origin_is_answered_with_credentials() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    for origin in [ORIGIN, APP] {
        let response = auth
            .handler(preflight("/api/auth/signin/email", origin, "POST"))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{origin}");
        assert!(response.body().is_empty());
        // The origin itself, never `*` (which cannot go with credentials).
        assert_eq!(
            header(&response, "access-control-allow-origin"),
            Some(origin)
        );
        assert_eq!(
            header(&response, "access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(
            header(&response, "access-control-allow-methods"),
            Some("POST")
        );
        assert_eq!(
            header(&response, "access-control-allow-headers"),
            Some("content-type, authorization")
        );
        assert_eq!(header(&response, "access-control-max-age"), Some("600"));
        assert_eq!(
            header(&response, "vary"),
            Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        );
        // Not an answer a script reads: nothing to expose.
        assert_eq!(header(&response, "access-control-expose-headers"), None);
    }

    // The path's own methods: GET with HEAD where the GET is safe.
    let response = auth
        .handler(preflight("/api/auth/session", APP, "GET"))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-methods"),
        Some("GET, HEAD")
    );
    Ok(())
}

#[tokio::test]
async fn a_preflight_never_runs_the_endpoint() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    // A preflight with a sign-up body (browsers send none; a client can):
    // no user is created, no session, no cookie.
    let mut request = preflight("/api/auth/signup/email", APP, "POST");
    *request.body_mut() =
        r#"{"email":"pre@example.com","password":"correct horse battery","name":"P"}"#.to_owned();
    request
        .headers_mut()
        .insert("content-type", "application/json".parse()?);
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.headers().get("set-cookie").is_none());
    assert_eq!(auth.adapter().user_count(), 0);
    Ok(())
}

#[tokio::test]
async fn a_preflight_from_an_untrusted_origin_gets_no_cors_header() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    // `null`, another site, a trusted origin written differently than a
    // browser writes it, and a trusted name under another scheme.
    for origin in [
        EVIL,
        "null",
        "https://app.example.com:443",
        "http://app.example.com",
    ] {
        let response = auth
            .handler(preflight("/api/auth/signin/email", origin, "POST"))
            .await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(error_code(&response), "INVALID_ORIGIN");
        assert_eq!(cors_headers(&response), Vec::<String>::new(), "{origin}");
        assert_eq!(
            header(&response, "vary"),
            Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
        );
    }
    Ok(())
}

#[tokio::test]
async fn unknown_paths_and_plain_options_answer_as_before() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    let response = auth
        .handler(preflight("/api/auth/nowhere", APP, "POST"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(&response), "NOT_FOUND");
    let response = auth
        .handler(preflight("/api/other/signin/email", APP, "POST"))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // `OPTIONS` without `Access-Control-Request-Method` is no preflight:
    // no endpoint takes `OPTIONS`.
    let plain = Request::options("/api/auth/signin/email")
        .header("origin", APP)
        .body(String::new())?;
    let response = auth.handler(plain).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    Ok(())
}

#[tokio::test]
async fn preflights_are_not_counted_as_credential_attempts() -> TestResult {
    let limits = RateLimit::default().ip_limit("/signin/*", Limit::new(2, 60));
    let auth = cors_auth(limits);
    for _ in 0..10 {
        let response = auth
            .handler(from_client(preflight(
                "/api/auth/signin/email",
                APP,
                "POST",
            )))
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    // The client's two attempts are still all there.
    let attempt = || {
        let body = r#"{"email":"nobody@example.com","password":"wrong password"}"#;
        from_client(from_app(post("/api/auth/signin/email", body)))
    };
    for _ in 0..2 {
        let response = auth.handler(attempt()).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // The third is limited, and its script can read when to retry.
    let response = auth.handler(attempt()).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(&response, "retry-after").is_some());
    assert_eq!(header(&response, "access-control-allow-origin"), Some(APP));
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("retry-after")
    );
    Ok(())
}

#[tokio::test]
async fn answers_to_a_trusted_origin_allow_credentials_errors_included() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    let body = r#"{"email":"cors@example.com","password":"correct horse battery","name":"C"}"#;
    let response = auth
        .handler(from_app(post("/api/auth/signup/email", body)))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "access-control-allow-origin"), Some(APP));
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("retry-after")
    );
    assert_eq!(header(&response, "vary"), Some("Origin"));
    assert!(response.headers().get("set-cookie").is_some());

    // An error answer carries them too, so the script can read the code.
    let wrong = post(
        "/api/auth/signin/email",
        r#"{"email":"cors@example.com","password":"not the password"}"#,
    );
    let response = auth.handler(from_app(wrong)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(header(&response, "access-control-allow-origin"), Some(APP));
    assert_eq!(
        header(&response, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(header(&response, "vary"), Some("Origin"));
    Ok(())
}

#[tokio::test]
async fn answers_to_other_origins_carry_no_cors_header_but_vary() -> TestResult {
    let auth = cors_auth(RateLimit::danger_disabled());
    // A read from another site: answered (a GET changes nothing), but its
    // script may not read it.
    let response = auth
        .handler(with_header(get("/api/auth/session"), "origin", EVIL))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(cors_headers(&response), Vec::<String>::new());
    assert_eq!(header(&response, "vary"), Some("Origin"));
    // Its state-changing request is refused by the CSRF check, with no
    // CORS header either.
    let mut request = post("/api/auth/signout", "");
    request.headers_mut().insert("origin", EVIL.parse()?);
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(cors_headers(&response), Vec::<String>::new());
    // No Origin at all (a server, a same-origin GET): the same.
    let response = auth.handler(get("/api/auth/session")).await;
    assert_eq!(cors_headers(&response), Vec::<String>::new());
    assert_eq!(header(&response, "vary"), Some("Origin"));
    Ok(())
}

#[tokio::test]
async fn the_application_adds_headers_and_sets_the_max_age() -> TestResult {
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .cors_allow_header("X-Captcha-Token")
        .cors_allow_header("content-type")
        .cors_expose_header("X-Request-Id")
        .cors_max_age(7200)
        .plugin(fast_plugin())
        .build()?;
    let response = auth
        .handler(preflight("/api/auth/signup/email", ORIGIN, "POST"))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, "access-control-allow-headers"),
        Some("content-type, authorization, x-captcha-token")
    );
    assert_eq!(header(&response, "access-control-max-age"), Some("7200"));
    let response = auth
        .handler(with_header(get("/api/auth/session"), "origin", ORIGIN))
        .await;
    assert_eq!(
        header(&response, "access-control-expose-headers"),
        Some("retry-after, x-request-id")
    );

    let invalid = Auth::<Member, _>::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .cors_allow_header("x captcha")
        .build();
    assert!(matches!(
        invalid,
        Err(ConfigError::InvalidHeaderName(name)) if name == "x captcha"
    ));
    Ok(())
}
