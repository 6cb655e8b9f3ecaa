//! HOTP (RFC 4226): the counter-based one-time password TOTP is built on.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

/// The hash under HMAC. Authenticator apps assume SHA-1 and many ignore any
/// other value in the `otpauth://` URI, so keep the default unless every
/// client is known to read it.
///
/// ```
/// use nanoauth_two_factor::otp::Algorithm;
///
/// assert_eq!(Algorithm::default(), Algorithm::Sha1);
/// assert_eq!(Algorithm::Sha256.name(), "SHA256");
/// assert_eq!(Algorithm::from_name("sha512"), Some(Algorithm::Sha512));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// HMAC-SHA-1 (RFC 4226). Collisions in SHA-1 do not weaken HMAC.
    #[default]
    Sha1,
    /// HMAC-SHA-256 (RFC 6238 §1.2).
    Sha256,
    /// HMAC-SHA-512 (RFC 6238 §1.2).
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs: `SHA1`, `SHA256` or `SHA512`.
    ///
    /// ```
    /// use nanoauth_two_factor::otp::Algorithm;
    ///
    /// assert_eq!(Algorithm::Sha1.name(), "SHA1");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// Reads an `otpauth://` algorithm name, ignoring ASCII case.
    ///
    /// ```
    /// use nanoauth_two_factor::otp::Algorithm;
    ///
    /// assert_eq!(Algorithm::from_name("SHA256"), Some(Algorithm::Sha256));
    /// assert_eq!(Algorithm::from_name("MD5"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|algorithm| algorithm.name().eq_ignore_ascii_case(name))
    }

    fn mac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha1 => mac::<Hmac<Sha1>>(key, message),
            Self::Sha256 => mac::<Hmac<Sha256>>(key, message),
            Self::Sha512 => mac::<Hmac<Sha512>>(key, message),
        }
    }
}

/// The fewest digits accepted: RFC 4226 §5.3 requires at least six.
pub const MIN_DIGITS: u32 = 6;
/// The most digits accepted. Dynamic truncation yields 31 bits, so nine
/// would still work, but no authenticator app shows more than eight.
pub const MAX_DIGITS: u32 = 8;

/// The HOTP value of `counter` (RFC 4226 §5.3), zero-padded to `digits`.
///
/// `digits` is clamped into [`MIN_DIGITS`]`..=`[`MAX_DIGITS`] rather than
/// refused, so this never fails; [`Totp::new`](crate::totp::Totp::new) is
/// where a configured length is checked.
///
/// ```
/// use nanoauth_two_factor::otp::{hotp, Algorithm};
///
/// // RFC 4226 Appendix D, counter 0.
/// assert_eq!(hotp(b"12345678901234567890", 0, 6, Algorithm::Sha1), "755224");
/// ```
pub fn hotp(secret: &[u8], counter: u64, digits: u32, algorithm: Algorithm) -> String {
    let digits = digits.clamp(MIN_DIGITS, MAX_DIGITS);
    let hash = algorithm.mac(secret, &counter.to_be_bytes());
    let modulus = 10u32.pow(digits);
    format!(
        "{:0width$}",
        truncate(&hash) % modulus,
        width = digits as usize
    )
}

/// Dynamic truncation (RFC 4226 §5.3): four bytes at the offset named by the
/// low nibble of the last byte, top bit cleared so that signed and unsigned
/// implementations agree.
fn truncate(hash: &[u8]) -> u32 {
    let offset = hash.last().map_or(0, |last| usize::from(last & 0x0f));
    // Every digest here is at least 20 bytes and offset + 4 <= 19, so the
    // window always exists; 0 only stands in to keep this total.
    hash.get(offset..offset + 4)
        .and_then(|window| <[u8; 4]>::try_from(window).ok())
        .map_or(0, |window| u32::from_be_bytes(window) & 0x7fff_ffff)
}

/// HMAC of `message` under `key` with the MAC `M`.
pub(crate) fn mac<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length (RFC 2104 §2: longer keys are hashed,
    // shorter ones padded), so `new_from_slice` cannot fail for it.
    let mut mac = <M as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn digits_are_clamped_not_refused() {
        let secret = b"12345678901234567890";
        assert_eq!(hotp(secret, 0, 0, Algorithm::Sha1).len(), 6);
        assert_eq!(hotp(secret, 0, 12, Algorithm::Sha1).len(), 8);
    }

    #[test]
    fn short_codes_are_zero_padded() {
        // RFC 6238 Appendix B, T = 0x23523EC: the 8-digit value starts with 0.
        let code = hotp(b"12345678901234567890", 0x0235_23EC, 8, Algorithm::Sha1);
        assert_eq!(code, "07081804");
    }

    #[test]
    fn empty_keys_still_produce_a_code() {
        assert_eq!(hotp(b"", 1, 6, Algorithm::Sha512).len(), 6);
    }

    #[test]
    fn algorithm_names_round_trip() {
        for algorithm in [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512] {
            assert_eq!(Algorithm::from_name(algorithm.name()), Some(algorithm));
        }
    }
}
