//! Shared test fixtures: an application user type with a privileged field,
//! an `Auth` over the in-memory adapter, and request helpers.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, AuthUser, Clock, NewUser};
use serde::{Deserialize, Serialize};

mod link_page;
#[allow(unused_imports)] // Not every test file follows links.
pub use link_page::{PageForm, follow, path_of};

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// An application's own user: `role` must never be settable by a client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Deserialize)]
pub struct MemberSignUp {
    pub name: String,
}

/// What a member may change: the name. `role` is not here, so an update
/// can never set it.
#[derive(Deserialize)]
pub struct MemberUpdate {
    pub name: Option<String>,
}

impl AuthUser for Member {
    type SignUp = MemberSignUp;
    type Update = MemberUpdate;

    fn id(&self) -> &str {
        &self.id
    }

    fn email(&self) -> &str {
        &self.email
    }

    fn from_sign_up(new: NewUser<MemberSignUp>) -> Self {
        Member {
            id: new.id,
            email: new.email.into(),
            name: new.fields.name,
            role: "member".into(),
        }
    }

    fn apply_update(&mut self, update: MemberUpdate) {
        if let Some(name) = update.name {
            self.name = name;
        }
    }
}

pub type TestAuth = Auth<Member, MemoryAdapter<Member>>;

pub const ORIGIN: &str = "http://localhost:3000";
pub const SECRET: &str = "test secret that is at least thirty-two bytes long";

/// A clock the test moves by hand.
#[derive(Debug, Clone, Default)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn at(seconds: u64) -> Self {
        Self(Arc::new(AtomicU64::new(seconds)))
    }

    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Cheap Argon2 parameters: the handler tests are about flows, not cost.
pub fn fast_plugin() -> EmailPassword {
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    EmailPassword::new().hasher(hasher)
}

/// An `Auth` for flow tests: rate limits off, because these tests send many
/// attempts from one (unknown) client within a second. `tests/rate_limit.rs`
/// tests the limits with `auth_with_limits`.
pub fn auth_with_clock(clock: TestClock) -> TestAuth {
    auth_with_limits(clock, nanoauth::rate_limit::RateLimit::danger_disabled())
}

pub fn auth_with_limits(clock: TestClock, limits: nanoauth::rate_limit::RateLimit) -> TestAuth {
    Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(clock)
        .rate_limit(limits)
        .plugin(fast_plugin())
        .build()
        .unwrap_or_else(|error| unreachable!("test config is valid: {error}"))
}

pub fn auth() -> TestAuth {
    auth_with_clock(TestClock::at(1_700_000_000))
}

/// A JSON POST from the trusted origin.
pub fn post(path: &str, body: &str) -> Request<String> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("origin", ORIGIN)
        .body(body.to_owned())
        .unwrap_or_else(|_| unreachable!())
}

pub fn get(path: &str) -> Request<String> {
    Request::get(path)
        .body(String::new())
        .unwrap_or_else(|_| unreachable!())
}

pub fn with_header(
    mut request: Request<String>,
    name: &'static str,
    value: &str,
) -> Request<String> {
    request.headers_mut().append(
        name,
        value
            .parse()
            .unwrap_or_else(|_| unreachable!("test header values are valid")),
    );
    request
}

pub fn json(response: &Response<Bytes>) -> serde_json::Value {
    serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null)
}

pub fn error_code(response: &Response<Bytes>) -> String {
    json(response)["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// `name=value` of the response's session cookie, ready for a `Cookie` header.
pub fn cookie(response: &Response<Bytes>) -> String {
    response
        .headers()
        .get("set-cookie")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

pub async fn sign_up(auth: &TestAuth, email: &str, password: &str) -> Response<Bytes> {
    let body = serde_json::json!({ "email": email, "password": password, "name": "Test" });
    auth.handler(post("/api/auth/signup/email", &body.to_string()))
        .await
}

pub async fn sign_in(auth: &TestAuth, email: &str, password: &str) -> Response<Bytes> {
    let body = serde_json::json!({ "email": email, "password": password });
    auth.handler(post("/api/auth/signin/email", &body.to_string()))
        .await
}

/// `GET /session` with a `Cookie` header.
pub async fn session_with_cookie(auth: &TestAuth, cookie: &str) -> Response<Bytes> {
    auth.handler(with_header(get("/api/auth/session"), "cookie", cookie))
        .await
}
