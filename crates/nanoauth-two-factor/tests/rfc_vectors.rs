//! The published test vectors of RFC 4226 (HOTP) and RFC 6238 (TOTP).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use nanoauth_two_factor::otp::{Algorithm, hotp};
use nanoauth_two_factor::secret::TotpSecret;
use nanoauth_two_factor::totp::Totp;

/// RFC 4226 Appendix D: the shared secret "12345678901234567890".
const HOTP_SECRET: &[u8] = b"12345678901234567890";

/// RFC 4226 Appendix D, counters 0 to 9, six digits.
const HOTP_VALUES: [&str; 10] = [
    "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
    "520489",
];

/// RFC 6238 Appendix A: the reference code seeds each hash with the ASCII
/// digits repeated to the hash's output length.
const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

struct TotpVector {
    time: u64,
    step: u64,
    algorithm: Algorithm,
    code: &'static str,
}

/// RFC 6238 Appendix B, Table 1: 30-second period, T0 = 0, eight digits.
#[rustfmt::skip]
const TOTP_VECTORS: [TotpVector; 18] = [
    TotpVector { time:             59, step:         0x1, algorithm: Algorithm::Sha1,   code: "94287082" },
    TotpVector { time:             59, step:         0x1, algorithm: Algorithm::Sha256, code: "46119246" },
    TotpVector { time:             59, step:         0x1, algorithm: Algorithm::Sha512, code: "90693936" },
    TotpVector { time:  1_111_111_109, step: 0x0235_23EC, algorithm: Algorithm::Sha1,   code: "07081804" },
    TotpVector { time:  1_111_111_109, step: 0x0235_23EC, algorithm: Algorithm::Sha256, code: "68084774" },
    TotpVector { time:  1_111_111_109, step: 0x0235_23EC, algorithm: Algorithm::Sha512, code: "25091201" },
    TotpVector { time:  1_111_111_111, step: 0x0235_23ED, algorithm: Algorithm::Sha1,   code: "14050471" },
    TotpVector { time:  1_111_111_111, step: 0x0235_23ED, algorithm: Algorithm::Sha256, code: "67062674" },
    TotpVector { time:  1_111_111_111, step: 0x0235_23ED, algorithm: Algorithm::Sha512, code: "99943326" },
    TotpVector { time:  1_234_567_890, step: 0x0273_EF07, algorithm: Algorithm::Sha1,   code: "89005924" },
    TotpVector { time:  1_234_567_890, step: 0x0273_EF07, algorithm: Algorithm::Sha256, code: "91819424" },
    TotpVector { time:  1_234_567_890, step: 0x0273_EF07, algorithm: Algorithm::Sha512, code: "93441116" },
    TotpVector { time:  2_000_000_000, step: 0x03F9_40AA, algorithm: Algorithm::Sha1,   code: "69279037" },
    TotpVector { time:  2_000_000_000, step: 0x03F9_40AA, algorithm: Algorithm::Sha256, code: "90698825" },
    TotpVector { time:  2_000_000_000, step: 0x03F9_40AA, algorithm: Algorithm::Sha512, code: "38618901" },
    TotpVector { time: 20_000_000_000, step: 0x27BC_86AA, algorithm: Algorithm::Sha1,   code: "65353130" },
    TotpVector { time: 20_000_000_000, step: 0x27BC_86AA, algorithm: Algorithm::Sha256, code: "77737706" },
    TotpVector { time: 20_000_000_000, step: 0x27BC_86AA, algorithm: Algorithm::Sha512, code: "47863826" },
];

fn seed(algorithm: Algorithm) -> &'static [u8] {
    match algorithm {
        Algorithm::Sha1 => SEED_SHA1,
        Algorithm::Sha256 => SEED_SHA256,
        Algorithm::Sha512 => SEED_SHA512,
    }
}

#[test]
fn rfc_4226_hotp_values() {
    for (counter, expected) in (0u64..).zip(HOTP_VALUES) {
        assert_eq!(
            hotp(HOTP_SECRET, counter, 6, Algorithm::Sha1),
            expected,
            "counter {counter}"
        );
    }
}

#[test]
fn rfc_6238_totp_values() {
    for vector in &TOTP_VECTORS {
        let totp = Totp::new(vector.algorithm, 8, 30).unwrap();
        let secret = TotpSecret::from_bytes(seed(vector.algorithm));
        let context = format!("{:?} at {}", vector.algorithm, vector.time);

        assert_eq!(totp.step(vector.time), vector.step, "{context}");
        assert_eq!(
            totp.generate(&secret, vector.time),
            vector.code,
            "{context}"
        );
        // The same value through HOTP with T as the counter (RFC 6238 §4.2).
        assert_eq!(
            hotp(secret.as_bytes(), vector.step, 8, vector.algorithm),
            vector.code,
            "{context}"
        );
        // And verification accepts it, at exactly that step, with no skew.
        assert_eq!(
            totp.verify(&secret, vector.code, vector.time, 0, None),
            Some(vector.step),
            "{context}"
        );
    }
}

#[test]
fn rfc_6238_values_truncate_to_six_digits() {
    // Six digits are the last six of the eight: both are the same 31-bit
    // value modulo a power of ten.
    let totp = Totp::default();
    for vector in TOTP_VECTORS
        .iter()
        .filter(|v| v.algorithm == Algorithm::Sha1)
    {
        let secret = TotpSecret::from_bytes(SEED_SHA1);
        assert_eq!(
            totp.generate(&secret, vector.time),
            &vector.code[2..],
            "at {}",
            vector.time
        );
    }
}
