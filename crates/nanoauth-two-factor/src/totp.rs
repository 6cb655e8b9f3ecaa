//! TOTP (RFC 6238): HOTP over the number of periods since the Unix epoch.

use subtle::ConstantTimeEq;

use crate::error::PrimitiveError;
use crate::otp::{self, Algorithm, MAX_DIGITS, MIN_DIGITS};
use crate::secret::TotpSecret;

/// The widest window [`Totp::verify`] searches on either side of the
/// current step. Larger skews are clamped to it: each extra step is another
/// code an attacker may guess, and a skew chosen from input must not make a
/// verification loop for long.
pub const MAX_SKEW: u64 = 10;

/// TOTP parameters: hash, number of digits and period in seconds.
///
/// The default is what every authenticator app reads: SHA-1, 6 digits,
/// 30 seconds (RFC 6238 §5.2).
///
/// ```
/// use nanoauth_two_factor::secret::TotpSecret;
/// use nanoauth_two_factor::totp::Totp;
///
/// let totp = Totp::default();
/// let secret = TotpSecret::from_bytes(b"12345678901234567890");
/// let now = 1_111_111_109;
/// let code = totp.generate(&secret, now);
/// assert_eq!(code, "081804");
///
/// // The step is stored as the last one used, so the code cannot be replayed.
/// let step = totp.verify(&secret, &code, now, 1, None);
/// assert_eq!(step, Some(totp.step(now)));
/// assert_eq!(totp.verify(&secret, &code, now, 1, step), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Totp {
    algorithm: Algorithm,
    digits: u32,
    // Never zero: `new` refuses it, so `step` can divide.
    period: u64,
}

impl Default for Totp {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

impl Totp {
    /// Parameters other than the default.
    ///
    /// ```
    /// use nanoauth_two_factor::otp::Algorithm;
    /// use nanoauth_two_factor::totp::Totp;
    ///
    /// let totp = Totp::new(Algorithm::Sha256, 8, 60)?;
    /// assert_eq!(totp.digits(), 8);
    /// assert!(Totp::new(Algorithm::Sha1, 4, 30).is_err());
    /// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
    /// ```
    ///
    /// # Errors
    /// [`PrimitiveError::InvalidParameter`] when `digits` is outside
    /// `6..=8` or `period` is zero.
    pub fn new(algorithm: Algorithm, digits: u32, period: u64) -> Result<Self, PrimitiveError> {
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) || period == 0 {
            return Err(PrimitiveError::InvalidParameter);
        }
        Ok(Self {
            algorithm,
            digits,
            period,
        })
    }

    /// The HMAC hash.
    ///
    /// ```
    /// use nanoauth_two_factor::{otp::Algorithm, totp::Totp};
    ///
    /// assert_eq!(Totp::default().algorithm(), Algorithm::Sha1);
    /// ```
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The number of digits in a code.
    ///
    /// ```
    /// use nanoauth_two_factor::totp::Totp;
    ///
    /// assert_eq!(Totp::default().digits(), 6);
    /// ```
    pub fn digits(&self) -> u32 {
        self.digits
    }

    /// The period in seconds.
    ///
    /// ```
    /// use nanoauth_two_factor::totp::Totp;
    ///
    /// assert_eq!(Totp::default().period(), 30);
    /// ```
    pub fn period(&self) -> u64 {
        self.period
    }

    /// The time step `T` of RFC 6238 §4.2 at `unix_time` (seconds), with
    /// `T0 = 0`.
    ///
    /// ```
    /// use nanoauth_two_factor::totp::Totp;
    ///
    /// assert_eq!(Totp::default().step(59), 1);
    /// assert_eq!(Totp::default().step(60), 2);
    /// ```
    pub fn step(&self, unix_time: u64) -> u64 {
        unix_time / self.period
    }

    /// The code at `unix_time`.
    ///
    /// ```
    /// use nanoauth_two_factor::{secret::TotpSecret, totp::Totp};
    ///
    /// let secret = TotpSecret::from_bytes(b"12345678901234567890");
    /// assert_eq!(Totp::default().generate(&secret, 59), "287082");
    /// ```
    pub fn generate(&self, secret: &TotpSecret, unix_time: u64) -> String {
        self.code_at_step(secret, self.step(unix_time))
    }

    /// Checks `code` against every step within `skew` of the current one
    /// and returns the step it matched, to be stored as the new
    /// `last_used_step`.
    ///
    /// `None` when the code is malformed (after trimming and dropping inner
    /// spaces it must be exactly [`digits`](Self::digits) ASCII digits),
    /// matches no step in the window, or only matches a step at or before
    /// `last_used_step`: a code is good once (RFC 6238 §5.2). `skew` is
    /// clamped to [`MAX_SKEW`]; RFC 6238 §6 recommends at most 1.
    ///
    /// ```
    /// use nanoauth_two_factor::{secret::TotpSecret, totp::Totp};
    ///
    /// let totp = Totp::default();
    /// let secret = TotpSecret::from_bytes(b"12345678901234567890");
    /// let code = totp.generate(&secret, 1_000_000);
    /// let spaced = format!(" {} {} ", &code[..3], &code[3..]);
    /// // Thirty seconds late is within one step of skew.
    /// assert!(totp.verify(&secret, &spaced, 1_000_030, 1, None).is_some());
    /// assert!(totp.verify(&secret, "12345a", 1_000_000, 1, None).is_none());
    /// ```
    ///
    /// # Security
    /// Each candidate is compared in constant time, and every step in the
    /// window is computed whether or not an earlier one matched. Rate-limit
    /// attempts: six digits are a million guesses, not a password.
    pub fn verify(
        &self,
        secret: &TotpSecret,
        code: &str,
        unix_time: u64,
        skew: u64,
        last_used_step: Option<u64>,
    ) -> Option<u64> {
        let code = self.normalize(code)?;
        let skew = skew.min(MAX_SKEW);
        let now = self.step(unix_time);
        let mut matched = None;
        for step in now.saturating_sub(skew)..=now.saturating_add(skew) {
            let candidate = self.code_at_step(secret, step);
            let equal: bool = candidate.as_bytes().ct_eq(code.as_bytes()).into();
            let fresh = last_used_step.is_none_or(|last| step > last);
            // Keep the latest fresh match: a code that collides with an
            // already used step must not lock out the current one.
            if equal && fresh {
                matched = Some(step);
            }
        }
        matched
    }

    fn code_at_step(&self, secret: &TotpSecret, step: u64) -> String {
        otp::hotp(secret.as_bytes(), step, self.digits, self.algorithm)
    }

    /// The code as typed, trimmed and without inner spaces, if it has the
    /// right number of ASCII digits.
    fn normalize(&self, code: &str) -> Option<String> {
        let code = code.trim();
        // Refuse long input before copying it; a real code with its spaces
        // is far shorter.
        if code.len() > 4 * MAX_DIGITS as usize {
            return None;
        }
        let digits: String = code.chars().filter(|c| *c != ' ').collect();
        let well_formed =
            digits.len() == self.digits as usize && digits.bytes().all(|b| b.is_ascii_digit());
        well_formed.then_some(digits)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";
    // Mid-step, so that ±period lands in the neighbouring steps.
    const NOW: u64 = 1_700_000_015;

    fn secret() -> TotpSecret {
        TotpSecret::from_bytes(RFC_SECRET)
    }

    #[test]
    fn the_window_is_one_step_each_side() {
        let totp = Totp::default();
        let now_step = totp.step(NOW);
        struct Case {
            offset: i64,
            accepted: bool,
        }
        let cases = [
            Case {
                offset: -2,
                accepted: false,
            },
            Case {
                offset: -1,
                accepted: true,
            },
            Case {
                offset: 0,
                accepted: true,
            },
            Case {
                offset: 1,
                accepted: true,
            },
            Case {
                offset: 2,
                accepted: false,
            },
        ];
        for case in cases {
            let step = now_step.saturating_add_signed(case.offset);
            let code = totp.code_at_step(&secret(), step);
            let expected = case.accepted.then_some(step);
            assert_eq!(
                totp.verify(&secret(), &code, NOW, 1, None),
                expected,
                "offset {}",
                case.offset
            );
        }
    }

    #[test]
    fn zero_skew_accepts_only_the_current_step() {
        let totp = Totp::default();
        let step = totp.step(NOW);
        let current = totp.generate(&secret(), NOW);
        let previous = totp.code_at_step(&secret(), step - 1);
        assert_eq!(totp.verify(&secret(), &current, NOW, 0, None), Some(step));
        assert_eq!(totp.verify(&secret(), &previous, NOW, 0, None), None);
    }

    #[test]
    fn used_steps_are_refused() {
        let totp = Totp::default();
        let step = totp.step(NOW);
        let current = totp.generate(&secret(), NOW);
        let previous = totp.code_at_step(&secret(), step - 1);
        let next = totp.code_at_step(&secret(), step + 1);

        assert_eq!(totp.verify(&secret(), &current, NOW, 1, Some(step)), None);
        assert_eq!(totp.verify(&secret(), &previous, NOW, 1, Some(step)), None);
        assert_eq!(
            totp.verify(&secret(), &current, NOW, 1, Some(step + 1)),
            None
        );
        // A later code is still good after an earlier one was used.
        assert_eq!(
            totp.verify(&secret(), &next, NOW, 1, Some(step)),
            Some(step + 1)
        );
        assert_eq!(
            totp.verify(&secret(), &current, NOW, 1, Some(step - 1)),
            Some(step)
        );
    }

    #[test]
    fn malformed_codes_are_refused() {
        let totp = Totp::default();
        let code = totp.generate(&secret(), NOW);
        let cases = [
            String::new(),
            "      ".to_owned(),
            code[..5].to_owned(),
            format!("{code}0"),
            format!("{}a", &code[..5]),
            format!("-{}", &code[1..]),
            format!("+{}", &code[1..]),
            format!("{}\t{}", &code[..3], &code[3..]),
            format!("{}-{}", &code[..3], &code[3..]),
            // Non-ASCII digits (Arabic-Indic) are not codes.
            "٠١٢٣٤٥".to_owned(),
            " ".repeat(10_000) + &code + &" ".repeat(10_000) + "1",
        ];
        for case in cases {
            assert_eq!(
                totp.verify(&secret(), &case, NOW, 1, None),
                None,
                "{case:?}"
            );
        }
    }

    #[test]
    fn spaced_and_padded_codes_are_accepted() {
        let totp = Totp::default();
        let step = totp.step(NOW);
        let code = totp.generate(&secret(), NOW);
        for typed in [
            format!("{} {}", &code[..3], &code[3..]),
            format!("\n {code} \t"),
            format!("{} {} {}", &code[..2], &code[2..4], &code[4..]),
        ] {
            assert_eq!(
                totp.verify(&secret(), &typed, NOW, 1, None),
                Some(step),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn the_window_saturates_at_both_ends() {
        let totp = Totp::default();
        let first = totp.code_at_step(&secret(), 0);
        assert_eq!(totp.verify(&secret(), &first, 0, 1, None), Some(0));
        let last = totp.code_at_step(&secret(), u64::MAX / 30);
        assert_eq!(
            totp.verify(&secret(), &last, u64::MAX, 1, None),
            Some(u64::MAX / 30)
        );
    }

    #[test]
    fn huge_skews_are_clamped() {
        let totp = Totp::default();
        let step = totp.step(NOW);
        let inside = totp.code_at_step(&secret(), step - MAX_SKEW);
        let outside = totp.code_at_step(&secret(), step - MAX_SKEW - 1);
        assert_eq!(
            totp.verify(&secret(), &inside, NOW, u64::MAX, None),
            Some(step - MAX_SKEW)
        );
        // Might collide by chance with a step inside the window; it does not
        // for this secret and time.
        assert_eq!(totp.verify(&secret(), &outside, NOW, u64::MAX, None), None);
    }

    #[test]
    fn parameters_are_checked() {
        assert!(Totp::new(Algorithm::Sha1, 5, 30).is_err());
        assert!(Totp::new(Algorithm::Sha1, 9, 30).is_err());
        assert!(Totp::new(Algorithm::Sha1, 6, 0).is_err());
        assert_eq!(Totp::new(Algorithm::Sha1, 6, 30), Ok(Totp::default()));
    }

    #[test]
    fn other_parameters_change_the_code() {
        let totp = Totp::new(Algorithm::Sha256, 8, 60).unwrap();
        let code = totp.generate(&secret(), NOW);
        assert_eq!(code.len(), 8);
        assert_eq!(
            totp.verify(&secret(), &code, NOW + 60, 1, None),
            Some(totp.step(NOW))
        );
    }
}
