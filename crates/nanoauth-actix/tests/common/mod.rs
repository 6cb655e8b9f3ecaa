//! Shared fixtures: an `Auth` over the in-memory adapter with cheap Argon2,
//! the test app (auth routes, `/me`, `/maybe`), and request helpers.

#![allow(dead_code, unreachable_pub, clippy::expect_used)]

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header;
use actix_web::test::{self, TestRequest};
use actix_web::{App, HttpResponse, get};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser};
use nanoauth_actix::{MaybeSession, RefreshSessionCookie, Session};
use serde_json::Value;

pub type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

pub const ORIGIN: &str = "http://localhost:3000";
pub const SECRET: &str = "test secret that is at least thirty-two bytes long";
pub const PASSWORD: &str = "correct horse battery";

/// The actix test service type, whatever the app's body type is.
pub trait TestService:
    Service<actix_http::Request, Response = ServiceResponse<Self::Body>, Error = actix_web::Error>
{
    type Body: MessageBody;
}

impl<S, B> TestService for S
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    type Body = B;
}

/// An `Auth` with the email/password plugin and Argon2 cheap enough for tests.
pub fn auth() -> TestAuth {
    auth_with(|builder| builder)
}

/// [`auth`], with more builder settings.
pub fn auth_with(
    configure: impl FnOnce(
        nanoauth::AuthBuilder<BasicUser, MemoryAdapter<BasicUser>>,
    ) -> nanoauth::AuthBuilder<BasicUser, MemoryAdapter<BasicUser>>,
) -> TestAuth {
    let hasher = PasswordHasher::with_params(64, 1, 1).expect("valid Argon2 parameters");
    let builder = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .plugin(EmailPassword::new().hasher(hasher));
    configure(builder).build().expect("valid configuration")
}

/// Needs a session: answers the user.
#[get("/me")]
pub async fn me(session: Session<BasicUser>) -> HttpResponse {
    HttpResponse::Ok().json(&session.user)
}

/// Public: says whether someone is signed in.
#[get("/maybe")]
pub async fn maybe(MaybeSession(session): MaybeSession<BasicUser>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({
        "email": session.map(|session| session.user.email),
    }))
}

/// The test app: refresh middleware, auth routes, `/me` and `/maybe`.
pub async fn app(auth: TestAuth) -> impl TestService {
    test::init_service(
        App::new()
            .wrap(RefreshSessionCookie)
            .configure(nanoauth_actix::configure(auth))
            .service(me)
            .service(maybe),
    )
    .await
}

/// A POST from the site's own origin with a JSON body.
pub fn post_json(path: &str, body: &str) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header((header::ORIGIN, ORIGIN))
        .insert_header((header::CONTENT_TYPE, "application/json"))
        .set_payload(body.to_owned())
}

pub fn sign_up_request(email: &str) -> TestRequest {
    post_json(
        "/api/auth/signup/email",
        &format!(r#"{{"email":"{email}","password":"{PASSWORD}","name":"Ada"}}"#),
    )
}

pub fn sign_in_request(email: &str) -> TestRequest {
    post_json(
        "/api/auth/signin/email",
        &format!(r#"{{"email":"{email}","password":"{PASSWORD}"}}"#),
    )
}

/// Signs `email` up and answers the `name=value` part of its session cookie.
pub async fn signed_up(app: &impl TestService, email: &str) -> String {
    let response = test::call_service(app, sign_up_request(email).to_request()).await;
    assert_eq!(response.status(), 200);
    cookie_pair(&response)
}

/// The `name=value` part of the (only) `Set-Cookie`.
pub fn cookie_pair<B>(response: &ServiceResponse<B>) -> String {
    set_cookies(response)
        .first()
        .and_then(|cookie| cookie.split(';').next())
        .expect("a Set-Cookie header")
        .to_owned()
}

/// Every `Set-Cookie` of `response`.
pub fn set_cookies<B>(response: &ServiceResponse<B>) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .map(|value| value.to_str().expect("ASCII cookie").to_owned())
        .collect()
}

/// Calls `app` and parses the JSON body.
pub async fn call_json(app: &impl TestService, request: TestRequest) -> (u16, Value) {
    let response = test::call_service(app, request.to_request()).await;
    json_of(response).await
}

/// Status and JSON body of `response`; the JSON content type is checked.
pub async fn json_of<B: MessageBody>(response: ServiceResponse<B>) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers().get(header::CONTENT_TYPE).cloned();
    let body = test::read_body(response).await;
    assert_eq!(
        content_type.as_ref().and_then(|value| value.to_str().ok()),
        Some("application/json"),
        "status {status}, body {body:?}"
    );
    let value = serde_json::from_slice(&body).expect("a JSON body");
    (status, value)
}

/// `GET path` with `cookie`, if any.
pub fn get(path: &str, cookie: Option<&str>) -> TestRequest {
    let request = TestRequest::get().uri(path);
    match cookie {
        Some(cookie) => request.insert_header((header::COOKIE, cookie)),
        None => request,
    }
}
