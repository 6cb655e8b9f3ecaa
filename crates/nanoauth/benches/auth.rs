//! `Auth` in process, with the in-memory adapter (no database): the cookie
//! scan, `get_session` (from the adapter and from the session cache), and
//! `handler` for get-session and sign-in; beside them, the floor every
//! session check is compared with (`floor/cookie_verify_parse`: cookie read,
//! HS256 verify and claims parse, no storage, written the plain way, as
//! `bench/floor` serves it over HTTP).
//!
//! ```text
//! cargo bench -p nanoauth --bench auth
//! ```
//! Sign-in is bound by Argon2id with the default (OWASP) parameters, about
//! 30 ms a hash here, so its group takes few samples.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderValue, Request, header};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{Auth, BasicUser};
use serde::Deserialize;
use sha2::Sha256;
use tokio::runtime::Runtime;

const BASE_URL: &str = "http://localhost:3000";
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "correct horse battery staple";
const SECRET: &str = "benchmark secret, thirty-two bytes or more";
const COOKIE: &str = "nanoauth.session_token";

type MemoryAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

/// An `Auth` with the default password hasher and no rate limits, one user
/// signed up through the handler, and that user's `Cookie` header.
fn signed_up(runtime: &Runtime, session_cache: Option<u64>) -> (MemoryAuth, HeaderValue) {
    let mut builder = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(SECRET)
        .base_url(BASE_URL)
        .plugin(EmailPassword::new())
        .rate_limit(RateLimit::danger_disabled());
    if let Some(ttl) = session_cache {
        builder = builder.session_cache(ttl);
    }
    let auth = builder.build().unwrap();
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}","name":"Bench"}}"#);
    let response = runtime.block_on(auth.handler(json_post("/api/auth/signup/email", body)));
    assert_eq!(response.status(), 200, "sign-up failed: {response:?}");
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    let pair = set_cookie.split(';').next().unwrap();
    // Other cookies around ours, as a browser sends them.
    let cookie = format!("theme=dark; _ga=GA1.1.1234567890.1700000000; {pair}; lang=en");
    (auth, HeaderValue::from_str(&cookie).unwrap())
}

fn json_post(path: &str, body: String) -> Request<String> {
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, BASE_URL)
        .body(body)
        .unwrap()
}

fn headers_with(cookie: HeaderValue) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, cookie);
    headers.insert(header::USER_AGENT, HeaderValue::from_static("bench/1.0"));
    headers
}

/// The floor: the session key derived from the secret as NanoAuth does
/// (HKDF-SHA-256, once), then per request only what no session check can
/// skip. The same code as `bench/floor/src/main.rs`.
struct Floor {
    mac: Hmac<Sha256>,
}

#[derive(Deserialize)]
struct FloorClaims {
    #[allow(dead_code)]
    sid: String,
    #[allow(dead_code)]
    sub: String,
    exp: u64,
}

impl Floor {
    fn new(secret: &[u8]) -> Self {
        let mut key = [0u8; 32];
        hkdf::Hkdf::<Sha256>::new(None, secret)
            .expand(b"nanoauth session token v1", &mut key)
            .unwrap();
        Self {
            mac: <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap(),
        }
    }

    fn check(&self, headers: &HeaderMap, now: u64) -> Option<FloorClaims> {
        let token = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value)?;
        let (signed, signature) = token.rsplit_once('.')?;
        let (_header, payload) = signed.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        let mut mac = self.mac.clone();
        mac.update(signed.as_bytes());
        mac.verify_slice(&signature).ok()?;
        let claims: FloorClaims =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        (claims.exp > now).then_some(claims)
    }
}

fn in_process(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (auth, cookie) = signed_up(&runtime, None);

    // First, so that every figure below can be read as a ratio to it.
    let floor = Floor::new(SECRET.as_bytes());
    let valid = headers_with(cookie.clone());
    let now = auth.now();
    assert!(
        floor.check(&valid, now).is_some(),
        "the floor refuses the token"
    );
    c.bench_function("floor/cookie_verify_parse", |b| {
        b.iter(|| floor.check(black_box(&valid), now).unwrap());
    });

    // No session cookie among the others: the cookie scan alone.
    let no_session = headers_with(HeaderValue::from_static(
        "theme=dark; _ga=GA1.1.1234567890.1700000000; lang=en; consent=yes",
    ));
    c.bench_function("cookie/scan_without_session_cookie", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = auth.get_session_from_headers(black_box(&no_session)).await;
            assert!(session.unwrap().is_none());
        });
    });

    // A session cookie whose signature is wrong: scan, parse and MAC, then
    // stop before the adapter.
    let mut forged = cookie.to_str().unwrap().replace("; lang=en", "");
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    forged.push_str("; lang=en");
    let forged = headers_with(HeaderValue::from_str(&forged).unwrap());
    c.bench_function("cookie/scan_and_verify_forged_token", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = auth.get_session_from_headers(black_box(&forged)).await;
            assert!(session.unwrap().is_none());
        });
    });

    c.bench_function("get_session/memory", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = auth.get_session_from_headers(black_box(&valid)).await;
            session.unwrap().unwrap()
        });
    });

    // The same check answered from the session cache (no adapter call).
    let (cached_auth, cached_cookie) = signed_up(&runtime, Some(60));
    let cached = headers_with(cached_cookie.clone());
    c.bench_function("get_session/cache_hit", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = cached_auth
                .get_session_from_headers(black_box(&cached))
                .await;
            session.unwrap().unwrap()
        });
    });

    c.bench_function("handler/get_session", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = Request::get("/api/auth/session")
                .header(header::COOKIE, cookie.clone())
                .body(String::new())
                .unwrap();
            let response = auth.handler(request).await;
            assert_eq!(response.status(), 200);
            response
        });
    });

    c.bench_function("handler/get_session_cache_hit", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = Request::get("/api/auth/session")
                .header(header::COOKIE, cached_cookie.clone())
                .body(String::new())
                .unwrap();
            let response = cached_auth.handler(request).await;
            assert_eq!(response.status(), 200);
            response
        });
    });

    let sign_in_body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let mut group = c.benchmark_group("handler_argon2");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("sign_in", |b| {
        b.to_async(&runtime).iter(|| async {
            let request = json_post("/api/auth/signin/email", sign_in_body.clone());
            let response = auth.handler(request).await;
            assert_eq!(response.status(), 200);
            response
        });
    });
    group.finish();
}

criterion_group!(benches, in_process);
criterion_main!(benches);
