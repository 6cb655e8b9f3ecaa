//! The compatibility routes over HTTP, through `Auth::handler` (no server):
//! better-auth's shapes and error codes, its cookie name, and NanoAuth's
//! pipeline still in front of them (origin check, rate limits, strict
//! bodies), on the memory adapter, SQLite, and PostgreSQL and
//! MySQL/MariaDB when their URL variables are set.

#![allow(
    missing_docs,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response, StatusCode, header};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::adapter::{EmailVerificationAdapter, PasswordAdapter};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser, ClientAddr};
use nanoauth_better_auth::BetterAuthCompat;
use nanoauth_sqlx::SqlAdapter;
use nanoauth_testing::databases;
use serde_json::{Value, json};

const ORIGIN: &str = "http://localhost:3000";
const PASSWORD: &str = "correct horse battery";
const COOKIE: &str = "better-auth.session_token";

trait TestAdapter: PasswordAdapter<BasicUser> + EmailVerificationAdapter<BasicUser> {}
impl<A: PasswordAdapter<BasicUser> + EmailVerificationAdapter<BasicUser>> TestAdapter for A {}

fn auth<A: TestAdapter>(adapter: A) -> Auth<BasicUser, A> {
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .cookie_prefix("better-auth")
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(BetterAuthCompat::new())
        .build()
        .unwrap()
}

/// A browser at `ORIGIN` (client address `peer`), keeping its cookie.
struct Browser<'a, A: TestAdapter> {
    auth: &'a Auth<BasicUser, A>,
    peer: SocketAddr,
    cookie: Option<String>,
}

impl<'a, A: TestAdapter> Browser<'a, A> {
    fn new(auth: &'a Auth<BasicUser, A>, peer: &str) -> Self {
        Self {
            auth,
            peer: peer.parse().unwrap(),
            cookie: None,
        }
    }

    async fn send(&mut self, request: http::request::Builder, body: &str) -> Response<Bytes> {
        let mut request = request
            .header(header::ORIGIN, ORIGIN)
            .extension(ClientAddr(self.peer));
        if !body.is_empty() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some(cookie) = &self.cookie {
            request = request.header(header::COOKIE, format!("{COOKIE}={cookie}"));
        }
        let response = self
            .auth
            .handler(request.body(body.to_owned()).unwrap())
            .await;
        assert_ne!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            if let Some(rest) = set.strip_prefix(&format!("{COOKIE}=")) {
                let value = rest.split(';').next().unwrap();
                self.cookie = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        response
    }

    async fn post(&mut self, path: &str, body: Value) -> (StatusCode, Value) {
        let request = Request::post(format!("/api/auth{path}"));
        let response = self.send(request, &body.to_string()).await;
        (response.status(), json_of(&response))
    }

    async fn get(&mut self, path: &str) -> (StatusCode, Value) {
        let response = self
            .send(Request::get(format!("/api/auth{path}")), "")
            .await;
        (response.status(), json_of(&response))
    }
}

fn json_of(response: &Response<Bytes>) -> Value {
    serde_json::from_slice(response.body()).unwrap()
}

fn sign_up_body(email: &str) -> Value {
    json!({ "name": "Ada", "email": email, "password": PASSWORD })
}

fn is_iso(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 24 && text.ends_with(".000Z") && text.as_bytes()[10] == b'T'
}

async fn shapes_and_cookie<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    let mut browser = Browser::new(&auth, "192.0.2.1:5000");

    // Sign-up: `{token, user}` and better-auth's cookie name.
    let response = browser
        .send(
            Request::post("/api/auth/sign-up/email"),
            &sign_up_body("ada@example.com").to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        set_cookie.starts_with("better-auth.session_token="),
        "{set_cookie}"
    );
    assert!(set_cookie.contains("HttpOnly"));
    let body = json_of(&response);
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|token| !token.is_empty())
    );
    let user = &body["user"];
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada");
    assert_eq!(user["image"], Value::Null);
    assert_eq!(user["emailVerified"], false);
    assert!(user.get("createdAt").is_some() && user.get("updatedAt").is_some());

    // get-session: `{session, user}`, dates as ISO strings, and the
    // session's `token` is its public id, not the secret.
    let (status, body) = browser.get("/get-session").await;
    assert_eq!(status, StatusCode::OK);
    let session = &body["session"];
    assert_eq!(session["userId"], id.as_str());
    assert_eq!(session["token"], session["id"]);
    assert_ne!(session["token"].as_str(), browser.cookie.as_deref());
    for field in ["expiresAt", "createdAt", "updatedAt"] {
        assert!(is_iso(&session[field]), "{field}: {}", session[field]);
    }
    assert_eq!(body["user"]["id"], id.as_str());
    assert_eq!(body["user"]["emailVerified"], false);

    // Sign-out: `{success: true}`, the cookie cleared, the session gone.
    let kept = browser.cookie.clone();
    let (status, body) = browser.post("/sign-out", json!({})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "success": true })));
    assert_eq!(browser.cookie, None);
    browser.cookie = kept;
    assert_eq!(
        browser.get("/get-session").await,
        (StatusCode::OK, Value::Null)
    );
    browser.cookie = None;

    // Sign-in: `{redirect, token, user}`; with a callbackURL on the site,
    // `redirect: true` and the URL.
    let (status, body) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "ada@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["redirect"], false);
    assert!(body.get("url").is_none());
    assert_eq!(body["user"]["id"], id.as_str());
    assert_eq!(body["token"].as_str(), browser.cookie.as_deref());
    let (status, body) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "ada@example.com", "password": PASSWORD, "callbackURL": "/dashboard" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["redirect"], true);
    assert!(body["url"].as_str().unwrap().ends_with("/dashboard"));
}

async fn errors<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    let mut browser = Browser::new(&auth, "192.0.2.2:5000");
    assert_eq!(
        browser
            .post("/sign-up/email", sign_up_body("bo@example.com"))
            .await
            .0,
        StatusCode::OK
    );
    browser.cookie = None;

    // A wrong password and an unknown address: one answer.
    let wrong =
        json!({ "code": "INVALID_EMAIL_OR_PASSWORD", "message": "Invalid email or password" });
    let (status, body) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "bo@example.com", "password": "wrong password" }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, wrong.clone()));
    let (status, body) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "nobody@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!((status, body), (StatusCode::UNAUTHORIZED, wrong));

    // A taken address: better-auth's code and status.
    let mut other = Browser::new(&auth, "192.0.2.3:5000");
    let (status, body) = other
        .post("/sign-up/email", sign_up_body("bo@example.com"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["code"], "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");

    // Invalid input, better-auth's codes.
    let (status, body) = other
        .post(
            "/sign-up/email",
            json!({ "email": "x@example.com", "password": "short" }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("PASSWORD_TOO_SHORT"))
    );
    let (status, body) = other
        .post(
            "/sign-in/email",
            json!({ "email": "not an address", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_EMAIL"))
    );
    // A callbackURL off the site is refused before any password check.
    let (status, body) = other
        .post("/sign-in/email", json!({ "email": "bo@example.com", "password": PASSWORD, "callbackURL": "https://evil.example/" }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_CALLBACK_URL"))
    );
    assert_eq!(other.cookie, None);

    // Routes that need a session.
    for path in ["/list-sessions"] {
        let (status, body) = other.get(path).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED"))
        );
    }
    for path in ["/revoke-sessions", "/revoke-other-sessions"] {
        let (status, body) = other.post(path, json!({})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED"))
        );
    }

    // NanoAuth's own route keeps NanoAuth's shape beside them.
    let (status, body) = other
        .post(
            "/signin/email",
            json!({ "email": "bo@example.com", "password": "wrong password" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "INVALID_CREDENTIALS");
}

async fn malformed_bodies<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    let mut browser = Browser::new(&auth, "192.0.2.4:5000");
    for path in ["/sign-up/email", "/sign-in/email", "/revoke-session"] {
        for body in [
            "{",
            "[]",
            "\"text\"",
            "{\"email\": 5}",
            "{\"email\":\"a@b.co\",\"email\":\"c@d.co\",\"password\":\"x\"}",
            "{\"email\":\"a\\u0000@b.co\",\"password\":\"p\"}",
        ] {
            let response = browser
                .send(Request::post(format!("/api/auth{path}")), body)
                .await;
            let status = response.status();
            assert!(
                status == StatusCode::BAD_REQUEST
                    || status == StatusCode::TOO_MANY_REQUESTS
                    || status == StatusCode::UNAUTHORIZED,
                "{path} {body}: {status}"
            );
            let json = json_of(&response);
            assert!(
                json["code"].is_string() && json["message"].is_string(),
                "{path} {body}: {json}"
            );
        }
    }
    // Not JSON at all: the core refuses it before the endpoint, in
    // better-auth's shape.
    let request = Request::post("/api/auth/sign-out")
        .header(header::ORIGIN, ORIGIN)
        .header(header::CONTENT_TYPE, "text/plain")
        .extension(ClientAddr("192.0.2.5:5000".parse().unwrap()))
        .body("hello".to_owned())
        .unwrap();
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(json_of(&response)["code"], "UNSUPPORTED_MEDIA_TYPE");
}

async fn origin_check<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    for path in ["/sign-up/email", "/sign-in/email", "/sign-out"] {
        let request = Request::post(format!("/api/auth{path}"))
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "application/json")
            .extension(ClientAddr("192.0.2.6:5000".parse().unwrap()))
            .body(sign_up_body("eve@example.com").to_string())
            .unwrap();
        let response = auth.handler(request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert_eq!(
            json_of(&response),
            json!({ "code": "INVALID_ORIGIN", "message": "Invalid origin" })
        );
        assert!(response.headers().get(header::SET_COOKIE).is_none());
    }
    // Nothing was created.
    let mut browser = Browser::new(&auth, "192.0.2.7:5000");
    let (status, _) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "eve@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn rate_limits_apply<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    let mut browser = Browser::new(&auth, "192.0.2.8:5000");
    let attempt = json!({ "email": "nobody@example.com", "password": PASSWORD });
    for _ in 0..3 {
        assert_eq!(
            browser.post("/sign-in/email", attempt.clone()).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let response = browser
        .send(
            Request::post("/api/auth/sign-in/email"),
            &attempt.to_string(),
        )
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().get(header::RETRY_AFTER).is_some());
    assert_eq!(json_of(&response)["code"], "RATE_LIMITED");
    // Another client is not affected.
    let mut other = Browser::new(&auth, "198.51.100.1:5000");
    assert_eq!(
        other.post("/sign-in/email", attempt).await.0,
        StatusCode::UNAUTHORIZED
    );
}

async fn sessions<A: TestAdapter>(adapter: A) {
    let auth = auth(adapter);
    let mut laptop = Browser::new(&auth, "192.0.2.9:5000");
    let mut phone = Browser::new(&auth, "192.0.2.10:5000");
    let mut tablet = Browser::new(&auth, "192.0.2.11:5000");
    let mut mallory = Browser::new(&auth, "192.0.2.12:5000");
    laptop
        .post("/sign-up/email", sign_up_body("cy@example.com"))
        .await;
    let credentials = json!({ "email": "cy@example.com", "password": PASSWORD });
    assert_eq!(
        phone.post("/sign-in/email", credentials.clone()).await.0,
        StatusCode::OK
    );
    assert_eq!(
        tablet.post("/sign-in/email", credentials).await.0,
        StatusCode::OK
    );
    mallory
        .post("/sign-up/email", sign_up_body("mallory@example.com"))
        .await;

    let (status, listed) = laptop.get("/list-sessions").await;
    assert_eq!(status, StatusCode::OK);
    let listed = listed.as_array().unwrap().clone();
    assert_eq!(listed.len(), 3);
    assert!(
        listed
            .iter()
            .all(|session| is_iso(&session["expiresAt"]) && session["token"] == session["id"])
    );
    let (_, current) = phone.get("/get-session").await;
    let phone_id = current["session"]["id"].clone();

    // Someone else's session id ends nothing.
    let (status, body) = mallory
        .post("/revoke-session", json!({ "token": phone_id }))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": true })));
    assert_eq!(phone.get("/get-session").await.1["session"]["id"], phone_id);

    // The owner ends it.
    let (status, body) = laptop
        .post("/revoke-session", json!({ "token": phone_id }))
        .await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": true })));
    assert_eq!(phone.get("/get-session").await.1, Value::Null);

    // Others: the laptop stays, the tablet goes.
    let (status, body) = laptop.post("/revoke-other-sessions", json!({})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": true })));
    assert_eq!(tablet.get("/get-session").await.1, Value::Null);
    assert_eq!(
        laptop
            .get("/list-sessions")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // All: the laptop too, its cookie cleared.
    let (status, body) = laptop.post("/revoke-sessions", json!({})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "status": true })));
    assert_eq!(laptop.cookie, None);
    assert_eq!(
        mallory.get("/get-session").await.1["user"]["email"],
        "mallory@example.com"
    );
}

/// A user imported from better-auth (its hash, written by better-auth
/// 1.7.25's own `hashPassword`: the core's fixture) signs in through
/// better-auth's route with the password they had, and from then on holds
/// an Argon2id hash.
async fn an_imported_user_signs_in_and_is_rehashed<A: TestAdapter>(adapter: A) {
    const HASH: &str = "b7d2b8bccd7aa28006441194b492b703:8aa4a68c942893f254973622be25155da753a61817f01163b2959ffbe415f46ecb2f81be9d14ec9416f9a90177632ef5866f61ed0ae07d42eafb13cd52741cf0";
    const OLD_PASSWORD: &str = "correct horse battery staple";
    let imported = BasicUser {
        id: "better-auth-user-1".into(),
        email: "dee@example.com".into(),
        name: "Dee".into(),
    };
    adapter
        .create_user_with_password(&imported, HASH)
        .await
        .unwrap();
    let auth = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .cookie_prefix("better-auth")
        .plugin(EmailPassword::new().accept_better_auth_hashes())
        .plugin(BetterAuthCompat::new())
        .build()
        .unwrap();
    let mut browser = Browser::new(&auth, "192.0.2.13:5000");
    let (status, body) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "dee@example.com", "password": OLD_PASSWORD }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["user"]["id"], "better-auth-user-1");
    let email = nanoauth::Email::parse("dee@example.com").unwrap();
    let stored = auth
        .adapter()
        .find_password_credential(&email)
        .await
        .unwrap()
        .unwrap()
        .password_hash;
    assert!(stored.starts_with("$argon2id$"), "rehashed: {stored}");
}

/// Catches the reset mail.
#[derive(Debug, Clone, Default)]
struct Outbox(std::sync::Arc<std::sync::Mutex<Vec<nanoauth::email::OutgoingEmail>>>);

impl nanoauth::email::EmailSender for Outbox {
    fn send<'a>(
        &'a self,
        message: &'a nanoauth::email::OutgoingEmail,
    ) -> nanoauth::BoxFuture<'a, Result<(), nanoauth::email::EmailError>> {
        Box::pin(async move {
            self.0.lock().unwrap().push(message.clone());
            Ok(())
        })
    }
}

/// better-auth's password-reset calls reach NanoAuth's own routes (same
/// bodies, the link on `redirectTo?token=`) and get better-auth's
/// `status: true` beside NanoAuth's `success: true`.
async fn password_reset_answers_carry_status<
    A: TestAdapter + nanoauth::VerificationAdapter<BasicUser>,
>(
    adapter: A,
) {
    let outbox = Outbox::default();
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let auth = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .cookie_prefix("better-auth")
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(nanoauth::plugins::password_reset::PasswordReset::new(
            outbox.clone(),
        ))
        .plugin(BetterAuthCompat::new())
        .build()
        .unwrap();
    let mut browser = Browser::new(&auth, "192.0.2.14:5000");
    browser
        .post("/sign-up/email", sign_up_body("eli@example.com"))
        .await;
    browser.cookie = None;

    let (status, body) = browser
        .post(
            "/request-password-reset",
            json!({ "email": "eli@example.com", "redirectTo": "/reset" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({ "success": true, "status": true }));
    // The mail goes out in the background.
    let mut link = String::new();
    for _ in 0..200 {
        if let Some(mail) = outbox.0.lock().unwrap().last() {
            link = mail
                .text
                .split_whitespace()
                .find(|w| w.starts_with("http"))
                .unwrap_or_default()
                .to_owned();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let token = link
        .split_once("token=")
        .map(|(_, token)| token.to_owned())
        .unwrap_or_default();
    assert!(
        link.starts_with(&format!("{ORIGIN}/reset?token=")) && !token.is_empty(),
        "{link}"
    );

    let (status, body) = browser
        .post(
            "/reset-password",
            json!({ "newPassword": "a brand new password", "token": token }),
        )
        .await;
    assert_eq!(
        (status, body),
        (StatusCode::OK, json!({ "success": true, "status": true }))
    );
    let (status, _) = browser
        .post(
            "/sign-in/email",
            json!({ "email": "eli@example.com", "password": "a brand new password" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // A used token: NanoAuth's error, unchanged.
    let (status, body) = browser
        .post(
            "/reset-password",
            json!({ "newPassword": "another new password", "token": token }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "INVALID_TOKEN");
}

async fn sqlite() -> SqlAdapter<BasicUser> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-better-auth");
    migrated(&databases::sqlite_url(&dir)).await
}

async fn migrated(url: &str) -> SqlAdapter<BasicUser> {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
}

macro_rules! on_every_adapter {
    ($($case:ident),+ $(,)?) => {
        mod memory {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::MemoryAdapter::<super::BasicUser>::new()).await;
            })+
        }
        mod sqlite {
            $(#[tokio::test]
            async fn $case() {
                super::$case(super::sqlite().await).await;
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $case() {
                if let Some(url) = super::databases::postgres_url().await {
                    super::$case(super::migrated(&url).await).await;
                }
            })+
        }
        mod mysql {
            $(#[tokio::test]
            async fn $case() {
                if let Some(url) = super::databases::mysql_url().await {
                    super::$case(super::migrated(&url).await).await;
                }
            })+
        }
    };
}

on_every_adapter!(
    shapes_and_cookie,
    errors,
    malformed_bodies,
    origin_check,
    rate_limits_apply,
    sessions,
    an_imported_user_signs_in_and_is_rehashed,
    password_reset_answers_carry_status
);
