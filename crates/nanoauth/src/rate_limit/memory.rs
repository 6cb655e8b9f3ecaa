//! [`MemoryRateLimitStore`]: windows in process memory, expired a few at a
//! time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use super::store::{Hit, RateLimitStore};
use crate::adapter::AdapterError;
use crate::runtime::BoxFuture;

/// Counts in process memory: right for one instance. Several instances
/// behind a load balancer need a shared store.
///
/// Each hit costs the same however many keys are held: ended windows are
/// dropped a few per hit, soonest-ending first, never by scanning every key
/// (attackers choose the emails that become keys).
///
/// ```
/// use nanoauth::rate_limit::{MemoryRateLimitStore, RateLimit};
///
/// let limits = RateLimit::default().store(MemoryRateLimitStore::new());
/// ```
#[derive(Debug, Default)]
pub struct MemoryRateLimitStore {
    windows: Mutex<Windows>,
}

/// How many ended windows one hit drops at most. Each hit opens at most one
/// window, so more than one keeps the backlog of ended windows shrinking
/// while the store is in use.
const DROPS_PER_HIT: usize = 8;

#[derive(Debug, Default)]
struct Windows {
    open: HashMap<Arc<str>, Window>,
    /// When each window ends, soonest first. An entry whose key was since
    /// cleared, or given a new window, no longer matches `open` and is just
    /// discarded when its turn comes.
    endings: BinaryHeap<Reverse<(u64, Arc<str>)>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    count: u64,
    ends_at: u64,
}

impl MemoryRateLimitStore {
    /// An empty store.
    ///
    /// ```
    /// let store = nanoauth::rate_limit::MemoryRateLimitStore::new();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    fn windows(&self) -> std::sync::MutexGuard<'_, Windows> {
        // A panic elsewhere can at worst leave a window without its entry in
        // `endings` (kept until cleared), never a wrong count: the lock is
        // still sound when poisoned.
        self.windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Windows {
    fn hit(&mut self, key: &str, window_secs: u64, now: u64) -> Hit {
        self.drop_ended(now);
        if let Some(window) = self.open.get_mut(key)
            && window.ends_at > now
        {
            window.count = window.count.saturating_add(1);
            return Hit::new(window.count, window.ends_at - now);
        }
        let ends_at = now.saturating_add(window_secs);
        let key: Arc<str> = Arc::from(key);
        self.open
            .insert(Arc::clone(&key), Window { count: 1, ends_at });
        self.endings.push(Reverse((ends_at, key)));
        Hit::new(1, ends_at - now)
    }

    fn peek(&self, key: &str, now: u64) -> Option<Hit> {
        self.open
            .get(key)
            .filter(|window| window.ends_at > now)
            .map(|window| Hit::new(window.count, window.ends_at - now))
    }

    /// Drops up to [`DROPS_PER_HIT`] windows that ended by `now`.
    fn drop_ended(&mut self, now: u64) {
        for _ in 0..DROPS_PER_HIT {
            match self.endings.peek() {
                Some(Reverse((ends_at, _))) if *ends_at <= now => {}
                _ => return,
            }
            let Some(Reverse((ends_at, key))) = self.endings.pop() else {
                return;
            };
            // Only the window this entry was pushed for: the key may have a
            // newer one.
            if self
                .open
                .get(&key)
                .is_some_and(|window| window.ends_at == ends_at)
            {
                self.open.remove(&key);
            }
        }
    }
}

impl RateLimitStore for MemoryRateLimitStore {
    fn hit<'a>(
        &'a self,
        key: &'a str,
        window_secs: u64,
        now: u64,
    ) -> BoxFuture<'a, Result<Hit, AdapterError>> {
        let hit = self.windows().hit(key, window_secs, now);
        Box::pin(async move { Ok(hit) })
    }

    fn peek<'a>(
        &'a self,
        key: &'a str,
        now: u64,
    ) -> BoxFuture<'a, Result<Option<Hit>, AdapterError>> {
        let hit = self.windows().peek(key, now);
        Box::pin(async move { Ok(hit) })
    }

    fn clear<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), AdapterError>> {
        self.windows().open.remove(key);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_and_reset() {
        let mut windows = Windows::default();
        assert_eq!(windows.hit("k", 10, 100), Hit::new(1, 10));
        assert_eq!(windows.hit("k", 10, 105), Hit::new(2, 5));
        assert_eq!(windows.peek("k", 105), Some(Hit::new(2, 5)), "unchanged");
        assert_eq!(windows.hit("k", 10, 109), Hit::new(3, 1));
        assert_eq!(windows.hit("k", 10, 110), Hit::new(1, 10), "a new window");
        assert_eq!(windows.peek("k", 120), None, "ended");
        assert_eq!(windows.peek("other", 110), None);
    }

    /// The memory store's futures are ready at once.
    fn ready<T>(future: BoxFuture<'_, T>) -> T {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let mut future = future;
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(value) => value,
            std::task::Poll::Pending => unreachable!("the memory store never waits"),
        }
    }

    #[test]
    fn clearing_starts_the_count_again() -> Result<(), AdapterError> {
        let store = MemoryRateLimitStore::new();
        ready(store.hit("k", 10, 100))?;
        ready(store.hit("k", 10, 101))?;
        assert_eq!(ready(store.peek("k", 101))?, Some(Hit::new(2, 9)));
        ready(store.clear("k"))?;
        assert_eq!(ready(store.peek("k", 101))?, None);
        assert_eq!(ready(store.hit("k", 10, 102))?, Hit::new(1, 10));
        Ok(())
    }

    #[test]
    fn ended_windows_are_dropped_a_few_per_hit() {
        let mut windows = Windows::default();
        for i in 0..100 {
            windows.hit(&format!("old{i}"), 10, 100);
        }
        windows.hit("long", 1_000, 100);
        assert_eq!(windows.open.len(), 101);
        // Every hit after the windows ended drops a few, never all at once.
        windows.hit("new", 10, 200);
        assert_eq!(windows.open.len(), 101 - DROPS_PER_HIT + 1);
        for i in 0..20 {
            windows.hit(&format!("new{i}"), 10, 200);
        }
        // The old windows are gone; the long one and the new ones stay.
        assert!(windows.open.keys().all(|key| !key.starts_with("old")));
        assert_eq!(windows.open.len(), 1 + 1 + 20);
        assert_eq!(windows.peek("long", 200), Some(Hit::new(1, 900)));
    }

    #[test]
    fn a_reopened_window_is_not_dropped_for_its_old_end() {
        let mut windows = Windows::default();
        windows.hit("k", 10, 100);
        windows.open.remove("k");
        // Cleared, then reopened until 111: the entry for 110 is stale.
        windows.hit("k", 10, 101);
        windows.hit("other", 10, 110);
        assert_eq!(windows.peek("k", 110), Some(Hit::new(1, 1)));
        assert_eq!(windows.endings.len(), 2, "the stale entry was discarded");
    }
}
