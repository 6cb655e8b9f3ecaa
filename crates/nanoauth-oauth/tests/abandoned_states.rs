//! A sign-in started and never finished leaves its state behind, a
//! single-use token of the core: `Auth::purge_expired` deletes it once its
//! ten minutes are up. No provider is contacted (GitHub's endpoints are
//! fixed, so starting a flow needs no discovery).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{Auth, BasicSignUp, BasicUser, Clock};
use nanoauth_oauth::{OAuth, OAuthExt, providers};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
struct TestClock(Arc<AtomicU64>);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn an_abandoned_state_is_purged_once_expired() -> TestResult {
    let time = Arc::new(AtomicU64::new(1_700_000_000));
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("a secret of at least thirty-two bytes!!")
        .base_url("http://localhost:3000")
        .clock(TestClock(Arc::clone(&time)))
        .plugin(
            OAuth::<BasicUser>::new(|_| BasicSignUp::default())
                .provider(providers::github("client-id", "client-secret")),
        )
        .build()?;
    let start = auth
        .oauth()
        .authorization_url("github", "/", None, None)
        .await?;
    assert!(start.url.contains("state="), "{}", start.url);
    assert_eq!(
        auth.adapter().verification_count(),
        1,
        "the state is stored"
    );

    time.fetch_add(10 * 60 - 1, Ordering::SeqCst);
    assert_eq!(auth.purge_expired().await?.verifications, 0, "still valid");
    time.fetch_add(1, Ordering::SeqCst);
    assert_eq!(auth.purge_expired().await?.verifications, 1);
    assert_eq!(auth.adapter().verification_count(), 0);
    Ok(())
}
