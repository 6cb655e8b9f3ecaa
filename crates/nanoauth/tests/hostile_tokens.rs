//! Tokens an attacker might present: each is refused, with the expected
//! reason, and none panics.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit, Mac};
use nanoauth::utils::jwt::{self, Hs256Key, JwtError, Validation};
use sha2::Sha256;

const KEY: &[u8; 32] = b"hostile-token test key, 32 bytes";
const NOW: u64 = 1_000_000;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sign(signing_input: &str, key: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(signing_input.as_bytes());
    b64(&mac.finalize().into_bytes())
}

/// A correctly signed token with the given header and payload JSON.
fn token(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = sign(&input, KEY);
    format!("{input}.{signature}")
}

const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;
const VALID: &str = r#"{"sub":"u1","exp":1000100}"#;

fn decode(token: &str) -> Result<serde_json::Value, JwtError> {
    jwt::decode(
        token,
        &[Hs256Key::new(*KEY)],
        &Validation::at(NOW).leeway(0),
    )
}

#[test]
fn the_well_formed_token_is_accepted() {
    assert!(decode(&token(HS256, VALID)).is_ok());
}

#[test]
fn hostile_tokens_are_refused() {
    use JwtError::*;

    let valid = token(HS256, VALID);
    let (header_b64, rest) = valid.split_once('.').unwrap_or_default();
    let (payload_b64, signature_b64) = rest.split_once('.').unwrap_or_default();

    let mut flipped = URL_SAFE_NO_PAD.decode(signature_b64).unwrap_or_default();
    flipped[0] ^= 1;
    let flipped = format!("{header_b64}.{payload_b64}.{}", b64(&flipped));

    let none_unsigned = |alg: &str| {
        format!(
            "{}.{}.",
            b64(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes()),
            payload_b64
        )
    };

    // A payload chosen to need '+' and '/' in standard base64, and '=' padding.
    let tricky_payload = r#"{"sub":"??>>??~~","exp":1000100,"x":"a"}"#;
    let standard_alphabet = {
        let input = format!(
            "{}.{}",
            STANDARD.encode(HS256).trim_end_matches('='),
            STANDARD.encode(tricky_payload).trim_end_matches('=')
        );
        format!("{input}.{}", sign(&input, KEY))
    };
    let padded = {
        let input = format!(
            "{}.{}",
            URL_SAFE.encode(HS256),
            URL_SAFE.encode(tricky_payload)
        );
        format!("{input}.{}", sign(&input, KEY))
    };

    assert!(standard_alphabet.contains('+') || standard_alphabet.contains('/'));
    assert!(padded.contains('='));

    let cases: Vec<(&str, String, JwtError)> = vec![
        (
            "alg none, unsigned",
            none_unsigned("none"),
            UnsupportedAlgorithm,
        ),
        (
            "alg none, signed",
            token(r#"{"alg":"none"}"#, VALID),
            UnsupportedAlgorithm,
        ),
        (
            "alg None",
            token(r#"{"alg":"None"}"#, VALID),
            UnsupportedAlgorithm,
        ),
        (
            "alg hs256 (case)",
            token(r#"{"alg":"hs256"}"#, VALID),
            UnsupportedAlgorithm,
        ),
        (
            "alg HS512",
            token(r#"{"alg":"HS512"}"#, VALID),
            UnsupportedAlgorithm,
        ),
        (
            "alg RS256",
            token(r#"{"alg":"RS256"}"#, VALID),
            UnsupportedAlgorithm,
        ),
        ("alg missing", token(r#"{"typ":"JWT"}"#, VALID), Malformed),
        (
            "alg not a string",
            token(r#"{"alg":["HS256"]}"#, VALID),
            Malformed,
        ),
        (
            "crit extension",
            token(r#"{"alg":"HS256","crit":["exp"]}"#, VALID),
            UnsupportedAlgorithm,
        ),
        ("0 segments", String::new(), Malformed),
        ("1 segment", header_b64.to_owned(), Malformed),
        (
            "2 segments",
            format!("{header_b64}.{payload_b64}"),
            Malformed,
        ),
        ("4 segments", format!("{valid}.{signature_b64}"), Malformed),
        (
            "empty signature",
            format!("{header_b64}.{payload_b64}."),
            Malformed,
        ),
        ("padded base64", padded, Malformed),
        ("standard alphabet (+ /)", standard_alphabet, Malformed),
        ("whitespace inside", format!(" {valid}"), Malformed),
        (
            "non-object header (array)",
            token(r#"["HS256"]"#, VALID),
            Malformed,
        ),
        (
            "non-object header (string)",
            token(r#""HS256""#, VALID),
            Malformed,
        ),
        ("header not JSON", token("alg=HS256", VALID), Malformed),
        (
            "duplicate alg",
            token(r#"{"alg":"none","alg":"HS256"}"#, VALID),
            Malformed,
        ),
        (
            "payload array",
            token(HS256, r#"["u1",1000100]"#),
            InvalidClaims,
        ),
        (
            "string exp",
            token(HS256, r#"{"sub":"u1","exp":"1000100"}"#),
            InvalidClaims,
        ),
        (
            "float exp",
            token(HS256, r#"{"sub":"u1","exp":1000100.5}"#),
            InvalidClaims,
        ),
        (
            "negative exp",
            token(HS256, r#"{"sub":"u1","exp":-1}"#),
            InvalidClaims,
        ),
        (
            "duplicate exp",
            token(HS256, r#"{"sub":"u1","exp":1,"exp":9999999}"#),
            InvalidClaims,
        ),
        (
            "missing exp",
            token(HS256, r#"{"sub":"u1"}"#),
            InvalidClaims,
        ),
        (
            "expired",
            token(HS256, r#"{"sub":"u1","exp":999999}"#),
            Expired,
        ),
        (
            "future nbf",
            token(HS256, r#"{"sub":"u1","exp":1000100,"nbf":1000050}"#),
            NotYetValid,
        ),
        (
            "string nbf",
            token(HS256, r#"{"sub":"u1","exp":1000100,"nbf":"0"}"#),
            InvalidClaims,
        ),
        (
            "1 MB token",
            format!("{header_b64}.{}.{signature_b64}", "A".repeat(1 << 20)),
            TooLong,
        ),
        ("flipped signature bit", flipped, BadSignature),
        (
            "signature of another token",
            format!(
                "{header_b64}.{}.{signature_b64}",
                b64(br#"{"sub":"admin","exp":1000100}"#)
            ),
            BadSignature,
        ),
        (
            "unknown kid",
            token(r#"{"alg":"HS256","kid":"other"}"#, VALID),
            UnknownKey,
        ),
        (
            "non-UTF-8 header",
            format!("{}.{payload_b64}.{signature_b64}", b64(&[0xff, 0xfe, b'{'])),
            Malformed,
        ),
    ];

    for (name, token, expected) in &cases {
        assert_eq!(decode(token).err(), Some(*expected), "case: {name}");
    }

    // Wrong key: a correctly shaped token signed with another secret.
    let input = format!("{header_b64}.{payload_b64}");
    let forged = format!(
        "{input}.{}",
        sign(&input, b"another key, also thirty-two b!!")
    );
    assert_eq!(decode(&forged).err(), Some(BadSignature), "case: wrong key");
}
