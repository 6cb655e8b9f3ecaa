//! Sessions in Redis beyond the conformance suite: expiry by Redis itself,
//! the key layout, the per-user index, refreshes and purging, against the
//! Redis of `nanoauth_testing::servers` (Redis 7.0 or later: the layout
//! and refresh tests read `EXPIRETIME`).

mod common;

use std::time::Duration;

use common::{TestResult, now, raw, session, skipped};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{Adapter, BasicUser};
use nanoauth_redis::RedisSessions;

type Sessions = RedisSessions<MemoryAdapter<BasicUser>>;

async fn sessions() -> Result<Option<Sessions>, nanoauth::AdapterError> {
    Ok(common::store()
        .await?
        .map(|store| RedisSessions::new(MemoryAdapter::new(), store)))
}

async fn cleanup(adapter: &Sessions) -> TestResult {
    common::expire_check_and_delete(adapter.store().prefix()).await
}

#[tokio::test]
async fn a_session_expires_by_itself() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("a_session_expires_by_itself");
        return Ok(());
    };
    let record = session("ttl-user", now() + 1)?;
    adapter.save_session(&record).await?;
    assert_eq!(
        adapter.validate_token(&record.token_hash).await?,
        Some(record.clone())
    );

    // EXAT now+1 fires within two seconds of `now`, whatever the fraction.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    assert_eq!(adapter.validate_token(&record.token_hash).await?, None);
    assert!(adapter.list_sessions("ttl-user").await?.is_empty());
    let keys = common::keys_under(adapter.store().prefix()).await?;
    assert!(keys.is_empty(), "Redis dropped session and index: {keys:?}");
    cleanup(&adapter).await
}

#[tokio::test]
async fn keys_follow_the_documented_layout() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("keys_follow_the_documented_layout");
        return Ok(());
    };
    let prefix = adapter.store().prefix().to_owned();
    let t = now();
    let short = session("layout-user", t + 600)?;
    let long = session("layout-user", t + 900)?;
    adapter.save_session(&short).await?;
    adapter.save_session(&long).await?;

    let mut redis = raw().await?;
    let session_key = format!("{prefix}session:{}", short.token_hash.to_hex());
    let json: String = redis::cmd("GET")
        .arg(&session_key)
        .query_async(&mut redis)
        .await?;
    let value: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(value["token_hash"], short.token_hash.to_hex());
    assert_eq!(value["user_id"], "layout-user");
    assert_eq!(value["expires_at"], short.expires_at);
    let expire_time: u64 = redis::cmd("EXPIRETIME")
        .arg(&session_key)
        .query_async(&mut redis)
        .await?;
    assert_eq!(
        expire_time, short.expires_at,
        "EXAT is the session's expiry"
    );

    let index = format!("{prefix}user-sessions:layout-user");
    let members: Vec<(String, u64)> = redis::cmd("ZRANGE")
        .arg(&index)
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut redis)
        .await?;
    assert_eq!(
        members,
        vec![
            (short.token_hash.to_hex(), short.expires_at),
            (long.token_hash.to_hex(), long.expires_at)
        ]
    );
    let index_expiry: u64 = redis::cmd("EXPIRETIME")
        .arg(&index)
        .query_async(&mut redis)
        .await?;
    assert_eq!(
        index_expiry, long.expires_at,
        "the index lives as long as its last session"
    );

    // Sliding refresh moves the expiry of both the record and its index entry.
    let mut refreshed = short.clone();
    refreshed.updated_at = t + 60;
    refreshed.expires_at = t + 1200;
    adapter.save_session(&refreshed).await?;
    let expire_time: u64 = redis::cmd("EXPIRETIME")
        .arg(&session_key)
        .query_async(&mut redis)
        .await?;
    assert_eq!(expire_time, refreshed.expires_at);
    let index_expiry: u64 = redis::cmd("EXPIRETIME")
        .arg(&index)
        .query_async(&mut redis)
        .await?;
    assert_eq!(index_expiry, refreshed.expires_at);
    cleanup(&adapter).await
}

#[tokio::test]
async fn an_expired_session_is_never_stored() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("an_expired_session_is_never_stored");
        return Ok(());
    };
    let expired = session("expired-user", now() - 10)?;
    adapter.save_session(&expired).await?;
    assert_eq!(adapter.validate_token(&expired.token_hash).await?, None);

    // Saving an existing session with an expiry in the past ends it.
    let mut live = session("expired-user", now() + 600)?;
    adapter.save_session(&live).await?;
    live.expires_at = now() - 1;
    adapter.save_session(&live).await?;
    assert_eq!(adapter.validate_token(&live.token_hash).await?, None);
    assert!(adapter.list_sessions("expired-user").await?.is_empty());
    let keys = common::keys_under(adapter.store().prefix()).await?;
    assert!(keys.is_empty(), "nothing left behind: {keys:?}");
    cleanup(&adapter).await
}

#[tokio::test]
async fn listing_drops_index_members_whose_session_is_gone() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("listing_drops_index_members_whose_session_is_gone");
        return Ok(());
    };
    let prefix = adapter.store().prefix().to_owned();
    let kept = session("evicted-user", now() + 600)?;
    let evicted = session("evicted-user", now() + 600)?;
    adapter.save_session(&kept).await?;
    adapter.save_session(&evicted).await?;

    // As if Redis had evicted it under memory pressure.
    let mut redis = raw().await?;
    redis::cmd("DEL")
        .arg(format!("{prefix}session:{}", evicted.token_hash.to_hex()))
        .query_async::<()>(&mut redis)
        .await?;

    assert_eq!(
        adapter.list_sessions("evicted-user").await?,
        vec![kept.clone()]
    );
    let members: Vec<String> = redis::cmd("ZRANGE")
        .arg(format!("{prefix}user-sessions:evicted-user"))
        .arg(0)
        .arg(-1)
        .query_async(&mut redis)
        .await?;
    assert_eq!(members, vec![kept.token_hash.to_hex()]);
    // The evicted session is not counted as deleted.
    assert_eq!(adapter.delete_user_sessions("evicted-user", None).await?, 1);
    cleanup(&adapter).await
}

#[tokio::test]
async fn a_hash_saved_for_another_owner_leaves_the_first_owners_index() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("a_hash_saved_for_another_owner_leaves_the_first_owners_index");
        return Ok(());
    };
    let first = session("first-owner", now() + 600)?;
    adapter.save_session(&first).await?;
    let mut moved = first.clone();
    moved.user_id = "second-owner".into();
    adapter.save_session(&moved).await?;

    assert!(adapter.list_sessions("first-owner").await?.is_empty());
    assert_eq!(
        adapter.list_sessions("second-owner").await?,
        vec![moved.clone()]
    );
    assert_eq!(adapter.delete_user_sessions("first-owner", None).await?, 0);
    assert_eq!(
        adapter.validate_token(&moved.token_hash).await?,
        Some(moved.clone())
    );

    assert!(adapter.delete_session(&moved.token_hash).await?);
    let keys = common::keys_under(adapter.store().prefix()).await?;
    assert!(
        keys.is_empty(),
        "both indexes went with their last member: {keys:?}"
    );
    cleanup(&adapter).await
}

#[tokio::test]
async fn users_come_from_the_inner_adapter() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("users_come_from_the_inner_adapter");
        return Ok(());
    };
    use nanoauth::PasswordAdapter;
    let user = BasicUser {
        id: "inner-user".into(),
        email: "inner@example.com".into(),
        name: "Inner".into(),
    };
    adapter
        .create_user_with_password(&user, "$argon2id$x")
        .await?;
    assert_eq!(adapter.inner().user_count(), 1);
    assert_eq!(adapter.get_user("inner-user").await?, Some(user));
    let keys = common::keys_under(adapter.store().prefix()).await?;
    assert!(keys.is_empty(), "users are not written to Redis: {keys:?}");
    cleanup(&adapter).await
}

#[tokio::test]
async fn a_refresh_moves_the_expiry_of_session_and_index() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("a_refresh_moves_the_expiry_of_session_and_index");
        return Ok(());
    };
    let prefix = adapter.store().prefix().to_owned();
    let t = now();
    let mut record = session("refresh-user", t + 600)?;
    adapter.save_session(&record).await?;
    record.updated_at = t + 1;
    record.expires_at = t + 900;
    assert!(adapter.refresh_session(&record).await?);

    let mut redis = raw().await?;
    let hex = record.token_hash.to_hex();
    let index = format!("{prefix}user-sessions:refresh-user");
    for key in [format!("{prefix}session:{hex}"), index.clone()] {
        let expire_time: u64 = redis::cmd("EXPIRETIME")
            .arg(&key)
            .query_async(&mut redis)
            .await?;
        assert_eq!(expire_time, t + 900, "{key} lives as long as the session");
    }
    let score: u64 = redis::cmd("ZSCORE")
        .arg(&index)
        .arg(&hex)
        .query_async(&mut redis)
        .await?;
    assert_eq!(
        score,
        t + 900,
        "the index entry is scored by the new expiry"
    );
    cleanup(&adapter).await
}

#[tokio::test]
async fn purging_trims_index_entries_of_expired_sessions() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("purging_trims_index_entries_of_expired_sessions");
        return Ok(());
    };
    let prefix = adapter.store().prefix().to_owned();
    let t = now();
    let short = session("trim-user", t + 1)?;
    let long = session("trim-user", t + 600)?;
    let other = session("trim-other", t + 600)?;
    for record in [&short, &long, &other] {
        adapter.save_session(record).await?;
    }
    // Redis drops the short session's key by itself; its entry in the
    // owner's index stays, since the index lives as long as `long`.
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    let mut redis = raw().await?;
    let members = |user: &str| {
        redis::cmd("ZRANGE")
            .arg(format!("{prefix}user-sessions:{user}"))
            .arg(0)
            .arg(-1)
            .to_owned()
    };
    let before: Vec<String> = members("trim-user").query_async(&mut redis).await?;
    assert_eq!(before.len(), 2, "the stale entry is there: {before:?}");

    assert_eq!(
        adapter.purge_expired_sessions(now()).await?,
        0,
        "Redis deleted the sessions itself"
    );
    let after: Vec<String> = members("trim-user").query_async(&mut redis).await?;
    assert_eq!(
        after,
        vec![long.token_hash.to_hex()],
        "only the live entry is left"
    );
    let others: Vec<String> = members("trim-other").query_async(&mut redis).await?;
    assert_eq!(
        others,
        vec![other.token_hash.to_hex()],
        "live entries are untouched"
    );
    assert_eq!(
        adapter.validate_token(&long.token_hash).await?,
        Some(long.clone())
    );
    cleanup(&adapter).await
}
