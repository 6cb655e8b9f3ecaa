//! Properties of the token layer, over generated inputs: round trips, any
//! single bit flip is caught, and base64url is strict.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nanoauth::utils::jwt::{self, Hs256Key, Validation};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Claims {
    sub: String,
    exp: u64,
    data: Vec<u8>,
}

fn key() -> Hs256Key {
    Hs256Key::new(*b"property test key, thirty-two by").with_kid("p")
}

fn claims() -> impl Strategy<Value = Claims> {
    (
        ".{0,40}",
        1u64..u64::MAX / 2,
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(sub, exp, data)| Claims { sub, exp, data })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sign_then_verify_round_trips(claims in claims()) {
        let token = jwt::encode(&claims, &key()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back: Claims = jwt::decode(&token, &[key()], &Validation::at(0))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, claims);
    }

    /// Flipping any one bit of any decoded segment makes the token fail.
    #[test]
    fn any_bit_flip_is_refused(claims in claims(), segment in 0usize..3, bit in any::<usize>()) {
        let token = jwt::encode(&claims, &key()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut parts: Vec<Vec<u8>> = token
            .split('.')
            .map(|part| URL_SAFE_NO_PAD.decode(part).unwrap_or_default())
            .collect();
        let bytes = &mut parts[segment];
        prop_assume!(!bytes.is_empty());
        let bit = bit % (bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        let tampered: Vec<String> = parts.iter().map(|p| URL_SAFE_NO_PAD.encode(p)).collect();
        let tampered = tampered.join(".");
        prop_assert!(jwt::decode::<Claims>(&tampered, &[key()], &Validation::at(0)).is_err());
    }

    /// Any character outside the base64url alphabet anywhere is refused,
    /// and so is any change to the token text that is not the token.
    #[test]
    fn non_alphabet_characters_are_refused(claims in claims(), position in any::<usize>(), c in prop::sample::select(vec!['+', '/', '=', ' ', '\n', '%', '*', '\0'])) {
        let token = jwt::encode(&claims, &key()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut chars: Vec<char> = token.chars().collect();
        let position = position % chars.len();
        prop_assume!(chars[position] != '.');
        chars[position] = c;
        let tampered: String = chars.into_iter().collect();
        prop_assert!(jwt::decode::<Claims>(&tampered, &[key()], &Validation::at(0)).is_err());
    }

    /// Arbitrary strings never panic the decoder.
    #[test]
    fn arbitrary_input_never_panics(input in ".{0,300}") {
        let _ = jwt::decode::<serde_json::Value>(&input, &[key()], &Validation::at(0));
    }
}
