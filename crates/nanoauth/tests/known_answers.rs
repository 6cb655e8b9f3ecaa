//! Published test vectors, kept as data files in `tests/vectors/` (see the
//! README there for provenance): the primitives NanoAuth builds on, and our
//! JWT verification, give the published answers.

use std::path::PathBuf;

use hmac::{Hmac, KeyInit, Mac};
use nanoauth::utils::jwt::{self, Hs256Key, JwtError, Validation};
use serde::Deserialize;
use sha2::Sha256;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn vector(name: &str) -> Result<String, std::io::Error> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "vectors", name]
        .iter()
        .collect();
    std::fs::read_to_string(path)
}

fn hex(text: &str) -> Result<Vec<u8>, std::num::ParseIntError> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16))
        .collect()
}

#[derive(Deserialize)]
struct HmacCase {
    case: u32,
    key: String,
    data: String,
    mac: String,
    truncate_bytes: Option<usize>,
}

/// RFC 4231 §4.2–4.8, HMAC-SHA-256 (case 5 compares the first 128 bits).
#[test]
fn rfc4231_hmac_sha256_cases_1_to_7() -> TestResult {
    let cases: Vec<HmacCase> = serde_json::from_str(&vector("rfc4231_hmac_sha256.json")?)?;
    assert_eq!(cases.len(), 7);
    for case in cases {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&hex(&case.key)?)?;
        mac.update(&hex(&case.data)?);
        let full = mac.finalize().into_bytes();
        let got = &full[..case.truncate_bytes.unwrap_or(full.len())];
        assert_eq!(
            got,
            hex(&case.mac)?.as_slice(),
            "RFC 4231 case {}",
            case.case
        );
    }
    Ok(())
}

#[derive(Deserialize)]
struct JwsExample {
    key_hex: String,
    compact: String,
    exp: u64,
    verify_at: u64,
}

/// RFC 7515 Appendix A.1: the published HS256 JWS verifies with our decoder
/// at a time before its `exp`, and is refused after it or with another key.
#[test]
fn rfc7515_appendix_a1_verifies() -> TestResult {
    let example: JwsExample = serde_json::from_str(&vector("rfc7515_a1.json")?)?;
    let key = Hs256Key::new(hex(&example.key_hex)?);
    let before = Validation::at(example.verify_at).leeway(0);

    let claims: serde_json::Value =
        jwt::decode(&example.compact, std::slice::from_ref(&key), &before)?;
    assert_eq!(claims["iss"], "joe");
    assert_eq!(claims["exp"], example.exp);
    assert_eq!(claims["http://example.com/is_root"], true);

    let after = Validation::at(example.exp + 1).leeway(0);
    assert_eq!(
        jwt::decode::<serde_json::Value>(&example.compact, &[key], &after),
        Err(JwtError::Expired)
    );
    let other = Hs256Key::new(vec![7u8; 64]);
    assert_eq!(
        jwt::decode::<serde_json::Value>(&example.compact, &[other], &before),
        Err(JwtError::BadSignature)
    );
    Ok(())
}

#[derive(Deserialize)]
struct Argon2Vector {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    tag_length: usize,
    password: String,
    salt: String,
    secret: String,
    associated_data: String,
    tag: String,
}

/// RFC 9106 §5.3: the Argon2id implementation we hash passwords with gives
/// the published tag.
#[test]
fn rfc9106_argon2id_tag() -> TestResult {
    use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};

    let v: Argon2Vector = serde_json::from_str(&vector("rfc9106_argon2id.json")?)?;
    let params = ParamsBuilder::new()
        .m_cost(v.memory_kib)
        .t_cost(v.iterations)
        .p_cost(v.parallelism)
        .output_len(v.tag_length)
        .data(AssociatedData::new(&hex(&v.associated_data)?)?)
        .build()?;
    let secret = hex(&v.secret)?;
    let argon2 = Argon2::new_with_secret(&secret, Algorithm::Argon2id, Version::V0x13, params)?;
    let mut tag = vec![0u8; v.tag_length];
    argon2.hash_password_into(&hex(&v.password)?, &hex(&v.salt)?, &mut tag)?;
    assert_eq!(tag, hex(&v.tag)?);
    Ok(())
}
