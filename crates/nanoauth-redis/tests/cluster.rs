//! The Redis adapter on a real Redis Cluster (three primaries on loopback,
//! started by the tests: see `common/cluster.rs`): the adapter conformance
//! suite, the key layout (a user's keys in one slot), purging, revocations
//! followed across nodes, and riding out a node's crash.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::cluster::{self, Cluster};
use common::{TestResult, fresh_prefix, now, session};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, AdapterError, Auth, BasicUser, VerificationAdapter, VerificationRecord};
use nanoauth_redis::{RedisCounters, RedisSessions, RedisStore, follow_revocations};

/// The conformance suite, each case under its own prefix on the shared
/// cluster.
mod conformance {
    use super::cluster;
    use nanoauth::adapter::memory::MemoryAdapter;
    use nanoauth_redis::RedisSessions;
    use nanoauth_testing::{ConformanceUser, conformance};

    type Sessions = RedisSessions<MemoryAdapter<ConformanceUser>>;

    // The macro's setup gives an `Option`: a test fails by panicking.
    #[allow(clippy::panic)]
    async fn setup() -> Option<Sessions> {
        let cluster = cluster::shared()?;
        match cluster.store(&super::fresh_prefix(), 0).await {
            Ok(store) => Some(RedisSessions::new(MemoryAdapter::new(), store)),
            Err(error) => panic!("the Redis Cluster cannot be used: {error}"),
        }
    }

    #[allow(clippy::panic)]
    async fn teardown(adapter: Sessions) {
        let Some(cluster) = cluster::shared() else {
            return;
        };
        if let Err(error) = cluster
            .expire_check_and_delete(adapter.store().prefix())
            .await
        {
            panic!("teardown: {error}");
        }
    }

    conformance!(
        setup: setup(),
        capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user],
        teardown: teardown,
    );
}

type Sessions = RedisSessions<MemoryAdapter<BasicUser>>;

async fn sessions(cluster: &Cluster) -> Result<Sessions, AdapterError> {
    Ok(RedisSessions::new(
        MemoryAdapter::new(),
        cluster.store(&fresh_prefix(), 0).await?,
    ))
}

#[tokio::test]
async fn a_users_keys_share_one_slot_and_the_rest_spreads() -> TestResult {
    let Some(cluster) = cluster::shared() else {
        return Ok(());
    };
    let adapter = sessions(cluster).await?;
    let prefix = adapter.store().prefix().to_owned();
    assert!(adapter.store().is_cluster());
    let t = now();
    let ada = [session("ada", t + 600)?, session("ada", t + 900)?];
    let bob = session("bob", t + 600)?;
    for record in ada.iter().chain([&bob]) {
        adapter.save_session(record).await?;
    }
    // Single-key records, spread over the cluster by their own keys.
    for n in 0..20 {
        let hash = TokenHash::of(&format!("token {n}"));
        let record = VerificationRecord::new(hash, "verify-email", "ada@example.com", t + 600);
        VerificationAdapter::<BasicUser>::save_verification(&adapter, &record).await?;
    }

    let keys = cluster.keys_under(&prefix).await?;
    let session_keys: Vec<&String> = keys
        .iter()
        .map(|(_, key)| key)
        .filter(|key| key.starts_with(&format!("{prefix}{{sessions}}:")))
        .collect();
    // Three sessions and two indexes.
    assert_eq!(session_keys.len(), 5, "{keys:?}");
    for record in ada.iter().chain([&bob]) {
        let key = format!(
            "{prefix}{{sessions}}:session:{}",
            record.token_hash.to_hex()
        );
        assert!(session_keys.contains(&&key), "{key} in {keys:?}");
    }
    let index = format!("{prefix}{{sessions}}:user-sessions:ada");
    assert!(session_keys.contains(&&index));
    // CLUSTER KEYSLOT: a user's sessions and index in one slot (the
    // scripts' keys), the same for every user.
    let slot = cluster.slot_of(&index)?;
    for key in &session_keys {
        assert_eq!(cluster.slot_of(key)?, slot, "{key}");
    }
    let on: Vec<u16> = keys
        .iter()
        .filter(|(_, key)| session_keys.contains(&key))
        .map(|(port, _)| *port)
        .collect();
    assert!(on.iter().all(|port| *port == on[0]), "one primary: {on:?}");
    let tokens: Vec<u16> = keys
        .iter()
        .filter(|(_, key)| key.starts_with(&format!("{prefix}verification:")))
        .map(|(port, _)| *port)
        .collect();
    assert_eq!(tokens.len(), 20);
    assert!(
        tokens.iter().any(|port| *port != tokens[0]),
        "twenty tokens on one node of three: {tokens:?}"
    );

    // The scripts work there: list, delete one, delete all but one.
    assert_eq!(adapter.list_sessions("ada").await?.len(), 2);
    assert!(adapter.delete_session(&bob.token_hash).await?);
    assert_eq!(adapter.list_sessions("bob").await?, Vec::new());
    assert_eq!(
        adapter
            .delete_user_sessions("ada", Some(&ada[1].token_hash))
            .await?,
        1
    );
    assert_eq!(adapter.list_sessions("ada").await?, vec![ada[1].clone()]);
    cluster.expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn purging_trims_the_indexes_on_the_primary_that_holds_them() -> TestResult {
    let Some(cluster) = cluster::shared() else {
        return Ok(());
    };
    let adapter = sessions(cluster).await?;
    let prefix = adapter.store().prefix().to_owned();
    let t = now();
    let short = session("trim-user", t + 1)?;
    let long = session("trim-user", t + 600)?;
    for record in [&short, &long] {
        adapter.save_session(record).await?;
    }
    // Redis drops the short session's key by itself; its entry in the
    // owner's index stays until a purge.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let mut raw = cluster.raw().await?;
    let index = format!("{prefix}{{sessions}}:user-sessions:trim-user");
    let members = redis::cmd("ZRANGE").arg(&index).arg(0).arg(-1).to_owned();
    let before: Vec<String> = members.query_async(&mut raw).await?;
    assert_eq!(before.len(), 2, "the stale entry is there: {before:?}");
    assert_eq!(adapter.purge_expired_sessions(now()).await?, 0);
    let after: Vec<String> = members.query_async(&mut raw).await?;
    assert_eq!(after, vec![long.token_hash.to_hex()]);
    cluster.expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn counters_count_on_the_cluster() -> TestResult {
    let Some(cluster) = cluster::shared() else {
        return Ok(());
    };
    let store = cluster.store(&fresh_prefix(), 1).await?;
    let counters = RedisCounters::new(store.clone());
    for key in ["a", "b", "c", "d"] {
        assert_eq!(counters.increment(key, 60).await?.count, 1);
        assert_eq!(counters.increment(key, 60).await?.count, 2);
    }
    cluster.expire_check_and_delete(store.prefix()).await
}

type Process = Auth<BasicUser, RedisSessions<Arc<MemoryAdapter<BasicUser>>>>;

fn process(
    users: &Arc<MemoryAdapter<BasicUser>>,
    store: &RedisStore,
) -> Result<Process, Box<dyn std::error::Error>> {
    Ok(
        Auth::builder(RedisSessions::new(Arc::clone(users), store.clone()))
            .secret("revocation test secret, thirty-two bytes or more")
            .base_url("http://localhost:3000")
            .rate_limit(RateLimit::danger_disabled())
            // An hour: without the announcement, B would trust its cache that long.
            .session_cache(3600)
            .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
            .build()?,
    )
}

fn request(method: &str, path: &str, cookie: &str, body: &str) -> http::Request<String> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("origin", "http://localhost:3000")
        .header("cookie", cookie)
        .body(body.to_owned())
        .unwrap_or_else(|_| unreachable!())
}

async fn signed_in(auth: &Process, cookie: &str) -> bool {
    let page = request("GET", "/", cookie, "");
    matches!(auth.get_session(&page).await, Ok(Some(_)))
}

fn cookie_of<B>(response: &http::Response<B>) -> Result<String, Box<dyn std::error::Error>> {
    Ok(response
        .headers()
        .get("set-cookie")
        .ok_or("no cookie")?
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned())
}

/// Waits until a subscriber listens on `channel` on the node on `port`.
async fn listening_on(cluster: &Cluster, port: u16, channel: &str) -> TestResult {
    let mut node = cluster.node(port).await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer: Vec<(String, i64)> = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(channel)
            .query_async(&mut node)
            .await?;
        if answer.first().is_some_and(|(_, count)| *count >= 1) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nobody listens on node {port}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn until_signed_out(auth: &Process, cookie: &str, what: &str) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(5);
    while signed_in(auth, cookie).await {
        if Instant::now() > deadline {
            return Err(format!("B still trusts {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// Two processes whose followers listen on different nodes: what the
/// script on the sessions' primary publishes reaches both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_reach_processes_listening_on_other_nodes() -> TestResult {
    let Some(cluster) = cluster::shared() else {
        return Ok(());
    };
    let prefix = fresh_prefix();
    let (store_a, store_b) = (
        cluster.store(&prefix, 0).await?,
        cluster.store(&prefix, 1).await?,
    );
    let users = Arc::new(MemoryAdapter::<BasicUser>::new());
    let (a, b) = (process(&users, &store_a)?, process(&users, &store_b)?);
    let _follow_a = follow_revocations(&store_a, a.clone());
    let _follow_b = follow_revocations(&store_b, b.clone());
    let channel = format!("{prefix}revocations");
    listening_on(cluster, cluster.ports[0], &channel).await?;
    listening_on(cluster, cluster.ports[1], &channel).await?;

    let body = r#"{"email":"ada@example.com","password":"correct horse battery"}"#;
    let signed_up = a
        .handler(request("POST", "/api/auth/signup/email", "", body))
        .await;
    assert_eq!(signed_up.status(), 200);
    let cookie = cookie_of(&signed_up)?;
    let other_cookie = cookie_of(
        &a.handler(request("POST", "/api/auth/signin/email", "", body))
            .await,
    )?;
    assert!(signed_in(&b, &cookie).await, "B checked it: now cached");
    assert!(signed_in(&b, &other_cookie).await);

    let signed_out = a
        .handler(request("POST", "/api/auth/signout", &cookie, "{}"))
        .await;
    assert_eq!(signed_out.status(), 200);
    until_signed_out(&b, &cookie, "a revoked session").await?;
    assert!(signed_in(&b, &other_cookie).await, "the other is untouched");

    let user_id = b
        .get_session(&request("GET", "/", &other_cookie, ""))
        .await?
        .map(|session| session.user.id)
        .ok_or("signed in")?;
    a.adapter().delete_user_sessions(&user_id, None).await?;
    until_signed_out(&b, &other_cookie, "the user's revoked sessions").await?;
    cluster.expire_check_and_delete(&prefix).await
}

/// Nodes crash. One a follower listens on: the follower drops its cache
/// and listens elsewhere, so a revocation made meanwhile is not lost. The
/// primary holding the sessions: operations answer `Unavailable` (503) at
/// once, and once the node is back the same store works again, with no
/// restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashed_nodes_lose_no_revocation_and_the_store_recovers() -> TestResult {
    if !cluster::installed() {
        return Ok(());
    }
    // A cluster of its own: this one loses nodes.
    let mut cluster = Cluster::start()?;
    let prefix = fresh_prefix();
    let owner = cluster.owner_of(&format!("{prefix}{{sessions}}:x"))?;
    let owner_index = cluster
        .ports
        .iter()
        .position(|port| *port == owner)
        .ok_or("the owner is a node")?;
    let other_index = (owner_index + 1) % cluster.ports.len();
    let other = cluster.ports[other_index];
    let store_a = cluster.store(&prefix, owner_index).await?;
    let store_b = cluster.store(&prefix, other_index).await?;
    let users = Arc::new(MemoryAdapter::<BasicUser>::new());
    let (a, b) = (process(&users, &store_a)?, process(&users, &store_b)?);
    let _follow_b = follow_revocations(&store_b, b.clone());
    listening_on(&cluster, other, &format!("{prefix}revocations")).await?;

    let body = r#"{"email":"ada@example.com","password":"correct horse battery"}"#;
    let signed_up = a
        .handler(request("POST", "/api/auth/signup/email", "", body))
        .await;
    assert_eq!(signed_up.status(), 200);
    let cookie = cookie_of(&signed_up)?;
    assert!(signed_in(&b, &cookie).await, "B checked it: now cached");

    // B's node goes; A signs out at once, whether or not B listens again
    // yet: B must not trust its cache.
    cluster.stop(other)?;
    let signed_out = a
        .handler(request("POST", "/api/auth/signout", &cookie, "{}"))
        .await;
    assert_eq!(signed_out.status(), 200);
    until_signed_out(&b, &cookie, "a session revoked while its node was down").await?;
    cluster.restart(other)?;

    // The sessions' primary goes: 503 at once, every time.
    let adapter = Arc::new(RedisSessions::new(
        MemoryAdapter::<BasicUser>::new(),
        store_a.clone(),
    ));
    let before = session("crash-user", now() + 600)?;
    adapter.save_session(&before).await?;
    cluster.stop(owner)?;
    for attempt in ["first", "second", "third"] {
        let started = Instant::now();
        let result = adapter.validate_token(&before.token_hash).await;
        let took = started.elapsed();
        eprintln!("the sessions' primary down: {attempt} answer in {took:?}");
        match result {
            Err(error) => assert_eq!(error.status(), 503, "{attempt}: {error:?}"),
            Ok(found) => return Err(format!("{attempt}: answered {found:?}").into()),
        }
        assert!(took < Duration::from_millis(500), "{attempt}: {took:?}");
    }
    // Many at once: one checks whether the node is back, the others are
    // answered at once.
    let started = Instant::now();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let adapter = Arc::clone(&adapter);
            let hash = before.token_hash;
            tokio::spawn(async move {
                let result = adapter.validate_token(&hash).await;
                (
                    result.map(|_| ()).map_err(|e| e.status().as_u16()),
                    started.elapsed(),
                )
            })
        })
        .collect();
    let mut fast = 0;
    for task in tasks {
        let (answer, took) = task.await?;
        assert_eq!(answer, Err(503));
        if took < Duration::from_millis(100) {
            fast += 1;
        }
    }
    eprintln!(
        "the sessions' primary down: 20 concurrent requests, {fast} answered 503 within 100 ms, all within {:?}",
        started.elapsed()
    );
    assert!(fast >= 15, "only {fast} of 20 answered at once");

    cluster.restart(owner)?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = session("crash-user", now() + 600)?;
    loop {
        match adapter.save_session(&after).await {
            Ok(()) => break,
            Err(error) if Instant::now() > deadline => {
                return Err(format!("the store did not recover: {error}").into());
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    // No persistence: the crash lost the first session, not the store.
    assert_eq!(adapter.validate_token(&before.token_hash).await?, None);
    assert_eq!(
        adapter.validate_token(&after.token_hash).await?,
        Some(after)
    );
    cluster.expire_check_and_delete(&prefix).await
}

/// A cluster none of whose nodes answers: every operation is
/// `Unavailable` (503), never a 500, and quickly.
#[tokio::test]
async fn an_unreachable_cluster_is_unavailable() -> TestResult {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let store =
        RedisStore::cluster_builder([format!("redis://127.0.0.1:{port}")]).connect_lazy()?;
    let adapter = RedisSessions::new(MemoryAdapter::<BasicUser>::new(), store.clone());
    let record = session("nobody", now() + 600)?;
    let started = Instant::now();
    let answers = [
        store.ping().await.map(|_| ()),
        adapter.save_session(&record).await,
        adapter.validate_token(&record.token_hash).await.map(|_| ()),
        adapter.purge_expired_sessions(now()).await.map(|_| ()),
        RedisCounters::new(store.clone())
            .increment("k", 60)
            .await
            .map(|_| ()),
    ];
    for answer in answers {
        match answer {
            Err(AdapterError::Unavailable(_)) => {}
            other => return Err(format!("expected Unavailable, got {other:?}").into()),
        }
    }
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    // Connecting eagerly says so at once, too.
    let eager = RedisStore::connect_cluster([format!("redis://127.0.0.1:{port}")]).await;
    assert!(
        matches!(eager, Err(AdapterError::Unavailable(_))),
        "{eager:?}"
    );
    Ok(())
}

/// A cluster node given as a single server is refused at start-up, with
/// the way out in the message, rather than failing every request.
#[tokio::test]
async fn a_cluster_node_is_not_taken_for_a_single_server() -> TestResult {
    let Some(cluster) = cluster::shared() else {
        return Ok(());
    };
    let url = cluster.urls_from(0).remove(0);
    match RedisStore::connect(&url).await {
        Err(AdapterError::Other(error)) => {
            assert!(error.to_string().contains("cluster_builder"), "{error}");
        }
        other => return Err(format!("expected a refusal, got {other:?}").into()),
    }
    Ok(())
}
