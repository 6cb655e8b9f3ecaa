//! The adapter conformance suite against Redis sessions over the in-memory
//! user store, against `NANOAUTH_TEST_REDIS_URL` or a Redis on the local port.

mod common;

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth_redis::RedisSessions;
use nanoauth_testing::{ConformanceUser, conformance};

type Sessions = RedisSessions<MemoryAdapter<ConformanceUser>>;

// The macro's setup gives an `Option`: a test fails by panicking.
#[allow(clippy::panic)]
async fn setup() -> Option<Sessions> {
    match common::store().await {
        Ok(store) => store.map(|store| RedisSessions::new(MemoryAdapter::new(), store)),
        Err(error) => panic!("the Redis to test against cannot be used: {error}"),
    }
}

#[allow(clippy::panic)]
async fn teardown(adapter: Sessions) {
    if let Err(error) = common::expire_check_and_delete(adapter.store().prefix()).await {
        panic!("teardown: {error}");
    }
}

conformance!(
    setup: setup(),
    capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
    teardown: teardown,
);
