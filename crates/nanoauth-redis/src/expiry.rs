//! Expiry times as Redis takes them.

/// 9999-12-31T23:59:59Z. Redis refuses an `EXAT` whose milliseconds overflow
/// a signed 64-bit integer, and the core saturates far-future expiries at
/// `u64::MAX`; such a record is kept "forever" instead of failing to save.
/// The stored JSON keeps the exact `expires_at`.
const LATEST: u64 = 253_402_300_799;

/// The `EXAT` (and index score) for a record expiring at `expires_at`.
pub(crate) fn expire_at(expires_at: u64) -> u64 {
    expires_at.min(LATEST)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_future_expiries_are_clamped() {
        assert_eq!(expire_at(1_700_000_000), 1_700_000_000);
        assert_eq!(expire_at(u64::MAX), LATEST);
    }
}
