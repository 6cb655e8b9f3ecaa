//! Several instances as one (issue 21): three processes of the built demo
//! on loopback ports, over one PostgreSQL schema and one Redis key prefix,
//! each with its session cache on, behave as one application.
//!
//! Requests reach the instances as through a load balancer on 127.0.0.1
//! (a trusted proxy), each naming its client in `X-Forwarded-For`, so that
//! the per-client rate limits see many clients (the sign-ups) or one (the
//! limit that must hold across instances).
//!
//! Skipped, with the reason on the terminal, when PostgreSQL or Redis is
//! not there; in CI (`NANOAUTH_TEST_POSTGRES_URL`, `NANOAUTH_TEST_REDIS_URL`
//! set) a missing server fails it instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nanoauth_testing::{databases, servers};
use serde_json::Value;

const SECRET: &str = "several instances, one secret of thirty-two bytes or more";
/// The public URL every instance is configured with, as behind one load
/// balancer.
const BASE_URL: &str = "http://localhost:8080";
const PASSWORD: &str = "correct horse battery";
/// How long a revocation may take to reach the other instances.
const PROPAGATION_BOUND: Duration = Duration::from_millis(100);

/// The demo processes; killed (and reaped) when dropped, so a failed
/// assertion leaves none running.
struct Instances {
    children: Vec<Child>,
    urls: Vec<String>,
    logs: Vec<PathBuf>,
}

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() {
            for log in &self.logs {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(20).collect();
                eprintln!("--- {} (last lines)", log.display());
                for line in tail.into_iter().rev() {
                    eprintln!("{line}");
                }
            }
        }
    }
}

/// A loopback port nobody listens on now (never 3100, the browser test's).
fn free_port() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        if port != 3100 {
            return port;
        }
    }
}

/// Starts `count` demos over `database_url` and `redis_url` (keys under
/// `prefix`), and waits until each answers.
async fn start(count: usize, database_url: &str, redis_url: &str, prefix: &str) -> Instances {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("several-instances");
    let mut instances = Instances {
        children: Vec::new(),
        urls: Vec::new(),
        logs: Vec::new(),
    };
    for index in 0..count {
        let port = free_port();
        let data_dir = dir.join(format!("{prefix}{index}").replace(':', ""));
        std::fs::create_dir_all(&data_dir).unwrap();
        let log = data_dir.join("demo.log");
        let child = Command::new(env!("CARGO_BIN_EXE_nanoauth-demo"))
            .args(["--port", &port.to_string()])
            .args(["--database-url", database_url])
            .args(["--redis-url", redis_url])
            .args(["--redis-prefix", prefix])
            .args(["--session-cache", "60"])
            .args(["--base-url", BASE_URL])
            .args(["--trusted-proxy", "127.0.0.1"])
            .arg("--data-dir")
            .arg(&data_dir)
            .env("AUTH_SECRET", SECRET)
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .env_remove("REDIS_PREFIX")
            .env_remove("TRUSTED_PROXIES")
            .env_remove("NANOAUTH_DEMO_NO_RATE_LIMIT")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("the demo binary runs");
        instances.children.push(child);
        instances.urls.push(format!("http://127.0.0.1:{port}"));
        instances.logs.push(log);
    }
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    for index in 0..count {
        loop {
            let url = format!("{}/api/auth/session", instances.urls[index]);
            if client.get(&url).send().await.is_ok() {
                break;
            }
            if let Ok(Some(status)) = instances.children[index].try_wait() {
                panic!("instance {index} exited at start-up: {status}");
            }
            assert!(Instant::now() < deadline, "instance {index} never answered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    instances
}

/// One answer: status and JSON body (`Value::Null` for none).
async fn call(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("the instance answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn post(
    client: &reqwest::Client,
    url: &str,
    path: &str,
    client_ip: &str,
    body: Value,
) -> reqwest::RequestBuilder {
    client
        .post(format!("{url}/api/auth{path}"))
        .header("content-type", "application/json")
        .header("x-forwarded-for", client_ip)
        .body(body.to_string())
}

/// Whether `url` accepts `token` as a signed-in session.
async fn session_valid(client: &reqwest::Client, url: &str, token: &str) -> bool {
    let (status, body) = call(
        client
            .get(format!("{url}/api/auth/session"))
            .bearer_auth(token),
    )
    .await;
    status == 200 && body["user"]["email"].is_string()
}

/// Deletes the keys under `prefix` (best effort).
async fn clear_redis(redis_url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(redis_url) else {
        return;
    };
    let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}*"))
        .query_async(&mut connection)
        .await
        .unwrap_or_default();
    if !keys.is_empty() {
        let _: Result<(), _> = redis::cmd("DEL")
            .arg(keys)
            .query_async(&mut connection)
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_instances_behave_as_one() {
    let Some(redis_url) = servers::REDIS.url() else {
        return;
    };
    let Some(database_url) = databases::postgres_url().await else {
        return;
    };
    let prefix = format!("{}:", databases::unique_name());
    let instances = start(3, &database_url, &redis_url, &prefix).await;
    let urls = instances.urls.clone();
    let client = reqwest::Client::new();

    // (a) Signed up on A: the session is valid on B and C.
    let (status, body) = call(post(
        &client,
        &urls[0],
        "/signup/email",
        "10.1.0.1",
        serde_json::json!({"email": "ada@example.com", "password": PASSWORD, "name": "Ada"}),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("a bearer token").to_owned();
    for url in &urls {
        assert!(session_valid(&client, url, &token).await, "valid on {url}");
        // Asked twice: the second answer may come from the session cache.
        assert!(session_valid(&client, url, &token).await, "cached on {url}");
    }

    // (b) Signed out on B: refused on A and C within the bound, though
    // both had it in their session cache.
    let (status, body) = call(
        client
            .post(format!("{}/api/auth/signout", urls[1]))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let signed_out = Instant::now();
    let mut refused_after = HashMap::new();
    while refused_after.len() < 2 && signed_out.elapsed() < Duration::from_secs(5) {
        for index in [0, 2] {
            if !refused_after.contains_key(&index)
                && !session_valid(&client, &urls[index], &token).await
            {
                refused_after.insert(index, signed_out.elapsed());
            }
        }
    }
    let propagation = refused_after
        .values()
        .max()
        .copied()
        .unwrap_or(Duration::MAX);
    println!(
        "revocation propagation: refused on A after {:?}, on C after {:?}",
        refused_after.get(&0),
        refused_after.get(&2)
    );
    assert_eq!(refused_after.len(), 2, "the signed-out token still works");
    assert!(
        propagation <= PROPAGATION_BOUND,
        "refused everywhere only after {propagation:?}"
    );
    assert!(!session_valid(&client, &urls[1], &token).await);

    // (c) 300 concurrent sign-ups over the three, some addresses asked for
    // two or three times: exactly the successful ones are stored, once.
    const ATTEMPTS: usize = 300;
    let tasks: Vec<_> = (0..ATTEMPTS)
        .map(|i| {
            let client = client.clone();
            let url = urls[i % 3].clone();
            // 240 addresses: every fifth attempt repeats one.
            let email = format!("user{}@example.com", i % 240);
            let client_ip = format!("10.2.{}.{}", i / 200, i % 200 + 1);
            tokio::spawn(async move {
                let body = serde_json::json!({"email": email, "password": PASSWORD, "name": "N"});
                let (status, _) =
                    call(post(&client, &url, "/signup/email", &client_ip, body)).await;
                (email, status)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, status) in &outcomes {
        *statuses.entry(*status).or_default() += 1;
    }
    let succeeded: Vec<&str> = outcomes
        .iter()
        .filter(|(_, status)| *status == 200)
        .map(|(email, _)| email.as_str())
        .collect();
    let server_errors = outcomes.iter().filter(|(_, s)| *s >= 500).count();

    let pool = sqlx::PgPool::connect(&database_url).await.unwrap();
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT email, COUNT(*) FROM users WHERE email LIKE 'user%' GROUP BY email")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    let present: HashSet<&str> = rows.iter().map(|(email, _)| email.as_str()).collect();
    println!(
        "sign-ups: {ATTEMPTS} attempted, {} succeeded, {} present in PostgreSQL, {server_errors} 5xx; statuses {statuses:?}",
        succeeded.len(),
        rows.len()
    );
    assert_eq!(server_errors, 0, "{statuses:?}");
    assert!(
        rows.iter().all(|(_, count)| *count == 1),
        "an address stored twice: {rows:?}"
    );
    let succeeded_set: HashSet<&str> = succeeded.iter().copied().collect();
    assert_eq!(
        succeeded.len(),
        succeeded_set.len(),
        "an address signed up twice"
    );
    assert_eq!(
        present, succeeded_set,
        "stored exactly the successful sign-ups"
    );
    assert_eq!(succeeded.len(), 240, "each address once: {statuses:?}");
    // A repeated address is refused as such, not failed.
    for (_, status) in &outcomes {
        assert!(matches!(*status, 200 | 409 | 422), "{statuses:?}");
    }

    // (d) One client's sign-in attempts are counted across instances: the
    // fourth within the window is refused, whichever instance gets it.
    let attempt = |url: &str| {
        post(
            &client,
            url,
            "/signin/email",
            "10.3.0.1",
            serde_json::json!({"email": "user1@example.com", "password": PASSWORD}),
        )
    };
    for (index, url) in urls.iter().enumerate() {
        let (status, body) = call(attempt(url)).await;
        assert_eq!(
            status,
            200,
            "attempt {} on instance {index}: {body}",
            index + 1
        );
    }
    for url in &urls {
        let (status, body) = call(attempt(url)).await;
        assert_eq!(status, 429, "a fourth attempt on {url}: {body}");
    }
    let (status, _) = call(post(
        &client,
        &urls[0],
        "/signin/email",
        "10.3.0.2",
        serde_json::json!({"email": "user1@example.com", "password": PASSWORD}),
    ))
    .await;
    assert_eq!(status, 200, "another client is not limited");
    println!("rate limit: attempts 1-3 on A, B, C answered 200; the 4th on each answered 429");

    drop(instances);
    clear_redis(&redis_url, &prefix).await;
    databases::drop_postgres(&database_url).await;
}

/// A Redis server of this test's own, on a free port, persisting to a
/// private directory (an append-only file, synced per write), so that it
/// can be restarted without touching anybody else's; killed when dropped.
struct PrivateRedis {
    child: Option<Child>,
    port: u16,
    dir: PathBuf,
}

impl PrivateRedis {
    /// `None` (after saying why) when there is no `redis-server` to run.
    async fn start() -> Option<Self> {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("several-instances")
            .join(format!("redis-{}", databases::unique_name()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut redis = Self {
            child: None,
            port: free_port(),
            dir,
        };
        if !redis.run().await {
            servers::skip(
                "private Redis restart",
                "no `redis-server` to run (its restart is only done on a server of the test's own)",
            );
            return None;
        }
        Some(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server and waits until it answers; `false` when it cannot
    /// be started.
    async fn run(&mut self) -> bool {
        let Ok(child) = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            return false;
        };
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(client) = redis::Client::open(self.url())
                && let Ok(mut connection) = client.get_multiplexed_async_connection().await
                && redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
                    .is_ok()
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        false
    }

    /// Kills the server at once (no shutdown: as a crash).
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// (e) Redis killed under load and started again: the instances answer
/// 503 meanwhile (never a 500, never a session Redis did not confirm),
/// recover without being restarted, and a session revoked afterwards is
/// refused everywhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_redis_restart_is_survived() {
    let Some(database_url) = databases::postgres_url().await else {
        return;
    };
    let Some(mut redis) = PrivateRedis::start().await else {
        return;
    };
    let prefix = format!("{}:", databases::unique_name());
    let instances = start(3, &database_url, &redis.url(), &prefix).await;
    let urls = instances.urls.clone();
    let client = reqwest::Client::new();

    let (status, body) = call(post(
        &client,
        &urls[0],
        "/signup/email",
        "10.4.0.1",
        serde_json::json!({"email": "grace@example.com", "password": PASSWORD, "name": "G"}),
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().expect("a bearer token").to_owned();
    for url in &urls {
        assert!(session_valid(&client, url, &token).await, "cached on {url}");
    }

    // Load: session checks round the three, each answer recorded.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, urls, token, stop) =
            (client.clone(), urls.clone(), token.clone(), stop.clone());
        tokio::spawn(async move {
            let mut answers: Vec<(Instant, usize, u16, bool)> = Vec::new();
            let mut index = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, body) = call(
                    client
                        .get(format!("{}/api/auth/session", urls[index]))
                        .bearer_auth(&token),
                )
                .await;
                let valid = status == 200 && body["user"]["email"].is_string();
                answers.push((Instant::now(), index, status, valid));
                index = (index + 1) % urls.len();
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            answers
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Instant::now();
    redis.kill();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(redis.run().await, "Redis starts again");
    let restarted = Instant::now();

    // Recovered when each instance confirms the session again.
    let mut recovered = HashMap::new();
    while recovered.len() < urls.len() && restarted.elapsed() < Duration::from_secs(20) {
        for (index, url) in urls.iter().enumerate() {
            if !recovered.contains_key(&index) && session_valid(&client, url, &token).await {
                recovered.insert(index, restarted.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(recovered.len(), urls.len(), "recovered: {recovered:?}");

    // Revoked after the restart: refused everywhere, and for good.
    let (status, body) = call(
        client
            .post(format!("{}/api/auth/signout", urls[1]))
            .bearer_auth(&token),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let signed_out = Instant::now();
    let mut refused_after = HashMap::new();
    while refused_after.len() < urls.len() && signed_out.elapsed() < Duration::from_secs(5) {
        for (index, url) in urls.iter().enumerate() {
            if !refused_after.contains_key(&index) && !session_valid(&client, url, &token).await {
                refused_after.insert(index, signed_out.elapsed());
            }
        }
    }
    assert_eq!(refused_after.len(), urls.len(), "the revoked session works");
    // A follower tries to resubscribe every 50 ms while its subscription
    // is broken (and drops its cache when it succeeds), so right after a
    // restart a revocation may take that long, plus the reconnection, to
    // reach it, not the usual ~1 ms. The bound leaves room for a busy CI
    // machine.
    let slowest = refused_after.values().max().copied().unwrap_or_default();
    println!("revocation right after the restart: refused everywhere after {slowest:?}");
    assert!(
        slowest <= Duration::from_secs(1),
        "refused everywhere only after {slowest:?}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let answers = load.await.unwrap();
    let revoked_at = signed_out + refused_after.values().max().copied().unwrap_or_default();

    let mut during: BTreeMap<u16, usize> = BTreeMap::new();
    for (at, _, status, _) in &answers {
        // A check answered in the first moments may have been served from a
        // cache before its follower saw the connection drop (not revoked,
        // so no harm); after that, Redis down means 503.
        if *at > killed + Duration::from_millis(50) && *at < restarted {
            *during.entry(*status).or_default() += 1;
        }
    }
    let other_5xx = answers
        .iter()
        .filter(|(_, _, status, _)| *status >= 500 && *status != 503)
        .count();
    let revoked_but_valid = answers
        .iter()
        .filter(|(at, _, _, valid)| *at > revoked_at && *valid)
        .count();
    let total_503 = answers.iter().filter(|(_, _, s, _)| *s == 503).count();
    println!(
        "redis restart: {} checks under load, {total_503} answered 503 ({during:?} while Redis was down for {:?}), {other_5xx} other 5xx; recovered after the restart in {recovered:?}; the session revoked then was refused after {refused_after:?}; valid after revocation: {revoked_but_valid}",
        answers.len(),
        restarted - killed
    );
    assert!(
        during.get(&503).copied().unwrap_or(0) > 0,
        "no 503 while Redis was down: {during:?}"
    );
    assert_eq!(
        during.get(&200).copied().unwrap_or(0),
        0,
        "a session served while Redis was down: {during:?}"
    );
    assert_eq!(other_5xx, 0);
    assert_eq!(revoked_but_valid, 0);
    for url in &urls {
        assert!(
            !session_valid(&client, url, &token).await,
            "revoked on {url}"
        );
    }

    drop(instances);
    databases::drop_postgres(&database_url).await;
}
