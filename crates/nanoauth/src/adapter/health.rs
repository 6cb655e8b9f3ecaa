//! A health flag for adapters over networked stores: fail fast while the
//! store is down, probe it one request at a time, and recover on the first
//! success.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether a networked store (a database server, Redis) answered the last
/// time an adapter tried, so that requests during an outage are answered
/// `503` at once instead of each waiting out a connect timeout.
///
/// It is a circuit breaker with no clock:
/// - **up** (the start): every operation goes to the store; one that fails
///   because the store cannot be reached calls [`trip`](Self::trip);
/// - **down**: an operation first asks for a [`Probe`]. One operation at a
///   time gets it and tries the store; every other one fails at once with
///   [`AdapterError::Unavailable`](crate::AdapterError::Unavailable). The
///   probe's first success calls [`recover`](Self::recover).
///
/// Only reachability trips it: a busy pool, a constraint violation or a
/// slow query are not outages. Reading it is one relaxed atomic load, so it
/// costs nothing on the request path while the store is up.
///
/// ```
/// use nanoauth::adapter::Health;
///
/// let health = Health::new();
/// assert!(health.is_up());
/// health.trip(); // a query failed with "connection refused"
/// let probe = health.probe().expect("the first caller probes");
/// assert!(health.probe().is_none(), "everyone else fails fast");
/// probe.succeeded(); // the store answered again
/// assert!(health.is_up());
/// ```
#[derive(Debug, Default)]
pub struct Health {
    down: AtomicBool,
    probing: AtomicBool,
}

impl Health {
    /// A flag that starts up: a store is presumed reachable until it fails.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether operations go straight to the store.
    pub fn is_up(&self) -> bool {
        !self.down.load(Ordering::Relaxed)
    }

    /// Marks the store unreachable: call it when an operation failed because
    /// the store could not be reached (refused, reset, timed out connecting,
    /// server shutting down).
    pub fn trip(&self) {
        self.down.store(true, Ordering::Relaxed);
    }

    /// Marks the store reachable again.
    pub fn recover(&self) {
        // A store only when down keeps the cache line shared while up.
        if self.down.load(Ordering::Relaxed) {
            self.down.store(false, Ordering::Relaxed);
        }
    }

    /// The right to try the store while it is down, for one caller at a
    /// time; `None` while another caller's probe runs (fail fast then).
    pub fn probe(&self) -> Option<Probe<'_>> {
        self.probing
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            .then_some(Probe { health: self })
    }
}

/// One caller's try of a store that was down; see [`Health::probe`].
/// Dropping it without [`succeeded`](Self::succeeded) (a failure, or a
/// request cancelled mid-way) leaves the store down and lets the next caller
/// probe.
#[derive(Debug)]
#[must_use = "a probe that is dropped unused leaves the store down"]
pub struct Probe<'a> {
    health: &'a Health,
}

impl Probe<'_> {
    /// The store answered: operations go to it again.
    pub fn succeeded(self) {
        self.health.recover();
    }
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        self.health.probing.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_probe_leaves_it_down_and_frees_the_slot() {
        let health = Health::new();
        health.trip();
        assert!(!health.is_up());
        drop(health.probe());
        assert!(!health.is_up(), "a dropped probe is a failure");
        assert!(health.probe().is_some(), "the next caller may probe");
    }

    #[test]
    fn one_probe_at_a_time() {
        let health = Health::new();
        health.trip();
        let first = health.probe();
        assert!(first.is_some());
        assert!(health.probe().is_none());
        drop(first);
        assert!(health.probe().is_some());
    }

    #[test]
    fn trips_and_recovers() {
        let health = Health::new();
        health.trip();
        health.recover();
        assert!(health.is_up());
    }
}
