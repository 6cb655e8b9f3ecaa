//! The time source, injectable so tests can move time instead of sleeping.

/// Tells the current time in whole seconds since the Unix epoch.
///
/// ```
/// use std::sync::atomic::{AtomicU64, Ordering};
/// use nanoauth::Clock;
///
/// /// A clock a test can move forward.
/// #[derive(Debug, Default)]
/// struct TestClock(AtomicU64);
///
/// impl Clock for TestClock {
///     fn now(&self) -> u64 { self.0.load(Ordering::Relaxed) }
/// }
/// ```
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now(&self) -> u64;
}

/// The system's wall clock. On `wasm32-unknown-unknown` (browsers,
/// Cloudflare Workers) it reads JavaScript's `Date.now()`, because
/// `std::time::SystemTime` panics there.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    fn now(&self) -> u64 {
        // Milliseconds as f64; `as` saturates, so a bogus negative is 0.
        (js_sys::Date::now() / 1000.0) as u64
    }

    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    fn now(&self) -> u64 {
        // A clock before 1970 is a broken machine; treating it as the epoch
        // makes every token look expired, which fails closed.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}
