//! Rate-limit counters: atomic under concurrency, reset by Redis at the end
//! of their window, against the Redis of `nanoauth_testing::servers`.

mod common;

use std::time::Duration;

use common::{TestResult, raw, skipped};
use nanoauth::AdapterError;
use nanoauth_redis::RedisCounters;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_increments_each_see_a_distinct_count() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("concurrent_increments_each_see_a_distinct_count");
        return Ok(());
    };
    let prefix = store.prefix().to_owned();
    let counters = RedisCounters::new(store);
    let mut tasks = JoinSet::new();
    for _ in 0..64 {
        let counters = counters.clone();
        tasks.spawn(async move { counters.increment("sign-in:198.51.100.1", 60).await });
    }
    let mut counts = Vec::new();
    while let Some(result) = tasks.join_next().await {
        let counter = result??;
        assert!((1..=60).contains(&counter.resets_in_secs), "{counter:?}");
        counts.push(counter.count);
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=64).collect::<Vec<u64>>());

    let mut redis = raw().await?;
    let value: u64 = redis::cmd("GET")
        .arg(format!("{prefix}counter:sign-in:198.51.100.1"))
        .query_async(&mut redis)
        .await?;
    assert_eq!(value, 64);
    common::expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn a_counter_starts_again_after_its_window() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("a_counter_starts_again_after_its_window");
        return Ok(());
    };
    let prefix = store.prefix().to_owned();
    let counters = RedisCounters::new(store);
    let first = counters.increment("window", 1).await?;
    assert_eq!((first.count, first.resets_in_secs), (1, 1));
    assert_eq!(counters.increment("window", 1).await?.count, 2);
    // Other keys count apart.
    assert_eq!(counters.increment("other", 1).await?.count, 1);

    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let keys = common::keys_under(&prefix).await?;
    assert!(keys.is_empty(), "Redis dropped the counters: {keys:?}");
    assert_eq!(counters.increment("window", 1).await?.count, 1);
    common::expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn a_counter_without_expiry_gets_one() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("a_counter_without_expiry_gets_one");
        return Ok(());
    };
    let prefix = store.prefix().to_owned();
    let mut redis = raw().await?;
    redis::cmd("SET")
        .arg(format!("{prefix}counter:stuck"))
        .arg(5)
        .query_async::<()>(&mut redis)
        .await?;
    let counter = RedisCounters::new(store).increment("stuck", 30).await?;
    assert_eq!((counter.count, counter.resets_in_secs), (6, 30));
    common::expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn a_counter_is_read_without_counting_and_reset() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("a_counter_is_read_without_counting_and_reset");
        return Ok(());
    };
    let prefix = store.prefix().to_owned();
    let counters = RedisCounters::new(store);
    assert_eq!(counters.get("failures").await?, None);
    counters.increment("failures", 60).await?;
    counters.increment("failures", 60).await?;
    for _ in 0..3 {
        let counter = counters.get("failures").await?.ok_or("a counter")?;
        assert_eq!(counter.count, 2, "reading does not count");
        assert!((1..=60).contains(&counter.resets_in_secs), "{counter:?}");
    }
    counters.reset("failures").await?;
    assert_eq!(counters.get("failures").await?, None);
    assert_eq!(counters.increment("failures", 60).await?.count, 1);
    // Resetting a counter that does not exist is no error.
    counters.reset("never-counted").await?;
    common::expire_check_and_delete(&prefix).await
}

/// Failure lockouts read and clear their counts in Redis: one client's
/// failures lock that client out of the account, and nobody else.
#[tokio::test]
async fn counters_drive_failure_lockouts() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("counters_drive_failure_lockouts");
        return Ok(());
    };
    let prefix = store.prefix().to_owned();
    let auth = nanoauth::Auth::builder(nanoauth::adapter::memory::MemoryAdapter::<
        nanoauth::BasicUser,
    >::new())
    .secret("redis rate limit test secret, 32 bytes+")
    .base_url("http://localhost:3000")
    .rate_limit(
        nanoauth::rate_limit::RateLimit::default()
            .store(RedisCounters::new(store))
            .failure_limit("password", nanoauth::rate_limit::Limit::new(2, 60)),
    )
    .plugin(nanoauth::plugins::email_password::EmailPassword::new())
    .build()?;
    let sign_in = |client: &str| -> Result<http::Request<String>, Box<dyn std::error::Error>> {
        let mut request = http::Request::post("/api/auth/signin/email")
            .header("content-type", "application/json")
            .body(r#"{"email":"l@example.com","password":"wrong password"}"#.to_owned())?;
        request
            .extensions_mut()
            .insert(nanoauth::ClientAddr(client.parse()?));
        Ok(request)
    };
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            auth.handler(sign_in("192.0.2.45:5000")?)
                .await
                .status()
                .as_u16(),
        );
    }
    statuses.push(
        auth.handler(sign_in("192.0.2.46:5000")?)
            .await
            .status()
            .as_u16(),
    );
    assert_eq!(statuses, vec![401, 401, 429, 401]);
    common::expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn a_zero_window_is_refused() -> TestResult {
    // No server needed: the window is checked before anything is sent.
    let store = nanoauth_redis::RedisStore::builder("redis://127.0.0.1:1").connect_lazy()?;
    let result = RedisCounters::new(store).increment("k", 0).await;
    assert!(matches!(result, Err(AdapterError::Other(_))), "{result:?}");
    Ok(())
}

/// The counters behind `Auth`'s rate limits: the fourth sign-in from one
/// client within ten seconds is refused, counted in Redis.
#[tokio::test]
async fn counters_drive_the_rate_limiter() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("counters_drive_the_rate_limiter");
        return Ok(());
    };
    let auth = nanoauth::Auth::builder(nanoauth::adapter::memory::MemoryAdapter::<
        nanoauth::BasicUser,
    >::new())
    .secret("redis rate limit test secret, 32 bytes+")
    .base_url("http://localhost:3000")
    .rate_limit(nanoauth::rate_limit::RateLimit::default().store(RedisCounters::new(store)))
    .plugin(nanoauth::plugins::email_password::EmailPassword::new())
    .build()?;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let mut request = http::Request::post("/api/auth/signin/email")
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"email":"r{i}@example.com","password":"wrong password"}}"#
            ))?;
        request
            .extensions_mut()
            .insert(nanoauth::ClientAddr("192.0.2.44:5000".parse()?));
        let response = auth.handler(request).await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![401, 401, 401, 429]);
    Ok(())
}
