//! The test world of the owner tests: an `Auth` over one adapter with
//! email/password sign-in, the API-key plugin (administrators: the user
//! `root@example.com`) and, with the `organization` feature, the
//! organization plugin; and the adapters it runs on.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    missing_debug_implementations,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{
    Auth, AuthUser, BasicUser, Clock, EmailVerificationAdapter, PasswordAdapter, RecordAdapter,
    VerificationAdapter,
};
use nanoauth_api_key::ApiKeys;
use nanoauth_sqlx::SqlAdapter;
use nanoauth_testing::databases;
use serde_json::{Value, json};

pub const ORIGIN: &str = "http://localhost:3000";
pub const ROOT: &str = "root@example.com";

#[derive(Debug, Clone)]
pub struct TestClock(pub Arc<AtomicU64>);

impl TestClock {
    pub fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// What the tests need of storage (the organization plugin's too).
pub trait TestAdapter:
    RecordAdapter<BasicUser>
    + PasswordAdapter<BasicUser>
    + VerificationAdapter<BasicUser>
    + EmailVerificationAdapter<BasicUser>
{
}
impl<A> TestAdapter for A where
    A: RecordAdapter<BasicUser>
        + PasswordAdapter<BasicUser>
        + VerificationAdapter<BasicUser>
        + EmailVerificationAdapter<BasicUser>
{
}

pub struct World<A: TestAdapter> {
    pub auth: Auth<BasicUser, A>,
    pub clock: TestClock,
}

/// A signed-in user: their id and bearer header.
pub struct Person {
    pub id: String,
    pub bearer: String,
}

pub fn world<A: TestAdapter>(adapter: A) -> World<A> {
    let clock = TestClock(Arc::new(AtomicU64::new(1_700_000_000)));
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap_or_default();
    let builder = Auth::builder(adapter)
        .secret("test secret that is at least thirty-two bytes long")
        .base_url(ORIGIN)
        .clock(clock.clone())
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        .plugin(ApiKeys::new().administrators(|user: &BasicUser| user.email() == ROOT));
    #[cfg(feature = "organization")]
    let builder = builder.plugin(nanoauth_organization::Organizations::new(
        nanoauth::email::DangerConsoleSender,
    ));
    World {
        auth: builder.build().unwrap(),
        clock,
    }
}

impl<A: TestAdapter> World<A> {
    pub async fn person(&self, email: &str) -> Person {
        let (status, body) = self
            .call(
                "POST",
                "/signup/email",
                ("x-test", "1"),
                Some(json!({ "email": email, "password": "correct horse battery", "name": "A" })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Person {
            id: body["user"]["id"].as_str().unwrap().to_owned(),
            bearer: format!("Bearer {}", body["token"].as_str().unwrap()),
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        credential: (&str, &str),
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let request = Request::builder()
            .method(method)
            .uri(format!("/api/auth{path}"))
            .header("origin", ORIGIN)
            .header(credential.0, credential.1);
        let request = match body {
            Some(body) => request
                .header("content-type", "application/json")
                .body(body.to_string()),
            None => request.body(String::new()),
        }
        .unwrap();
        let response: Response<Bytes> = self.auth.handler(request).await;
        let status = response.status();
        (
            status,
            serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        )
    }

    /// `POST path` as `person`.
    pub async fn post(&self, person: &Person, path: &str, body: Value) -> (StatusCode, Value) {
        self.call("POST", path, ("authorization", &person.bearer), Some(body))
            .await
    }

    /// `GET path` as `person`.
    pub async fn get(&self, person: &Person, path: &str) -> (StatusCode, Value) {
        self.call("GET", path, ("authorization", &person.bearer), None)
            .await
    }

    /// `GET /session` with only `key`.
    pub async fn session_of(&self, key: &str) -> Value {
        let (status, body) = self.call("GET", "/session", ("x-api-key", key), None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

pub fn memory() -> MemoryAdapter<BasicUser> {
    MemoryAdapter::new()
}

pub async fn sqlite() -> SqlAdapter<BasicUser> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-api-key");
    migrated(&databases::sqlite_url(&dir)).await
}

/// A fresh schema on the PostgreSQL server, or `None` (the skip printed).
pub async fn postgres() -> Option<SqlAdapter<BasicUser>> {
    Some(migrated(&databases::postgres_url().await?).await)
}

/// A fresh database on the MySQL/MariaDB server, or `None` (the skip printed).
pub async fn mysql() -> Option<SqlAdapter<BasicUser>> {
    Some(migrated(&databases::mysql_url().await?).await)
}

async fn migrated(url: &str) -> SqlAdapter<BasicUser> {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
}

/// One test per adapter for each named case: `memory::case`,
/// `sqlite::case`, `postgres::case`, `mysql::case` (the last two when
/// their server is there).
#[macro_export]
macro_rules! on_every_adapter {
    ($($case:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::common::memory()).await;
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::common::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some(adapter) = $crate::common::postgres().await {
                        super::$case(adapter).await;
                    }
                }
            )+
        }
        mod mysql {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some(adapter) = $crate::common::mysql().await {
                        super::$case(adapter).await;
                    }
                }
            )+
        }
    };
}
