//! The password-hashing queue: at most one Argon2 run per slot, a bounded
//! line of requests waiting for a slot, and one reusable working memory per
//! slot.
//!
//! Why each part:
//! - **Slots** (one per core by default): more concurrent runs only share
//!   the same cores, each holding its 19 MiB meanwhile.
//! - **A bounded line**: past it, a request is refused at once with
//!   `503 SERVER_BUSY` and `Retry-After`, before any work is done, instead
//!   of waiting in a queue that grows without limit (and holds each
//!   waiter's request meanwhile).
//! - **Memory kept per slot** ([`ArgonMemory`]): allocated afresh, each
//!   run's 19 MiB lands in whichever allocator arena its blocking thread
//!   uses, and stays cached there; under a burst the process grew by about
//!   the arena count times 19 MiB (318 MiB peak for 64 concurrent sign-ins
//!   on two cores). Reused, the memory is slots × 19 MiB, allocated once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_lock::Semaphore;

use crate::utils::password::ArgonMemory;
use crate::{Error, Offload};

/// What a full line tells clients to wait, in seconds. The line at its
/// default length drains in about `64 × hash time` (two seconds at 30 ms a
/// hash); a second spreads the retries over that time rather than sending
/// them all back at once when it ends.
const RETRY_AFTER_SECS: u64 = 1;

/// Requests that may wait per slot by default: 64 × 30 ms ≈ 2 s of waiting
/// at the OWASP parameters, well inside any client's timeout.
const DEFAULT_WAITING_PER_SLOT: usize = 64;

/// The plugin's hashing queue; clones share it.
#[derive(Clone, Debug)]
pub(super) struct HashQueue {
    slots: Arc<Semaphore>,
    slot_count: usize,
    max_waiting: usize,
    /// Requests admitted: running plus waiting.
    admitted: Arc<AtomicUsize>,
    /// Working memories not in use; never more than `slot_count`.
    memories: Arc<Mutex<Vec<ArgonMemory>>>,
}

impl HashQueue {
    /// `slots` runs at once, `DEFAULT_WAITING_PER_SLOT` waiting per slot.
    pub(super) fn new(slots: usize) -> Self {
        let slots = slots.max(1);
        Self::with_limits(slots, slots.saturating_mul(DEFAULT_WAITING_PER_SLOT))
    }

    /// `slots` runs at once and at most `max_waiting` requests waiting.
    pub(super) fn with_limits(slots: usize, max_waiting: usize) -> Self {
        let slots = slots.max(1);
        Self {
            slots: Arc::new(Semaphore::new(slots)),
            slot_count: slots,
            max_waiting,
            admitted: Arc::new(AtomicUsize::new(0)),
            memories: Arc::new(Mutex::new(Vec::with_capacity(slots))),
        }
    }

    pub(super) fn slots(&self) -> usize {
        self.slot_count
    }

    /// Runs `work` on `offload` once a slot is free, with a slot's working
    /// memory.
    ///
    /// # Errors
    /// `503 SERVER_BUSY` at once when the line is full; an internal error
    /// when the job was cancelled.
    pub(super) async fn submit<T, F>(&self, offload: &dyn Offload, work: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut ArgonMemory) -> T + Send + 'static,
    {
        let place = self.admit()?;
        // The permit and the place go into the job: they are held until the
        // run is done, even if the request that asked for it is dropped
        // meanwhile (its run still occupies the core).
        let slot = self.slots.acquire_arc().await;
        let memories = Arc::clone(&self.memories);
        crate::run_low_priority(offload, move || {
            let _held = (slot, place);
            let mut memory = memories
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()
                .unwrap_or_default();
            let answer = work(&mut memory);
            memories
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(memory);
            answer
        })
        .await
        .map_err(Error::internal)
    }

    /// A place in the line, or `SERVER_BUSY` when it is full.
    fn admit(&self) -> Result<PlaceInLine, Error> {
        let limit = self.slot_count.saturating_add(self.max_waiting);
        let before = self.admitted.fetch_add(1, Ordering::AcqRel);
        // The place exists from here, so the count is given back on every
        // path, the refusal included.
        let place = PlaceInLine(Arc::clone(&self.admitted));
        if before >= limit {
            drop(place);
            return Err(Error::Busy {
                retry_after_secs: RETRY_AFTER_SECS,
            });
        }
        Ok(place)
    }
}

/// One admitted request; its place is given back when dropped.
struct PlaceInLine(Arc<AtomicUsize>);

impl Drop for PlaceInLine {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InlineOffload;
    use crate::utils::password::PasswordHasher;

    #[test]
    fn a_full_line_is_refused_and_places_come_back() {
        let queue = HashQueue::with_limits(1, 1);
        let first = queue.admit();
        let second = queue.admit();
        assert!(first.is_ok() && second.is_ok());
        let refused = queue
            .admit()
            .err()
            .map(|error| (error.code(), error.status()));
        assert_eq!(
            refused,
            Some(("SERVER_BUSY", http::StatusCode::SERVICE_UNAVAILABLE))
        );
        drop(first);
        assert!(queue.admit().is_ok(), "a finished request frees its place");
    }

    #[tokio::test]
    async fn memory_is_reused_between_runs() -> Result<(), Error> {
        let queue = HashQueue::new(1);
        let hasher = PasswordHasher::with_params(64, 1, 1).map_err(Error::internal)?;
        let mut found = Vec::new();
        for _ in 0..2 {
            let hasher = hasher.clone();
            let held_before = queue
                .submit(&InlineOffload, move |memory| {
                    let before = memory.kib();
                    hasher.hash_with("a password", memory).map(|_| before)
                })
                .await?
                .map_err(Error::internal)?;
            found.push(held_before);
        }
        assert_eq!(
            found,
            [0, 64],
            "the second run finds the first one's memory"
        );
        let kept = queue.memories.lock().map(|kept| kept.len()).unwrap_or(0);
        assert_eq!(kept, 1);
        Ok(())
    }
}
