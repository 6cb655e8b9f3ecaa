//! Shared fixtures: the test server (`nanoauth_testing::servers::REDIS`), stores
//! under a fresh key prefix, raw access for checking the key layout, and
//! cleanup.

#![allow(dead_code, unreachable_pub)]

pub mod cluster;

use std::time::{SystemTime, UNIX_EPOCH};

use nanoauth::AdapterError;
use nanoauth::SessionRecord;
use nanoauth::utils::token::{TokenHash, random_id, random_token};
use nanoauth_redis::RedisStore;
use redis::aio::MultiplexedConnection;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Where the tests find Redis: `NANOAUTH_TEST_REDIS_URL`, else the local
/// default port; with neither the tests that need it are skipped (and the
/// run says so).
pub fn redis_url() -> Option<String> {
    nanoauth_testing::servers::REDIS.url()
}

pub fn skipped(test: &str) {
    eprintln!("skipped {test}: no Redis to test against");
}

/// A prefix no other test (or run) uses.
pub fn fresh_prefix() -> String {
    format!(
        "nanoauth-test:{}:",
        random_id().unwrap_or_else(|_| "no-randomness".into())
    )
}

/// A store under a fresh prefix; `Ok(None)` when no server is configured.
/// A configured server that cannot be reached is an error, so that the test
/// fails instead of passing without having run.
pub async fn store() -> Result<Option<RedisStore>, AdapterError> {
    let Some(url) = redis_url() else {
        return Ok(None);
    };
    RedisStore::builder(url)
        .prefix(fresh_prefix())
        .connect()
        .await
        .map(Some)
}

/// A plain connection to the test server, to look at keys directly.
pub async fn raw() -> Result<MultiplexedConnection, Box<dyn std::error::Error>> {
    let url = redis_url().ok_or("no Redis to test against")?;
    Ok(redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await?)
}

/// Every key under `prefix`.
pub async fn keys_under(prefix: &str) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    let mut connection = raw().await?;
    let pattern = format!("{}*", escape_glob(prefix));
    let mut cursor = 0u64;
    let mut keys = Vec::new();
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut connection)
            .await?;
        keys.extend(batch);
        if next == 0 {
            return Ok(keys);
        }
        cursor = next;
    }
}

/// Checks that nothing under `prefix` was stored without an expiry, then
/// deletes it all.
pub async fn expire_check_and_delete(prefix: &str) -> Result<(), Box<dyn std::error::Error>> {
    let keys = keys_under(prefix).await?;
    let mut connection = raw().await?;
    for key in &keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(key)
            .query_async(&mut connection)
            .await?;
        // -2: expired between SCAN and TTL. -1 would be a key kept forever.
        if ttl == -1 {
            return Err(format!("{key} has no expiry").into());
        }
    }
    if !keys.is_empty() {
        redis::cmd("DEL")
            .arg(&keys)
            .query_async::<()>(&mut connection)
            .await?;
    }
    Ok(())
}

fn escape_glob(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A session of `user_id` that expires at `expires_at`.
pub fn session(
    user_id: &str,
    expires_at: u64,
) -> Result<SessionRecord, Box<dyn std::error::Error>> {
    let now = now();
    Ok(SessionRecord::new(
        random_id()?,
        TokenHash::of(&random_token()?),
        user_id.to_owned(),
        now,
        now,
        expires_at,
        Some("203.0.113.7".into()),
        None,
    ))
}
