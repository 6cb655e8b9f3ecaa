//! Purging what Redis does not expire by itself: the entries of users'
//! session indexes that name sessions already gone.

use std::sync::LazyLock;

use nanoauth::AdapterError;
use redis::Script;

use crate::error::from_redis;
use crate::store::RedisStore;

static TRIM: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/trim_session_indexes.lua")));

/// How many keys one `SCAN` step asks for, and one script trims.
const BATCH: usize = 500;

/// Trims every user's session index under `store`'s prefix, returning how
/// many entries went. Walks the keyspace with `SCAN` (never `KEYS`, which
/// would stall the server) and trims each batch in one script.
///
/// On a Redis Cluster every index carries the `{sessions}` hash tag, so
/// they all live in one slot: `SCAN` walks the primary holding it (the
/// other primaries hold none). Should that slot move to another primary
/// during the walk, the walk ends early or repeats itself; the next purge
/// trims what this one missed.
pub(crate) async fn trim_session_indexes(store: &RedisStore) -> Result<u64, AdapterError> {
    let pattern = store.keys().user_sessions_pattern();
    let slot_key = store.keys().user_sessions_prefix();
    let mut connection = store.connection();
    let mut cursor = 0u64;
    let mut dropped = 0u64;
    loop {
        let scan = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(BATCH)
            .clone();
        let (next, indexes): (u64, Vec<String>) = connection
            .query_where(&scan, &slot_key)
            .await
            .map_err(from_redis)?;
        if !indexes.is_empty() {
            let mut invocation = TRIM.prepare_invoke();
            for index in &indexes {
                invocation.key(index);
            }
            let trimmed: u64 = invocation
                .invoke_async(&mut connection)
                .await
                .map_err(from_redis)?;
            dropped += trimmed;
        }
        if next == 0 {
            return Ok(dropped);
        }
        cursor = next;
    }
}
