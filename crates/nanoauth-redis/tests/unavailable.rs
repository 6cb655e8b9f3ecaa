//! A Redis server that cannot be reached: every operation is
//! `AdapterError::Unavailable`, the handler answers 503, and the connection
//! recovers once the server is back. The first two tests need no server.

mod common;

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{TestResult, now, session};
use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    Adapter, AdapterError, Auth, BasicUser, ClientInfo, VerificationAdapter, VerificationRecord,
};
use nanoauth_redis::{RedisCounters, RedisSessions, RedisStore};

/// Nothing listens on port 1: connections are refused at once.
const UNREACHABLE: &str = "redis://127.0.0.1:1";
const SECRET: &str = "unavailable-test secret, thirty-two bytes or more";

fn unreachable_sessions() -> Result<RedisSessions<MemoryAdapter<BasicUser>>, AdapterError> {
    let store = RedisStore::builder(UNREACHABLE).connect_lazy()?;
    Ok(RedisSessions::new(MemoryAdapter::new(), store))
}

fn assert_unavailable<T: std::fmt::Debug>(what: &str, result: Result<T, AdapterError>) {
    assert!(
        matches!(result, Err(AdapterError::Unavailable(_))),
        "{what}: expected Unavailable, got {result:?}"
    );
}

#[tokio::test]
async fn every_operation_is_unavailable() -> TestResult {
    assert_unavailable("connect", RedisStore::connect(UNREACHABLE).await);

    let adapter = unreachable_sessions()?;
    let started = Instant::now();
    let hash = TokenHash::of("token");
    assert_unavailable("validate_token", adapter.validate_token(&hash).await);
    assert_unavailable(
        "save_session",
        adapter.save_session(&session("u", now() + 60)?).await,
    );
    assert_unavailable("delete_session", adapter.delete_session(&hash).await);
    assert_unavailable("list_sessions", adapter.list_sessions("u").await);
    assert_unavailable(
        "delete_user_sessions",
        adapter.delete_user_sessions("u", None).await,
    );
    let record = VerificationRecord::new(hash, "magic-link", "u", now() + 60);
    assert_unavailable(
        "save_verification",
        VerificationAdapter::<BasicUser>::save_verification(&adapter, &record).await,
    );
    assert_unavailable(
        "consume_verification",
        VerificationAdapter::<BasicUser>::consume_verification(&adapter, &hash, "magic-link").await,
    );
    assert_unavailable("ping", adapter.store().ping().await);
    let counters = RedisCounters::new(adapter.store().clone());
    assert_unavailable("increment", counters.increment("k", 60).await);
    // Users live elsewhere and stay reachable.
    assert_eq!(adapter.get_user("u").await?, None);
    // Eleven operations against a refusing server, each answered at once
    // rather than after retries.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "failing fast: {:?}",
        started.elapsed()
    );
    Ok(())
}

#[tokio::test]
async fn the_handler_answers_503_database_unavailable() -> TestResult {
    let user = BasicUser {
        id: "user-503".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    };
    // A reachable store signs the user in; the session token it issues is
    // verified by the signature alone, so an `Auth` with the same secret over
    // the unreachable store accepts it as well-formed and asks Redis.
    let reachable = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(SECRET)
        .base_url("http://localhost:3000")
        .build()?;
    let signed_in = reachable
        .create_session(
            user,
            ClientInfo::default(),
            nanoauth::SignInMethod::new("test"),
        )
        .await?
        .signed_in()
        .ok_or("a second factor was asked for")?;
    let set_cookie = reachable.session_cookie(&signed_in.token)?;
    let cookie = set_cookie
        .to_str()?
        .split(';')
        .next()
        .ok_or("a cookie")?
        .to_owned();
    let session_request = || {
        http::Request::get("/api/auth/session")
            .header("cookie", &cookie)
            .body(String::new())
    };
    let response = reachable.handler(session_request()?).await;
    assert_eq!(response.status(), StatusCode::OK, "the cookie is valid");

    let down = Auth::builder(unreachable_sessions()?)
        .secret(SECRET)
        .base_url("http://localhost:3000")
        .build()?;
    let response = down.handler(session_request()?).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = serde_json::from_slice(response.body())?;
    assert_eq!(body["error"]["code"], "DATABASE_UNAVAILABLE", "{body}");

    // Without a cookie there is nothing to look up: not a 503.
    let anonymous = http::Request::get("/api/auth/session").body(String::new())?;
    assert_eq!(down.handler(anonymous).await.status(), StatusCode::OK);
    Ok(())
}

/// A `redis-server` this test started, killed when dropped.
struct Server(Child);

impl Server {
    fn start(port: u16) -> std::io::Result<Self> {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(std::env::temp_dir())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(Self(child))
    }

    fn stop(mut self) -> std::io::Result<()> {
        self.0.kill()?;
        self.0.wait().map(drop)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_until_ready(store: &RedisStore) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match store.ping().await {
            Ok(()) => return Ok(()),
            Err(error) if Instant::now() > deadline => {
                return Err(format!("Redis did not come back: {error}").into());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test]
async fn the_connection_recovers_after_a_restart() -> TestResult {
    if common::redis_url().is_none() {
        common::skipped("the_connection_recovers_after_a_restart");
        return Ok(());
    }
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = match Server::start(port) {
        Ok(server) => server,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("skipped the_connection_recovers_after_a_restart: no redis-server binary");
            return Ok(());
        }
        Err(error) => return Err(error.into()),
    };
    let store = RedisStore::builder(format!("redis://127.0.0.1:{port}")).connect_lazy()?;
    let adapter = RedisSessions::new(MemoryAdapter::<BasicUser>::new(), store);
    wait_until_ready(adapter.store()).await?;
    let before = session("restart-user", now() + 600)?;
    adapter.save_session(&before).await?;
    assert!(adapter.validate_token(&before.token_hash).await?.is_some());

    server.stop()?;
    // Answered fast: the first operation finds the server gone, the store
    // remembers it, and the next ones are refused at once while one at a
    // time checks again.
    for attempt in ["first", "second", "third"] {
        let started = Instant::now();
        assert_unavailable(
            &format!("validate_token while down ({attempt})"),
            adapter.validate_token(&before.token_hash).await,
        );
        let took = started.elapsed();
        eprintln!("Redis down: {attempt} 503 in {took:?}");
        assert!(took < Duration::from_millis(500), "{attempt}: {took:?}");
    }

    // Same port, empty data set (no persistence): the same store, untouched,
    // reconnects by itself.
    let _server = Server::start(port)?;
    wait_until_ready(adapter.store()).await?;
    assert_eq!(adapter.validate_token(&before.token_hash).await?, None);
    let after = session("restart-user", now() + 600)?;
    adapter.save_session(&after).await?;
    assert_eq!(
        adapter.validate_token(&after.token_hash).await?,
        Some(after)
    );
    Ok(())
}
