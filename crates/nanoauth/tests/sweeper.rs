//! The background sweeper: it purges on its own, reports a failed purge as
//! an event and keeps going, and stops when dropped. Time is tokio's paused
//! clock, so its intervals pass at once.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    Adapter, AdapterError, Auth, BasicUser, ClientInfo, Clock, Email, Event, EventKind,
    SessionRecord, VerificationAdapter, VerificationRecord,
};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const DAY: u64 = 24 * 60 * 60;
const EVERY: Duration = Duration::from_secs(600);

/// The `Auth`'s clock, moved by hand (tokio's paused clock drives only
/// the sweeper's intervals).
#[derive(Debug, Clone, Default)]
struct TestClock(Arc<std::sync::atomic::AtomicU64>);

impl Clock for TestClock {
    fn now(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

impl TestClock {
    fn advance(&self, seconds: u64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

/// The in-memory adapter, whose purges fail while `down` is set.
#[derive(Debug, Default)]
struct Flaky {
    inner: MemoryAdapter<BasicUser>,
    down: AtomicBool,
}

impl Flaky {
    fn check(&self) -> Result<(), AdapterError> {
        if self.down.load(Ordering::SeqCst) {
            return Err(AdapterError::unavailable("connection refused"));
        }
        Ok(())
    }
}

impl Adapter<BasicUser> for Flaky {
    async fn get_user(&self, id: &str) -> Result<Option<BasicUser>, AdapterError> {
        self.inner.get_user(id).await
    }
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<BasicUser>, AdapterError> {
        self.inner.find_user_by_email(email).await
    }
    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.inner.save_session(session).await
    }
    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        self.inner.refresh_session(session).await
    }
    async fn validate_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        self.inner.validate_token(hash).await
    }
    async fn delete_session(&self, hash: &TokenHash) -> Result<bool, AdapterError> {
        self.inner.delete_session(hash).await
    }
    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        self.inner.list_sessions(user_id).await
    }
    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        self.inner.delete_user_sessions(user_id, keep).await
    }
    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        self.check()?;
        self.inner.purge_expired_sessions(now).await
    }
}

impl VerificationAdapter<BasicUser> for Flaky {
    async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
        self.inner.save_verification(record).await
    }
    async fn consume_verification(
        &self,
        hash: &TokenHash,
        purpose: &str,
    ) -> Result<Option<VerificationRecord>, AdapterError> {
        self.inner.consume_verification(hash, purpose).await
    }
    async fn purge_expired_verifications(&self, now: u64) -> Result<u64, AdapterError> {
        self.check()?;
        self.inner.purge_expired_verifications(now).await
    }
}

type FlakyAuth = Auth<BasicUser, Flaky>;

/// Purge failures heard by an `OnError` listener.
type Heard = Arc<Mutex<Vec<String>>>;

fn auth(clock: &TestClock) -> Result<(FlakyAuth, Heard), nanoauth::ConfigError> {
    let failures = Heard::default();
    let heard = Arc::clone(&failures);
    let auth = Auth::builder(Flaky::default())
        .secret("a secret of at least thirty-two bytes!!")
        .base_url("http://localhost:3000")
        .clock(clock.clone())
        .session_expires_in(DAY)
        .on(EventKind::OnError, move |event: Event<BasicUser>, _| {
            let heard = Arc::clone(&heard);
            async move {
                if let (Event::PurgeFailed { error }, Ok(mut heard)) = (event, heard.lock()) {
                    heard.push(error);
                }
            }
        })
        .build()?;
    Ok((auth, failures))
}

/// A new session, expiring a day from the clock's now.
async fn sign_in(auth: &FlakyAuth) -> Result<(), nanoauth::Error> {
    let user = BasicUser {
        id: "u1".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    };
    auth.create_session(
        user,
        ClientInfo::default(),
        nanoauth::SignInMethod::new("test"),
    )
    .await?;
    Ok(())
}

/// Lets tokio's paused time run (and the sweeper with it) until `done`
/// holds, for at most ten sweeper intervals.
async fn until(done: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if done() {
            return true;
        }
        tokio::time::sleep(EVERY / 10).await;
    }
    done()
}

fn at_start() -> TestClock {
    let clock = TestClock::default();
    clock.advance(1_700_000_000);
    clock
}

#[tokio::test(start_paused = true)]
async fn the_sweeper_purges_on_its_own_until_dropped() -> TestResult {
    let clock = at_start();
    let (auth, failures) = auth(&clock)?;
    let sessions = || auth.adapter().inner.session_count();
    sign_in(&auth).await?;
    clock.advance(DAY);
    let sweeper = auth.spawn_sweeper(EVERY)?;
    assert!(until(|| sessions() == 0).await, "purged at the first run");

    sign_in(&auth).await?;
    assert_eq!(sessions(), 1);
    tokio::time::sleep(EVERY * 2).await;
    assert_eq!(sessions(), 1, "a live session is left alone");
    clock.advance(DAY);
    assert!(until(|| sessions() == 0).await, "purged at a later run");

    drop(sweeper);
    sign_in(&auth).await?;
    clock.advance(DAY);
    tokio::time::sleep(EVERY * 3).await;
    assert_eq!(sessions(), 1, "a dropped sweeper purges nothing");
    assert!(failures.lock().map(|f| f.is_empty()).unwrap_or(false));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_failed_purge_is_an_event_and_the_next_run_tries_again() -> TestResult {
    let clock = at_start();
    let (auth, failures) = auth(&clock)?;
    let heard = || failures.lock().map(|f| f.clone()).unwrap_or_default();
    sign_in(&auth).await?;
    clock.advance(DAY);
    auth.adapter().down.store(true, Ordering::SeqCst);
    let _sweeper = auth.spawn_sweeper(EVERY)?;
    assert!(until(|| !heard().is_empty()).await, "the failure is heard");
    assert!(
        heard()[0].contains("connection refused"),
        "the store's own words: {:?}",
        heard()
    );
    assert_eq!(auth.adapter().inner.session_count(), 1);

    auth.adapter().down.store(false, Ordering::SeqCst);
    assert!(
        until(|| auth.adapter().inner.session_count() == 0).await,
        "the next run purges"
    );
    Ok(())
}

#[test]
fn outside_a_runtime_the_sweeper_is_an_error_not_a_panic() -> TestResult {
    let (auth, _) = auth(&at_start())?;
    assert!(auth.spawn_sweeper(EVERY).is_err());
    Ok(())
}
