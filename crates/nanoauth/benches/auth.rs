//! `Auth` in process, with the in-memory adapter (no database): the cookie
//! scan, `get_session`, and `handler` for get-session and sign-in.
//!
//! ```text
//! cargo bench -p nanoauth --bench auth
//! ```
//! Sign-in is bound by Argon2id with the default (OWASP) parameters, about
//! 30 ms a hash here, so its group takes few samples.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use http::{HeaderMap, HeaderValue, Request, header};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{Auth, BasicUser};
use tokio::runtime::Runtime;

const BASE_URL: &str = "http://localhost:3000";
const EMAIL: &str = "bench@example.com";
const PASSWORD: &str = "correct horse battery staple";

type MemoryAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

/// An `Auth` with the default password hasher and no rate limits, one user
/// signed up through the handler, and that user's `Cookie` header.
fn signed_up(runtime: &Runtime) -> (MemoryAuth, HeaderValue) {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("benchmark secret, thirty-two bytes or more")
        .base_url(BASE_URL)
        .plugin(EmailPassword::new())
        .rate_limit(RateLimit::danger_disabled())
        .build()
        .unwrap();
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

fn in_process(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (auth, cookie) = signed_up(&runtime);

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

    let valid = headers_with(cookie.clone());
    c.bench_function("get_session/memory", |b| {
        b.to_async(&runtime).iter(|| async {
            let session = auth.get_session_from_headers(black_box(&valid)).await;
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
