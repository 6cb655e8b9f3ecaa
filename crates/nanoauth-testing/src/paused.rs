//! An adapter wrapper that holds one session write back, so that a case can
//! revoke the session while a lookup is between reading and refreshing it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, AdapterError, AuthUser, Email, SessionRecord};
use tokio::sync::Notify;

/// How long a case waits for a lookup to reach the paused write.
const REACH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the next session write waits, once armed.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    armed: AtomicBool,
    reached: Notify,
    released: Notify,
}

impl Gate {
    /// Holds back the next `save_session` or `refresh_session` (one only).
    pub(crate) fn arm(&self) {
        self.armed.store(true, Ordering::SeqCst);
    }

    /// Whether a write reached the gate within the timeout.
    pub(crate) async fn reached(&self) -> bool {
        tokio::time::timeout(REACH_TIMEOUT, self.reached.notified())
            .await
            .is_ok()
    }

    /// Lets the held write go on to the store.
    pub(crate) fn release(&self) {
        self.released.notify_one();
    }

    async fn pass(&self) {
        if self.armed.swap(false, Ordering::SeqCst) {
            // `notify_one` keeps a permit when nobody waits yet: no wake-up
            // is lost whichever side gets there first.
            self.reached.notify_one();
            self.released.notified().await;
        }
    }
}

/// `A`, with session writes held at a [`Gate`].
#[derive(Debug)]
pub(crate) struct Paused<A> {
    inner: Arc<A>,
    gate: Arc<Gate>,
}

impl<A> Paused<A> {
    pub(crate) fn new(inner: Arc<A>, gate: Arc<Gate>) -> Self {
        Self { inner, gate }
    }
}

impl<U: AuthUser, A: Adapter<U>> Adapter<U> for Paused<A> {
    async fn get_user(&self, id: &str) -> Result<Option<U>, AdapterError> {
        self.inner.get_user(id).await
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<U>, AdapterError> {
        self.inner.find_user_by_email(email).await
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.gate.pass().await;
        self.inner.save_session(session).await
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        self.gate.pass().await;
        self.inner.refresh_session(session).await
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        self.inner.validate_token(token_hash).await
    }

    async fn validate_token_with_user(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<(SessionRecord, U)>, AdapterError> {
        self.inner.validate_token_with_user(token_hash).await
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        self.inner.delete_session(token_hash).await
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
        self.inner.purge_expired_sessions(now).await
    }
}
