//! The shared secret of an authenticator app.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::PrimitiveError;
use crate::random;

/// Bytes in a generated secret: 160 bits, the length RFC 4226 §4 (R6)
/// recommends and the output size of HMAC-SHA-1.
pub const SECRET_LEN: usize = 20;

/// A TOTP/HOTP shared secret.
///
/// The bytes are wiped on drop, `Debug` hides them, there is no `Display`,
/// and `==` runs in constant time. Store it sealed
/// ([`SealingKeys::seal`](nanoauth::utils::sealed::SealingKeys::seal)), never in clear.
///
/// ```
/// use nanoauth_two_factor::secret::TotpSecret;
///
/// let secret = TotpSecret::generate()?;
/// assert_eq!(secret.as_bytes().len(), 20);
/// assert_eq!(format!("{secret:?}"), "TotpSecret([redacted])");
///
/// let typed = TotpSecret::from_base32(&secret.to_base32().to_lowercase()).unwrap();
/// assert!(typed == secret);
/// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
/// ```
#[derive(Clone)]
pub struct TotpSecret(Zeroizing<Vec<u8>>);

impl TotpSecret {
    /// A fresh secret of [`SECRET_LEN`] random bytes.
    ///
    /// ```
    /// use nanoauth_two_factor::secret::TotpSecret;
    ///
    /// assert!(TotpSecret::generate()? != TotpSecret::generate()?);
    /// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
    /// ```
    ///
    /// # Errors
    /// [`PrimitiveError::Randomness`] when the operating system has no
    /// randomness to give.
    pub fn generate() -> Result<Self, PrimitiveError> {
        let bytes = Zeroizing::new(random::bytes::<SECRET_LEN>()?);
        Ok(Self::from_bytes(bytes.as_slice()))
    }

    /// Wraps existing secret bytes, for example after
    /// [`SealingKeys::open`](nanoauth::utils::sealed::SealingKeys::open).
    ///
    /// ```
    /// use nanoauth_two_factor::secret::TotpSecret;
    ///
    /// let secret = TotpSecret::from_bytes(b"12345678901234567890");
    /// assert_eq!(secret.as_bytes(), b"12345678901234567890");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(Zeroizing::new(bytes.to_vec()))
    }

    /// The raw secret bytes.
    ///
    /// ```
    /// use nanoauth_two_factor::secret::TotpSecret;
    ///
    /// assert_eq!(TotpSecret::from_bytes(&[1, 2, 3]).as_bytes(), &[1, 2, 3]);
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// RFC 4648 base32, upper case, without padding: what authenticator apps
    /// expect in the `secret` parameter and for manual entry.
    ///
    /// ```
    /// use nanoauth_two_factor::secret::TotpSecret;
    ///
    /// let secret = TotpSecret::from_bytes(b"12345678901234567890");
    /// assert_eq!(*secret.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// ```
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.0))
    }

    /// Reads base32 as people and apps write it: spaces, hyphens, lower case
    /// and `=` padding are accepted. `None` when the text is not base32 or
    /// decodes to nothing.
    ///
    /// ```
    /// use nanoauth_two_factor::secret::TotpSecret;
    ///
    /// let secret = TotpSecret::from_base32("gezd gnbv gy3t qojq").unwrap();
    /// assert_eq!(secret.as_bytes(), b"1234567890");
    /// assert!(TotpSecret::from_base32("not base32!").is_none());
    /// ```
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let unpadded = cleaned.trim_end_matches('=');
        let bytes = Zeroizing::new(BASE32_NOPAD.decode(unpadded.as_bytes()).ok()?);
        if bytes.is_empty() {
            return None;
        }
        Some(Self::from_bytes(&bytes))
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl PartialEq for TotpSecret {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for TotpSecret {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn base32_round_trips_every_length() {
        // Every residue of the length modulo 5 exercises a different tail
        // of RFC 4648 §6.
        for len in 1..=41u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let secret = TotpSecret::from_bytes(&bytes);
            let text = secret.to_base32();
            assert!(!text.contains('='), "{}", *text);
            assert_eq!(text.to_ascii_uppercase(), *text);
            assert_eq!(TotpSecret::from_base32(&text), Some(secret));
        }
    }

    #[test]
    fn base32_matches_rfc_4648_vectors() {
        // RFC 4648 §10.
        let cases = [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ];
        for (plain, encoded) in cases {
            let secret = TotpSecret::from_bytes(plain.as_bytes());
            assert_eq!(*secret.to_base32(), encoded);
        }
    }

    #[test]
    fn base32_reading_is_tolerant() {
        let expected = TotpSecret::from_bytes(b"foobar");
        for text in [
            "MZXW6YTBOI",
            "mzxw6ytboi",
            "MZXW6YTBOI======",
            " mzxw 6ytb oi ",
            "MZXW-6YTB-OI",
        ] {
            assert_eq!(
                TotpSecret::from_base32(text).as_ref(),
                Some(&expected),
                "{text}"
            );
        }
    }

    #[test]
    fn base32_reading_refuses_garbage() {
        for text in ["", "   ", "====", "MZXW1", "MZX!", "Ω"] {
            assert_eq!(TotpSecret::from_base32(text), None, "{text}");
        }
    }

    #[test]
    fn generated_secrets_have_160_bits() -> Result<(), PrimitiveError> {
        let first = TotpSecret::generate()?;
        assert_eq!(first.as_bytes().len(), 20);
        assert_ne!(first, TotpSecret::generate()?);
        Ok(())
    }

    #[test]
    fn debug_is_redacted() {
        let secret = TotpSecret::from_bytes(b"hunter2hunter2");
        assert!(!format!("{secret:?}").contains("hunter"));
    }
}
