//! Unix seconds as the ISO 8601 strings better-auth sends (JavaScript's
//! `Date.prototype.toISOString`: `2026-12-05T12:00:00.000Z`), which its
//! client turns back into `Date` objects.

/// `secs` (Unix seconds, UTC) as `YYYY-MM-DDTHH:MM:SS.000Z`.
pub(crate) fn iso(secs: u64) -> String {
    let days = secs / 86_400;
    let rest = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::iso;

    #[test]
    fn known_dates() {
        // Checked against `new Date(secs * 1000).toISOString()` in Node.
        assert_eq!(iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(951_782_400), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso(1_709_251_199), "2024-02-29T23:59:59.000Z");
        assert_eq!(iso(1_796_472_000), "2026-12-05T12:00:00.000Z");
        assert_eq!(iso(4_102_444_800), "2100-01-01T00:00:00.000Z");
    }
}
