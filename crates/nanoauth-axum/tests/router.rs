//! The axum integration through a `Router`, with no network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Router, middleware};
use http_body_util::BodyExt as _;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser};
use nanoauth_axum::{AuthRouterExt, MaybeSession, Session, require_session};
use tower::ServiceExt as _;

const ORIGIN: &str = "http://localhost:3000";

fn app() -> Router {
    app_with_clock(nanoauth::SystemClock)
}

fn app_with_clock(clock: impl nanoauth::Clock) -> Router {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("axum test secret, thirty-two bytes or more")
        .base_url(ORIGIN)
        .clock(clock)
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .build()
        .unwrap();
    Router::new()
        .route(
            "/me",
            get(|Session(s): Session<BasicUser>| async move { s.user.email }),
        )
        .route("/private", get(|| async { "private" }))
        .route_layer(middleware::from_fn(require_session::<BasicUser>))
        .route(
            "/",
            get(|MaybeSession(s): MaybeSession<BasicUser>| async move {
                s.map_or("stranger".to_owned(), |s| s.user.name)
            }),
        )
        .nanoauth(auth)
}

async fn send(app: &Router, request: Request<Body>) -> Response {
    app.clone().oneshot(request).await.unwrap()
}

async fn text(response: Response) -> String {
    String::from_utf8(
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap()
}

fn get_with(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.body(Body::empty()).unwrap()
}

async fn sign_up(app: &Router) -> String {
    let request = Request::post("/api/auth/signup/email")
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(Body::from(
            r#"{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}"#,
        ))
        .unwrap();
    let response = send(app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"));
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn mounted_routes_and_extractors() {
    let app = app();
    let cookie = sign_up(&app).await;

    let me = send(&app, get_with("/me", Some(&cookie))).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(text(me).await, "ada@example.com");

    let home = send(&app, get_with("/", Some(&cookie))).await;
    assert_eq!(text(home).await, "Ada");
    let home = send(&app, get_with("/", None)).await;
    assert_eq!(text(home).await, "stranger");

    let session = send(&app, get_with("/api/auth/session", Some(&cookie))).await;
    assert!(text(session).await.contains("ada@example.com"));
}

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
struct TestClock(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl nanoauth::Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[tokio::test]
async fn the_guard_renews_a_sliding_session_cookie() {
    let clock = TestClock(std::sync::Arc::new(1_700_000_000.into()));
    let app = app_with_clock(clock.clone());
    let cookie = sign_up(&app).await;

    // Within a day: no lookup refreshes the session, no cookie is sent.
    let private = send(&app, get_with("/private", Some(&cookie))).await;
    assert_eq!(private.status(), StatusCode::OK);
    assert!(private.headers().get("set-cookie").is_none());

    // Past `session_update_age` the guard's lookup slides the expiry and
    // the guard sends the renewed cookie, which signs in.
    clock
        .0
        .fetch_add(24 * 60 * 60 + 1, std::sync::atomic::Ordering::SeqCst);
    let private = send(&app, get_with("/private", Some(&cookie))).await;
    assert_eq!(private.status(), StatusCode::OK);
    let renewed = private.headers()["set-cookie"].to_str().unwrap();
    assert!(renewed.contains("HttpOnly"));
    let renewed = renewed.split(';').next().unwrap().to_owned();
    assert_ne!(renewed, cookie);
    let me = send(&app, get_with("/me", Some(&renewed))).await;
    assert_eq!(text(me).await, "ada@example.com");
}

#[tokio::test]
async fn the_guard_answers_401_json() {
    let app = app();
    for path in ["/me", "/private"] {
        let response = send(&app, get_with(path, None)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: serde_json::Value = serde_json::from_str(&text(response).await).unwrap();
        assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    }
    let cookie = sign_up(&app).await;
    let response = send(&app, get_with("/private", Some(&cookie))).await;
    assert_eq!(response.status(), StatusCode::OK);
    // A forged cookie is no session.
    let forged = send(
        &app,
        get_with("/private", Some("nanoauth.session_token=eyJ.eyJ.sig")),
    )
    .await;
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_out_through_the_router() {
    let app = app();
    let cookie = sign_up(&app).await;
    let request = Request::post("/api/auth/signout")
        .header("cookie", &cookie)
        .header("origin", ORIGIN)
        .body(Body::empty())
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        send(&app, get_with("/me", Some(&cookie))).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn errors_from_the_core_pass_through() {
    let app = app();
    let request = Request::post("/api/auth/signin/email")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let response = send(&app, request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("INVALID_JSON"));
    let missing = send(&app, get_with("/api/auth/nope", None)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn extractors_without_the_layer_are_a_500_not_a_panic() {
    let app: Router = Router::new().route(
        "/me",
        get(|Session(s): Session<BasicUser>| async move { s.user.email }),
    );
    let response = send(&app, get_with("/me", None)).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(text(response).await.contains("AUTH_NOT_MOUNTED"));
}

#[tokio::test]
async fn cors_preflights_reach_the_core() {
    let app = app();
    let preflight = |origin: &str| {
        Request::options("/api/auth/signin/email")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    // axum's `any` route sends OPTIONS to `Auth::handler` like any method.
    let response = send(&app, preflight(ORIGIN)).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], ORIGIN);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["access-control-allow-methods"], "POST");
    assert!(
        headers["vary"]
            .to_str()
            .unwrap()
            .starts_with("Origin, Access-Control-Request-Method")
    );

    let response = send(&app, preflight("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .headers()
            .keys()
            .all(|name| !name.as_str().starts_with("access-control-"))
    );
}
