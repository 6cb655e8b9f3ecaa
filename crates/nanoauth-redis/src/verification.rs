//! Single-use verification tokens in Redis, whatever adapter holds the users.

use std::sync::LazyLock;

use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, AdapterError, AuthUser, VerificationAdapter, VerificationRecord};
use redis::Script;

use crate::codec::{decode_verification, encode_verification};
use crate::error::from_redis;
use crate::expiry::expire_at;
use crate::sessions::RedisSessions;

// A script rather than `SET .. EXAT`, to refuse tokens already expired on
// the server's clock on every Redis version.
static SAVE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/save_verification.lua")));

/// Tokens live under `{prefix}verification:{purpose}:{token_hash}` until
/// their `expires_at`. The purpose is part of the key, so a token is never
/// consumed for another purpose; consuming is one `GETDEL`, so of any number
/// of concurrent calls exactly one gets the record.
///
/// ```no_run
/// use nanoauth::utils::token::TokenHash;
/// use nanoauth::{BasicUser, VerificationAdapter, VerificationRecord};
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// # async fn example() -> Result<(), nanoauth::AdapterError> {
/// let adapter = nanoauth_redis::RedisSessions::connect(
///     MemoryAdapter::<BasicUser>::new(),
///     "redis://127.0.0.1:6379",
/// )
/// .await?;
/// let hash = TokenHash::of("the token in the email link");
/// let record = VerificationRecord::new(hash, "verify-email", "ada@example.com", 4_102_444_800);
/// VerificationAdapter::<BasicUser>::save_verification(&adapter, &record).await?;
/// let consumed =
///     VerificationAdapter::<BasicUser>::consume_verification(&adapter, &hash, "verify-email").await?;
/// assert_eq!(consumed, Some(record));
/// # Ok(()) }
/// ```
impl<U: AuthUser, A: Adapter<U>> VerificationAdapter<U> for RedisSessions<A> {
    async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
        let mut invocation = SAVE.prepare_invoke();
        invocation
            .key(
                self.store()
                    .keys()
                    .verification(&record.purpose, &record.token_hash),
            )
            .arg(encode_verification(record)?)
            .arg(expire_at(record.expires_at));
        invocation
            .invoke_async::<()>(&mut self.store().connection())
            .await
            .map_err(from_redis)
    }

    async fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> Result<Option<VerificationRecord>, AdapterError> {
        let json: Option<String> = redis::cmd("GETDEL")
            .arg(self.store().keys().verification(purpose, token_hash))
            .query_async(&mut self.store().connection())
            .await
            .map_err(from_redis)?;
        json.map(|json| decode_verification(&json, token_hash, purpose))
            .transpose()
    }

    /// Every token key expires at its `expires_at` by itself (and there is
    /// no index of tokens): nothing is left to purge.
    async fn purge_expired_verifications(&self, _now: u64) -> Result<u64, AdapterError> {
        Ok(0)
    }
}
