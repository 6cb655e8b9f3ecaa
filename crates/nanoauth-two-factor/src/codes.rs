//! One-time codes: backup codes, emailed codes, and their keyed hashes.

use std::collections::HashSet;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Hmac;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::PrimitiveError;
use crate::otp;
use crate::random;

/// The characters of backup codes: lower-case letters and digits without
/// `0`, `1`, `i`, `l` and `o`, which are easily confused when read from
/// paper.
pub const BACKUP_ALPHABET: &[u8; 31] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Characters per backup code, written in groups of [`BACKUP_GROUP`]:
/// 12 × log2(31) ≈ 59.4 bits, above the 50 bits that keep a code out of
/// reach of online guessing for the life of an account.
pub const BACKUP_CODE_LEN: usize = 12;
/// Characters between hyphens in a backup code.
pub const BACKUP_GROUP: usize = 4;
/// The most backup codes one call makes; a request for more is a mistake.
pub const MAX_BACKUP_CODES: usize = 100;

/// `count` distinct backup codes such as `7hq4-m2xc-kd9p`.
///
/// Each character is drawn uniformly from [`BACKUP_ALPHABET`] by rejection
/// sampling. Show them once, then keep only [`CodeHasher::hash`]es.
///
/// ```
/// use nanoauth_two_factor::codes::backup_codes;
///
/// let codes = backup_codes(10)?;
/// assert_eq!(codes.len(), 10);
/// assert_eq!(codes[0].len(), 14);
/// assert_eq!(codes[0].matches('-').count(), 2);
/// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
/// ```
///
/// # Errors
/// [`PrimitiveError::InvalidParameter`] when `count` exceeds
/// [`MAX_BACKUP_CODES`], [`PrimitiveError::Randomness`] when the operating
/// system has no randomness to give.
pub fn backup_codes(count: usize) -> Result<Vec<String>, PrimitiveError> {
    if count > MAX_BACKUP_CODES {
        return Err(PrimitiveError::InvalidParameter);
    }
    let mut draw = UniformBytes::new();
    let mut seen = HashSet::with_capacity(count);
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        let mut code = String::with_capacity(BACKUP_CODE_LEN + BACKUP_CODE_LEN / BACKUP_GROUP);
        for position in 0..BACKUP_CODE_LEN {
            if position > 0 && position % BACKUP_GROUP == 0 {
                code.push('-');
            }
            let index = draw.below(BACKUP_ALPHABET.len())?;
            code.push(char::from(BACKUP_ALPHABET[index]));
        }
        // A repeat is vanishingly rare, but two equal codes would let one
        // use burn both.
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// A six-digit code to send by email, uniform over `000000..=999999`.
///
/// ```
/// use nanoauth_two_factor::codes::email_code;
///
/// let code = email_code()?;
/// assert_eq!(code.len(), 6);
/// assert!(code.bytes().all(|b| b.is_ascii_digit()));
/// # Ok::<(), nanoauth_two_factor::error::PrimitiveError>(())
/// ```
///
/// # Errors
/// [`PrimitiveError::Randomness`] when the operating system has no
/// randomness to give.
///
/// # Security
/// A million possibilities: expire it within minutes, allow a handful of
/// attempts, and store only its [`CodeHasher::hash`].
pub fn email_code() -> Result<String, PrimitiveError> {
    const RANGE: u32 = 1_000_000;
    // The largest multiple of RANGE that fits in u32: values at or above it
    // would make the low codes more likely than the high ones.
    const LIMIT: u32 = u32::MAX - u32::MAX % RANGE;
    loop {
        let value = u32::from_be_bytes(random::bytes::<4>()?);
        if value < LIMIT {
            return Ok(format!("{:06}", value % RANGE));
        }
    }
}

/// The canonical form of a code as typed: surrounding whitespace, inner
/// spaces and hyphens removed, letters lower-cased. Hash and compare codes
/// only in this form.
///
/// ```
/// use nanoauth_two_factor::codes::normalize_code;
///
/// assert_eq!(normalize_code("  7HQ4-M2XC kd9p\n"), "7hq4m2xckd9p");
/// assert_eq!(normalize_code("123 456"), "123456");
/// ```
pub fn normalize_code(input: &str) -> String {
    input
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Hashes one-time codes under a server key (HMAC-SHA-256) for storage.
///
/// A plain hash of a 60-bit code can be brute-forced offline from a
/// database dump; a keyed one cannot without the key, which lives outside
/// the database. The output is base64url, 43 characters.
///
/// ```
/// use nanoauth_two_factor::codes::CodeHasher;
///
/// let hasher = CodeHasher::new([42u8; 32]);
/// let stored = hasher.hash("7hq4-m2xc-kd9p");
/// assert!(hasher.verify("7HQ4 M2XC KD9P", &stored));
/// assert!(!hasher.verify("7hq4-m2xc-kd9q", &stored));
/// ```
#[derive(Clone)]
pub struct CodeHasher {
    key: Zeroizing<[u8; 32]>,
}

impl CodeHasher {
    /// A hasher under `key`: 32 random bytes kept outside the database,
    /// typically derived from the application's secret under a purpose
    /// label of its own.
    ///
    /// ```
    /// use nanoauth_two_factor::codes::CodeHasher;
    ///
    /// let one = CodeHasher::new([1u8; 32]);
    /// let two = CodeHasher::new([2u8; 32]);
    /// assert_ne!(one.hash("123456"), two.hash("123456"));
    /// ```
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            key: Zeroizing::new(key),
        }
    }

    /// The stored form of `code`: base64url of HMAC-SHA-256 over
    /// [`normalize_code`]`(code)`.
    ///
    /// ```
    /// use nanoauth_two_factor::codes::CodeHasher;
    ///
    /// let hasher = CodeHasher::new([0u8; 32]);
    /// assert_eq!(hasher.hash("ab-cd").len(), 43);
    /// assert_eq!(hasher.hash("ab-cd"), hasher.hash(" AB CD "));
    /// ```
    pub fn hash(&self, code: &str) -> String {
        let normalized = Zeroizing::new(normalize_code(code));
        URL_SAFE_NO_PAD.encode(otp::mac::<Hmac<Sha256>>(
            self.key.as_slice(),
            normalized.as_bytes(),
        ))
    }

    /// Whether `code` hashes to `stored_hash`, compared in constant time.
    ///
    /// ```
    /// use nanoauth_two_factor::codes::CodeHasher;
    ///
    /// let hasher = CodeHasher::new([5u8; 32]);
    /// let stored = hasher.hash("123456");
    /// assert!(hasher.verify("123 456", &stored));
    /// assert!(!hasher.verify("123457", &stored));
    /// assert!(!hasher.verify("123456", "not a hash"));
    /// ```
    pub fn verify(&self, code: &str, stored_hash: &str) -> bool {
        // Lengths are public (always 43), so only the bytes need hiding.
        self.hash(code)
            .as_bytes()
            .ct_eq(stored_hash.as_bytes())
            .into()
    }
}

impl fmt::Debug for CodeHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeHasher([redacted])")
    }
}

/// Uniform draws from a buffer of random bytes, refilled as needed.
struct UniformBytes {
    buffer: Zeroizing<[u8; 64]>,
    next: usize,
}

impl UniformBytes {
    fn new() -> Self {
        // Start exhausted so the first draw fills the buffer.
        Self {
            buffer: Zeroizing::new([0u8; 64]),
            next: 64,
        }
    }

    /// A value uniform in `0..range`, for `range` in `1..=256`.
    fn below(&mut self, range: usize) -> Result<usize, PrimitiveError> {
        if range == 0 || range > 256 {
            return Err(PrimitiveError::InvalidParameter);
        }
        // Bytes at or above the largest multiple of `range` are rejected;
        // taking them modulo `range` would favour the low values.
        let limit = 256 - 256 % range;
        loop {
            if self.next >= self.buffer.len() {
                random::fill(self.buffer.as_mut_slice())?;
                self.next = 0;
            }
            // In bounds: refilled just above when exhausted.
            let byte = usize::from(self.buffer[self.next]);
            self.next += 1;
            if byte < limit {
                return Ok(byte % range);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn backup_codes_have_the_documented_shape() {
        let codes = backup_codes(MAX_BACKUP_CODES).unwrap();
        assert_eq!(codes.len(), MAX_BACKUP_CODES);
        for code in &codes {
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), BACKUP_CODE_LEN / BACKUP_GROUP, "{code}");
            for group in groups {
                assert_eq!(group.len(), BACKUP_GROUP, "{code}");
                assert!(
                    group.bytes().all(|b| BACKUP_ALPHABET.contains(&b)),
                    "{code}"
                );
            }
            // A code is already in normal form once its hyphens are gone.
            assert_eq!(normalize_code(code), code.replace('-', ""));
        }
        let distinct: HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
    }

    #[test]
    fn backup_code_entropy_is_at_least_50_bits() {
        let bits = BACKUP_CODE_LEN as f64 * (BACKUP_ALPHABET.len() as f64).log2();
        assert!(bits >= 50.0, "{bits}");
        let unique: HashSet<&u8> = BACKUP_ALPHABET.iter().collect();
        assert_eq!(unique.len(), BACKUP_ALPHABET.len());
        for ambiguous in b"01ilo" {
            assert!(!BACKUP_ALPHABET.contains(ambiguous));
        }
    }

    #[test]
    fn backup_code_count_is_bounded() {
        assert!(backup_codes(0).unwrap().is_empty());
        assert_eq!(
            backup_codes(MAX_BACKUP_CODES + 1),
            Err(PrimitiveError::InvalidParameter)
        );
    }

    #[test]
    fn every_alphabet_character_turns_up() {
        // 100 codes × 12 characters: the chance that one of 31 characters
        // never appears is about 31 × (30/31)^1200 ≈ 2e-16.
        let codes = backup_codes(MAX_BACKUP_CODES).unwrap().concat();
        for c in BACKUP_ALPHABET {
            assert!(codes.as_bytes().contains(c), "{}", char::from(*c));
        }
    }

    #[test]
    fn email_codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| email_code().unwrap()).collect();
        for code in &codes {
            assert_eq!(code.len(), 6, "{code}");
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
        let distinct: HashSet<&String> = codes.iter().collect();
        assert!(distinct.len() > 45);
    }

    #[test]
    fn uniform_draws_stay_in_range_and_reject_bias() {
        let mut draw = UniformBytes::new();
        let mut counts = [0usize; 31];
        for _ in 0..31_000 {
            counts[draw.below(31).unwrap()] += 1;
        }
        // Expected 1000 each; 4.5 standard deviations either side.
        for (value, count) in counts.iter().enumerate() {
            assert!((860..=1140).contains(count), "{value}: {count}");
        }
        assert_eq!(draw.below(1).unwrap(), 0);
        assert!(draw.below(256).unwrap() < 256);
        assert!(draw.below(0).is_err());
        assert!(draw.below(257).is_err());
    }

    #[test]
    fn normalisation_table() {
        let cases = [
            ("abcd-efgh-jkmn", "abcdefghjkmn"),
            ("  ABCD EFGH JKMN  ", "abcdefghjkmn"),
            ("abcd--efgh", "abcdefgh"),
            ("\t123456\n", "123456"),
            ("", ""),
            ("a\tb", "a\tb"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_code(input), expected, "{input:?}");
        }
    }

    #[test]
    fn hasher_verifies_only_the_right_code_under_the_right_key() {
        let hasher = CodeHasher::new([7u8; 32]);
        let code = "7hq4-m2xc-kd9p";
        let stored = hasher.hash(code);
        assert_eq!(stored.len(), 43);
        assert!(!stored.contains(code));

        for accepted in [code, "7HQ4M2XCKD9P", " 7hq4 m2xc kd9p "] {
            assert!(hasher.verify(accepted, &stored), "{accepted}");
        }
        for refused in ["7hq4-m2xc-kd9q", "7hq4-m2xc-kd9", "", "7hq4_m2xc_kd9p"] {
            assert!(!hasher.verify(refused, &stored), "{refused}");
        }
        assert!(!CodeHasher::new([8u8; 32]).verify(code, &stored));
        assert!(!hasher.verify(code, ""));
        assert!(!hasher.verify(code, &stored[..42]));
    }

    #[test]
    fn hasher_is_hmac_sha256_of_the_normalized_code() {
        fn hex(bytes: &[u8]) -> String {
            bytes.iter().map(|b| format!("{b:02x}")).collect()
        }
        // RFC 4231 test case 2, for the MAC underneath.
        let mac = otp::mac::<Hmac<Sha256>>(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // HMAC pads short keys with zeros (RFC 2104 §2), so "Jefe" padded to
        // 32 bytes is the same key. Expected value from Python's `hmac` over
        // "whatdoyawantfornothing?".
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        let hash = CodeHasher::new(key).hash(" What Do Ya-Want For Nothing? ");
        assert_eq!(
            hex(&URL_SAFE_NO_PAD.decode(hash).unwrap()),
            "404ca403a3181eff5f3832f7f159dd43e1b09620b7635d4c06fe6329aba52d4a"
        );
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", CodeHasher::new([9u8; 32])),
            "CodeHasher([redacted])"
        );
    }
}
