//! The one error type of this crate.

use std::fmt;

/// Why a two-factor primitive could not do its job.
///
/// Verification never fails with an error: a wrong, malformed or replayed
/// code is `None` or `false`, so nothing here tells an attacker which check
/// refused them.
///
/// ```
/// use nanoauth_two_factor::error::PrimitiveError;
///
/// assert_eq!(PrimitiveError::Randomness.code(), "randomness_unavailable");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrimitiveError {
    // The operating system.
    /// The operating system could not provide random bytes.
    Randomness,

    // The application's configuration.
    /// A parameter is out of range: TOTP digits outside `6..=8`, a period of
    /// zero, or too many backup codes.
    InvalidParameter,

    // The input.
    /// The text does not fit in a QR code.
    QrDataTooLong,
}

impl PrimitiveError {
    /// A stable, machine-readable code for logs and API responses.
    ///
    /// ```
    /// use nanoauth_two_factor::error::PrimitiveError;
    ///
    /// assert_eq!(PrimitiveError::QrDataTooLong.code(), "qr_data_too_long");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Randomness => "randomness_unavailable",
            Self::InvalidParameter => "invalid_parameter",
            Self::QrDataTooLong => "qr_data_too_long",
        }
    }
}

impl fmt::Display for PrimitiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Randomness => "the operating system could not provide randomness",
            Self::InvalidParameter => "a two-factor parameter is out of range",
            Self::QrDataTooLong => "the text is too long for a QR code",
        })
    }
}

impl std::error::Error for PrimitiveError {}
