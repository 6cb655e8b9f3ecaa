//! The mounted auth routes, through actix's test service (no network).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use actix_http::BoxedPayloadStream;
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use bytes::Bytes;
use common::*;

#[actix_web::test]
async fn sign_up_and_sign_in_set_the_session_cookie() {
    let app = app(auth()).await;

    let response = test::call_service(&app, sign_up_request("ada@example.com").to_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("nanoauth.session_token="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(
            cookie.contains(attribute),
            "{attribute} missing in {cookie}"
        );
    }
    assert!(!cookie.contains("Secure"), "http base URL: no Secure");
    let (status, body) = json_of(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["name"], "Ada");

    let response = test::call_service(&app, sign_in_request("ada@example.com").to_request()).await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_pair(&response);
    let (_, body) = json_of(response).await;
    let token = body["token"].as_str().expect("a token");
    assert_eq!(cookie, format!("nanoauth.session_token={token}"));

    // The core's own session endpoint, through the mount.
    let (status, body) = call_json(&app, get("/api/auth/session", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert_eq!(body["user"]["email"], "ada@example.com");
}

#[actix_web::test]
async fn wrong_password_is_the_cores_401() {
    let app = app(auth()).await;
    signed_up(&app, "ada@example.com").await;
    let request = post_json(
        "/api/auth/signin/email",
        r#"{"email":"ada@example.com","password":"not the password"}"#,
    );
    let (status, body) = call_json(&app, request).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "INVALID_CREDENTIALS");
}

#[actix_web::test]
async fn sign_out_clears_the_cookie_and_the_old_one_is_refused() {
    let app = app(auth()).await;
    let cookie = signed_up(&app, "ada@example.com").await;

    let sign_out = TestRequest::post()
        .uri("/api/auth/signout")
        .insert_header((header::ORIGIN, ORIGIN))
        .insert_header((header::COOKIE, cookie.as_str()));
    let response = test::call_service(&app, sign_out.to_request()).await;
    assert_eq!(response.status(), 200);
    let cleared = set_cookies(&response);
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(
        cleared[0].starts_with("nanoauth.session_token=;"),
        "{cleared:?}"
    );
    assert!(cleared[0].contains("Max-Age=0"), "{cleared:?}");
    let (_, body) = json_of(response).await;
    assert_eq!(body["success"], true);

    let (status, body) = call_json(&app, get("/me", Some(&cookie))).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    let (status, body) = call_json(&app, get("/api/auth/session", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert!(body.is_null());
}

#[actix_web::test]
async fn malformed_json_is_the_cores_400() {
    let app = app(auth()).await;
    let (status, body) = call_json(
        &app,
        post_json("/api/auth/signup/email", r#"{"email":"ada@"#),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "INVALID_JSON");
}

#[actix_web::test]
async fn a_declared_oversized_body_is_413() {
    let app = app(auth()).await;
    let padding = " ".repeat(64 * 1024 + 1);
    let body = format!(r#"{{"email":"ada@example.com",{padding}"password":"{PASSWORD}"}}"#);
    let (status, body) = call_json(&app, post_json("/api/auth/signup/email", &body)).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
}

#[actix_web::test]
async fn an_endless_body_is_413_and_read_only_up_to_the_limit() {
    let app = app(auth()).await;
    const CHUNK: usize = 8 * 1024;
    let pulled = Rc::new(Cell::new(0_usize));
    let counter = Rc::clone(&pulled);
    // No Content-Length, and a client that never stops sending.
    let endless = futures_util::stream::repeat_with(move || {
        counter.set(counter.get() + 1);
        Ok::<_, PayloadError>(Bytes::from(vec![b' '; CHUNK]))
    });
    let request = TestRequest::post()
        .uri("/api/auth/signup/email")
        .insert_header((header::ORIGIN, ORIGIN))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .to_request();
    let endless: BoxedPayloadStream = Box::pin(endless);
    let (request, _) = request.replace_payload(actix_http::Payload::from(endless));

    let response = test::call_service(&app, request).await;
    let (status, body) = json_of(response).await;
    assert_eq!(status, 413);
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    // The 64 KiB limit is 8 chunks; the core reads one more to see it is
    // over, and at most two more wait in the channel.
    let limit_chunks = 64 * 1024 / CHUNK;
    assert!(
        pulled.get() <= limit_chunks + 3,
        "{} chunks pulled",
        pulled.get()
    );
}

#[actix_web::test]
async fn a_foreign_origin_is_the_cores_403() {
    let app = app(auth()).await;
    let request =
        sign_up_request("ada@example.com").insert_header((header::ORIGIN, "https://evil.example"));
    let (status, body) = call_json(&app, request).await;
    assert_eq!(status, 403);
    assert_eq!(body["error"]["code"], "INVALID_ORIGIN");
}

#[actix_web::test]
async fn everything_under_the_base_path_and_nothing_else_reaches_the_core() {
    let app = app(auth()).await;

    // Unknown paths and methods under the base path: the core's JSON.
    let (status, body) = call_json(&app, get("/api/auth/nope", None)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let (status, body) = call_json(&app, get("/api/auth", None)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let request = TestRequest::delete().uri("/api/auth/session");
    let (status, body) = call_json(&app, request).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"]["code"], "METHOD_NOT_ALLOWED");

    // A sibling path is the application's, not the core's.
    let response = test::call_service(&app, get("/api/authors", None).to_request()).await;
    assert_eq!(response.status(), 404);
    assert!(response.headers().get(header::CONTENT_TYPE).is_none());
}

#[actix_web::test]
async fn a_custom_base_path_is_mounted_literally() {
    let app = app(auth_with(|builder| builder.base_path("/auth/{v1}"))).await;
    let (status, body) = call_json(&app, get("/auth/{v1}/session", None)).await;
    assert_eq!(status, 200);
    assert!(body.is_null());
    let response = test::call_service(&app, get("/auth/v1/session", None).to_request()).await;
    assert_eq!(response.status(), 404);
}

#[actix_web::test]
async fn the_peer_address_is_recorded_on_the_session() {
    let app = app(auth()).await;
    let peer = std::net::SocketAddr::from(([192, 0, 2, 7], 4242));
    let request = sign_up_request("ada@example.com")
        .peer_addr(peer)
        .insert_header((header::USER_AGENT, "actix-test"));
    let response = test::call_service(&app, request.to_request()).await;
    assert_eq!(response.status(), 200);
    let cookie = cookie_pair(&response);

    let (status, body) = call_json(&app, get("/api/auth/sessions", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["ipAddress"], "192.0.2.7");
    assert_eq!(body[0]["userAgent"], "actix-test");
    assert_eq!(body[0]["current"], true);
}

#[actix_web::test]
async fn cors_preflights_reach_the_core() {
    let app = app(auth()).await;
    let preflight = |origin: &str| {
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/auth/signin/email")
            .insert_header(("origin", origin))
            .insert_header(("access-control-request-method", "POST"))
            .to_request()
    };
    // The scope's default service takes every method, OPTIONS included.
    let response = test::call_service(&app, preflight(ORIGIN)).await;
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers.get("access-control-allow-origin").unwrap(), ORIGIN);
    assert_eq!(
        headers.get("access-control-allow-credentials").unwrap(),
        "true"
    );
    assert_eq!(headers.get("access-control-allow-methods").unwrap(), "POST");

    let response = test::call_service(&app, preflight("https://evil.example")).await;
    assert_eq!(response.status(), 403);
    assert!(
        response
            .headers()
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-"))
    );
}
