//! The JWT decoder on arbitrary text: never panics, and accepts nothing that
//! was not signed with the key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nanoauth::utils::jwt::{self, Hs256Key, Validation};

fuzz_target!(|input: &str| {
    let keys = [
        Hs256Key::new(*b"fuzzing key, thirty-two bytes!!!").with_kid("k"),
        Hs256Key::new(*b"a second key without any key id!"),
    ];
    let decoded = jwt::decode::<serde_json::Value>(input, &keys, &Validation::at(1_000_000));
    if decoded.is_ok() {
        // Only possible with a valid HMAC: the fuzzer cannot forge one, so an
        // accepted input is a bug in the verification order.
        panic!("accepted an unsigned input: {input:?}");
    }
});
