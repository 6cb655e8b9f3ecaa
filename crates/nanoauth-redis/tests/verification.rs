//! Verification tokens in Redis beyond the conformance suite, against the
//! Redis of `nanoauth_testing::servers`.

mod common;

use common::{TestResult, now, raw, skipped};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::utils::token::TokenHash;
use nanoauth::{BasicUser, VerificationAdapter, VerificationRecord};
use nanoauth_redis::RedisSessions;

type Sessions = RedisSessions<MemoryAdapter<BasicUser>>;

async fn sessions() -> Result<Option<Sessions>, nanoauth::AdapterError> {
    Ok(common::store()
        .await?
        .map(|store| RedisSessions::new(MemoryAdapter::new(), store)))
}

#[tokio::test]
async fn tokens_expire_at_their_expiry_and_keep_their_purpose() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("tokens_expire_at_their_expiry_and_keep_their_purpose");
        return Ok(());
    };
    let prefix = adapter.store().prefix().to_owned();
    let hash = TokenHash::of("a token from an email link");
    let record = VerificationRecord::new(hash, "reset-password", "user-1", now() + 900);
    VerificationAdapter::<BasicUser>::save_verification(&adapter, &record).await?;

    let mut redis = raw().await?;
    let key = format!("{prefix}verification:reset-password:{}", hash.to_hex());
    let expire_time: u64 = redis::cmd("EXPIRETIME")
        .arg(&key)
        .query_async(&mut redis)
        .await?;
    assert_eq!(expire_time, record.expires_at);

    // Another purpose finds nothing and leaves the token in place.
    let other =
        VerificationAdapter::<BasicUser>::consume_verification(&adapter, &hash, "magic-link")
            .await?;
    assert_eq!(other, None);
    let exists: bool = redis::cmd("EXISTS")
        .arg(&key)
        .query_async(&mut redis)
        .await?;
    assert!(exists);

    let consumed =
        VerificationAdapter::<BasicUser>::consume_verification(&adapter, &hash, "reset-password")
            .await?;
    assert_eq!(consumed, Some(record));
    let exists: bool = redis::cmd("EXISTS")
        .arg(&key)
        .query_async(&mut redis)
        .await?;
    assert!(!exists, "consuming deletes the key");
    common::expire_check_and_delete(&prefix).await
}

#[tokio::test]
async fn an_expired_token_is_not_stored() -> TestResult {
    let Some(adapter) = sessions().await? else {
        skipped("an_expired_token_is_not_stored");
        return Ok(());
    };
    let hash = TokenHash::of("stale");
    let record = VerificationRecord::new(hash, "magic-link", "someone", now() - 1);
    VerificationAdapter::<BasicUser>::save_verification(&adapter, &record).await?;
    let consumed =
        VerificationAdapter::<BasicUser>::consume_verification(&adapter, &hash, "magic-link")
            .await?;
    assert_eq!(consumed, None);
    let keys = common::keys_under(adapter.store().prefix()).await?;
    assert!(keys.is_empty(), "{keys:?}");
    Ok(())
}
