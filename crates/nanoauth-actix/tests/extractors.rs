//! `Session`, `MaybeSession` and `RefreshSessionCookie` in handlers of the
//! application, through actix's test service (no network).

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod common;

use actix_web::App;
use actix_web::http::header;
use actix_web::test;
use common::*;
use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, AdapterError, Auth, BasicUser, ClientInfo, Email, SessionRecord};

#[actix_web::test]
async fn session_answers_the_user_or_the_cores_401() {
    let app = app(auth()).await;
    let cookie = signed_up(&app, "ada@example.com").await;

    let (status, body) = call_json(&app, get("/me", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["name"], "Ada");

    let response = test::call_service(&app, get("/me", None).to_request()).await;
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers().get(header::CACHE_CONTROL).unwrap(),
        "no-store"
    );
    let (_, body) = json_of(response).await;
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
    assert_eq!(body["error"]["message"], "You must be signed in.");

    let forged = "nanoauth.session_token=eyJhbGciOiJIUzI1NiJ9.e30.AAAA";
    let (status, body) = call_json(&app, get("/me", Some(forged))).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "UNAUTHORIZED");
}

#[actix_web::test]
async fn session_accepts_a_bearer_token() {
    let app = app(auth()).await;
    let response = test::call_service(&app, sign_up_request("ada@example.com").to_request()).await;
    let (_, body) = json_of(response).await;
    let token = body["token"].as_str().expect("a token");

    let request =
        get("/me", None).insert_header((header::AUTHORIZATION, format!("Bearer {token}")));
    let (status, body) = call_json(&app, request).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "ada@example.com");
}

#[actix_web::test]
async fn maybe_session_is_none_or_some_never_a_rejection() {
    let app = app(auth()).await;

    let (status, body) = call_json(&app, get("/maybe", None)).await;
    assert_eq!(status, 200);
    assert!(body["email"].is_null());
    let garbage = "nanoauth.session_token=garbage";
    let (status, body) = call_json(&app, get("/maybe", Some(garbage))).await;
    assert_eq!(status, 200);
    assert!(body["email"].is_null());

    let cookie = signed_up(&app, "ada@example.com").await;
    let (status, body) = call_json(&app, get("/maybe", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "ada@example.com");
}

/// Stores sessions nowhere and cannot reach its "database" to read them.
#[derive(Debug)]
struct DownAdapter;

fn down() -> AdapterError {
    AdapterError::unavailable("connection refused")
}

impl Adapter<BasicUser> for DownAdapter {
    async fn get_user(&self, _: &str) -> Result<Option<BasicUser>, AdapterError> {
        Err(down())
    }
    async fn find_user_by_email(&self, _: &Email) -> Result<Option<BasicUser>, AdapterError> {
        Err(down())
    }
    async fn save_session(&self, _: &SessionRecord) -> Result<(), AdapterError> {
        Ok(())
    }
    async fn refresh_session(&self, _: &SessionRecord) -> Result<bool, AdapterError> {
        Err(down())
    }
    async fn validate_token(&self, _: &TokenHash) -> Result<Option<SessionRecord>, AdapterError> {
        Err(down())
    }
    async fn delete_session(&self, _: &TokenHash) -> Result<bool, AdapterError> {
        Err(down())
    }
    async fn list_sessions(&self, _: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        Err(down())
    }
    async fn delete_user_sessions(
        &self,
        _: &str,
        _: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        Err(down())
    }
    async fn purge_expired_sessions(&self, _: u64) -> Result<u64, AdapterError> {
        Err(down())
    }
}

#[actix_web::test]
async fn a_down_adapter_is_503_for_both_extractors() {
    let auth = Auth::builder(DownAdapter)
        .secret(SECRET)
        .base_url(ORIGIN)
        .build()
        .expect("valid configuration");
    let user = BasicUser {
        id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    };
    let signed_in = auth
        .create_session(
            user,
            ClientInfo::default(),
            nanoauth::SignInMethod::new("test"),
        )
        .await
        .expect("saving succeeds")
        .signed_in()
        .expect("no second factor here");
    let cookie = format!("{}={}", auth.cookie_name(), signed_in.token.expose_secret());
    let app = test::init_service(
        App::new()
            .configure(nanoauth_actix::configure(auth))
            .service(me)
            .service(maybe),
    )
    .await;

    for path in ["/me", "/maybe"] {
        let (status, body) = call_json(&app, get(path, Some(&cookie))).await;
        assert_eq!(status, 503, "{path}");
        assert_eq!(body["error"]["code"], "DATABASE_UNAVAILABLE", "{path}");
        assert!(
            !body.to_string().contains("connection refused"),
            "internal detail leaked: {body}"
        );
    }
    // Without a token there is nothing to look up: no database needed.
    let (status, _) = call_json(&app, get("/maybe", None)).await;
    assert_eq!(status, 200);
}

#[actix_web::test]
async fn extractors_without_configuration_are_a_500() {
    let app = test::init_service(App::new().service(me).service(maybe)).await;
    for path in ["/me", "/maybe"] {
        let (status, body) = call_json(&app, get(path, None)).await;
        assert_eq!(status, 500, "{path}");
        assert_eq!(body["error"]["code"], "INTERNAL_ERROR", "{path}");
    }
}

#[actix_web::test]
async fn data_and_scope_wire_the_halves_separately() {
    let auth = auth();
    let app = test::init_service(
        App::new()
            .app_data(nanoauth_actix::data(auth.clone()))
            .service(nanoauth_actix::scope(auth))
            .service(me),
    )
    .await;
    let cookie = signed_up(&app, "ada@example.com").await;
    let (status, body) = call_json(&app, get("/me", Some(&cookie))).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "ada@example.com");
}

#[actix_web::test]
async fn a_refreshed_session_sends_its_new_cookie() {
    // Every lookup slides the expiry: each one issues a new token.
    let auth = auth_with(|builder| builder.session_update_age(0));
    let app = app(auth.clone()).await;
    let cookie = signed_up(&app, "ada@example.com").await;

    let response = test::call_service(&app, get("/me", Some(&cookie)).to_request()).await;
    assert_eq!(response.status(), 200);
    let refreshed = set_cookies(&response);
    assert_eq!(refreshed.len(), 1, "{refreshed:?}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(
            refreshed[0].contains(attribute),
            "{attribute} missing in {refreshed:?}"
        );
    }
    let new_cookie = cookie_pair(&response);
    let (status, _) = call_json(&app, get("/me", Some(&new_cookie))).await;
    assert_eq!(status, 200);

    // MaybeSession refreshes too; no session, no cookie.
    let response = test::call_service(&app, get("/maybe", Some(&cookie)).to_request()).await;
    assert_eq!(set_cookies(&response).len(), 1);
    let response = test::call_service(&app, get("/maybe", None).to_request()).await;
    assert!(set_cookies(&response).is_empty());

    // Without the middleware the response is left alone.
    let bare = test::init_service(
        App::new()
            .configure(nanoauth_actix::configure(auth))
            .service(me),
    )
    .await;
    let response = test::call_service(&bare, get("/me", Some(&cookie)).to_request()).await;
    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
}

#[actix_web::test]
async fn a_session_that_is_not_due_for_refresh_sends_no_cookie() {
    let app = app(auth()).await;
    let cookie = signed_up(&app, "ada@example.com").await;
    let response = test::call_service(&app, get("/me", Some(&cookie)).to_request()).await;
    assert_eq!(response.status(), 200);
    assert!(set_cookies(&response).is_empty());
}
