//! The session token's primitives: HS256 sign and verify of a token shaped
//! like NanoAuth's session token (`sid`, `sub`, `iat`, `exp`).
//!
//! ```text
//! cargo bench -p nanoauth --bench tokens
//! ```

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use nanoauth::utils::jwt::{self, Hs256Key, JwtError, Validation};
use serde::{Deserialize, Serialize};

/// The session token's claims: a 43-character secret and a user id.
#[derive(Serialize, Deserialize)]
struct Claims {
    sid: String,
    sub: String,
    iat: u64,
    exp: u64,
}

const NOW: u64 = 1_800_000_000;

fn key() -> Hs256Key {
    Hs256Key::new(*b"a benchmark key of thirty-two b!").with_kid("Yq3vN0Qm")
}

fn claims() -> Claims {
    Claims {
        sid: nanoauth::utils::token::random_token().unwrap(),
        sub: nanoauth::utils::token::random_id().unwrap(),
        iat: NOW,
        exp: NOW + 7 * 24 * 3600,
    }
}

fn tokens(c: &mut Criterion) {
    let key = key();
    let claims = claims();
    let token = jwt::encode(&claims, &key).unwrap();
    let keys = [key.clone()];
    let validation = Validation::at(NOW).leeway(0);
    eprintln!("token length: {} bytes", token.len());

    c.bench_function("jwt/sign", |b| {
        b.iter(|| jwt::encode(black_box(&claims), black_box(&key)).unwrap());
    });
    c.bench_function("jwt/verify", |b| {
        b.iter(|| {
            let claims: Claims =
                jwt::decode(black_box(&token), black_box(&keys), &validation).unwrap();
            claims
        });
    });
    // A forged token costs the parse and the MAC, then stops: what an
    // attacker can make every request cost.
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    c.bench_function("jwt/verify_bad_signature", |b| {
        b.iter(|| {
            let result: Result<Claims, JwtError> =
                jwt::decode(black_box(&forged), black_box(&keys), &validation);
            assert!(result.is_err());
        });
    });
}

criterion_group!(benches, tokens);
criterion_main!(benches);
