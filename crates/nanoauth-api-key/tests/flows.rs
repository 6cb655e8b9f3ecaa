//! API keys through `Auth::handler`: create with a session, use with only
//! the header, and every way a key stops working.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser, Clock, RecordAdapter};
use nanoauth_api_key::ApiKeys;

const ORIGIN: &str = "http://localhost:3000";

#[derive(Debug, Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

fn auth() -> (TestAuth, TestClock) {
    let clock = TestClock(Arc::new(AtomicU64::new(1_700_000_000)));
    let auth = Auth::builder(MemoryAdapter::new())
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .plugin(ApiKeys::new())
        .build()
        .unwrap();
    (auth, clock)
}

fn json(response: &Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null)
}

async fn post(
    auth: &TestAuth,
    path: &str,
    credential: (&str, &str),
    body: serde_json::Value,
) -> Response<Bytes> {
    let request = Request::post(format!("/api/auth{path}"))
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .header(credential.0, credential.1)
        .body(body.to_string())
        .unwrap();
    auth.handler(request).await
}

async fn get(auth: &TestAuth, path: &str, credential: (&str, &str)) -> Response<Bytes> {
    let request = Request::get(format!("/api/auth{path}"))
        .header(credential.0, credential.1)
        .body(String::new())
        .unwrap();
    auth.handler(request).await
}

/// Signs a user up; answers the bearer header of their session.
async fn signed_up(auth: &TestAuth, email: &str) -> String {
    let response = post(
        auth,
        "/signup/email",
        ("x-test", "1"),
        serde_json::json!({ "email": email, "password": "correct horse battery", "name": "A" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    format!("Bearer {}", json(&response)["token"].as_str().unwrap())
}

async fn create(
    auth: &TestAuth,
    bearer: &str,
    body: serde_json::Value,
) -> (String, serde_json::Value) {
    let response = post(auth, "/api-key/create", ("authorization", bearer), body).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", json(&response));
    let body = json(&response);
    (
        body["key"].as_str().unwrap().to_owned(),
        body["apiKey"].clone(),
    )
}

#[tokio::test]
async fn a_key_is_the_user_until_it_is_deleted() {
    let (auth, _) = auth();
    let bearer = signed_up(&auth, "ada@example.com").await;
    let (key, api_key) = create(
        &auth,
        &bearer,
        serde_json::json!({ "name": "deploy", "permissions": ["projects:read"] }),
    )
    .await;
    assert!(key.starts_with("na_v1_"));
    assert_eq!(api_key["start"].as_str().unwrap(), &key[..12]);
    assert_eq!(api_key["enabled"], true);

    let session = json(&get(&auth, "/session", ("x-api-key", &key)).await);
    assert_eq!(session["user"]["email"], "ada@example.com");
    assert_eq!(session["session"]["kind"], "api-key");
    assert_eq!(session["session"]["id"], api_key["id"]);
    assert_eq!(
        session["session"]["permissions"],
        serde_json::json!(["projects:read"])
    );

    // A cookie or bearer session says it is one.
    let own = json(&get(&auth, "/session", ("authorization", &bearer)).await);
    assert_eq!(own["session"]["kind"], "session");

    let list = json(&get(&auth, "/api-key/list", ("authorization", &bearer)).await);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert!(!list.to_string().contains(&key), "lists never show the key");
    assert!(list[0]["lastUsedAt"].is_number());

    let response = post(
        &auth,
        "/api-key/delete",
        ("authorization", &bearer),
        serde_json::json!({ "keyId": api_key["id"] }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let session = json(&get(&auth, "/session", ("x-api-key", &key)).await);
    assert!(session.is_null(), "a deleted key is refused at once");
}

#[tokio::test]
async fn disabled_and_expired_keys_are_refused() {
    let (auth, clock) = auth();
    let bearer = signed_up(&auth, "off@example.com").await;
    let (key, api_key) = create(
        &auth,
        &bearer,
        serde_json::json!({ "name": "ci", "expiresIn": 3600 }),
    )
    .await;
    assert!(!json(&get(&auth, "/session", ("x-api-key", &key)).await).is_null());

    let response = post(
        &auth,
        "/api-key/update",
        ("authorization", &bearer),
        serde_json::json!({ "keyId": api_key["id"], "enabled": false, "name": "ci (off)" }),
    )
    .await;
    assert_eq!(json(&response)["apiKey"]["enabled"], false);
    assert!(json(&get(&auth, "/session", ("x-api-key", &key)).await).is_null());
    post(
        &auth,
        "/api-key/update",
        ("authorization", &bearer),
        serde_json::json!({ "keyId": api_key["id"], "enabled": true }),
    )
    .await;
    assert!(!json(&get(&auth, "/session", ("x-api-key", &key)).await).is_null());

    clock.0.fetch_add(3600, Ordering::SeqCst);
    assert!(json(&get(&auth, "/session", ("x-api-key", &key)).await).is_null());
}

#[tokio::test]
async fn a_key_has_its_own_limit() {
    let (auth, _) = auth();
    let bearer = signed_up(&auth, "busy@example.com").await;
    let (key, _) = create(
        &auth,
        &bearer,
        serde_json::json!({ "name": "crawler", "rateLimit": { "max": 2, "window": 60 } }),
    )
    .await;
    for _ in 0..2 {
        assert_eq!(
            get(&auth, "/session", ("x-api-key", &key)).await.status(),
            StatusCode::OK
        );
    }
    let response = get(&auth, "/session", ("x-api-key", &key)).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn a_key_cannot_manage_keys_and_is_never_fresh() {
    let (auth, _) = auth();
    let bearer = signed_up(&auth, "leak@example.com").await;
    let (key, _) = create(&auth, &bearer, serde_json::json!({ "name": "leaked" })).await;
    let response = post(
        &auth,
        "/api-key/create",
        ("x-api-key", &key),
        serde_json::json!({ "name": "more" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(json(&response)["error"]["code"], "SESSION_REQUIRED");

    let request = Request::get("/")
        .header("x-api-key", &key)
        .body(())
        .unwrap();
    let session = auth.get_session(&request).await.unwrap().unwrap();
    assert_eq!(
        session.credential().map(nanoauth::Credential::kind),
        Some("api-key")
    );
    assert!(!auth.is_fresh(&session));
}

#[tokio::test]
async fn keys_are_stored_hashed_and_garbage_is_no_session() {
    let (auth, _) = auth();
    let bearer = signed_up(&auth, "hash@example.com").await;
    let (key, _) = create(&auth, &bearer, serde_json::json!({ "name": "x" })).await;
    let user = json(&get(&auth, "/session", ("authorization", &bearer)).await)["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let records = auth
        .adapter()
        .list_user_records("api-key", &user, 1_700_000_000)
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert!(!records[0].key.contains(&key[6..]) && !records[0].data.contains(&key[6..]));

    for garbage in [
        "",
        "na_v1_",
        "na_v1_short",
        "Bearer x",
        &format!("{key}x"),
        "na_v1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let response = get(&auth, "/session", ("x-api-key", garbage)).await;
        assert_eq!(response.status(), StatusCode::OK, "{garbage:?}");
        assert!(json(&response).is_null(), "{garbage:?}");
    }
    let response = post(
        &auth,
        "/api-key/create",
        ("authorization", &bearer),
        serde_json::json!({ "name": "" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = post(
        &auth,
        "/api-key/delete",
        ("authorization", &bearer),
        serde_json::json!({ "keyId": "nope" }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
