//! No user enumeration through sign-in: for a known and an unknown email,
//! the answers are byte-identical, and their latencies are statistically
//! indistinguishable (medians within 10 %, measured interleaved).

mod common;

use std::time::{Duration, Instant};

use common::*;
use nanoauth::Auth;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;

const SAMPLES: usize = 200;
const TRIES: usize = 3;

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_and_unknown_emails_answer_alike() -> TestResult {
    // Real Argon2id work per attempt (a smaller memory cost than production,
    // to keep the test short; the equality does not depend on the cost).
    let hasher = PasswordHasher::with_params(4096, 2, 1)?;
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher))
        .build()?;
    assert_eq!(
        sign_up(&auth, "known@example.com", "the right password")
            .await
            .status(),
        200
    );

    let attempt = |email: &'static str| {
        let auth = auth.clone();
        async move {
            let started = Instant::now();
            let response = sign_in(&auth, email, "a wrong password").await;
            (started.elapsed(), response)
        }
    };

    // Byte-identical answers.
    let (_, known) = attempt("known@example.com").await;
    let (_, unknown) = attempt("unknown@example.com").await;
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.body(), unknown.body());
    let headers = |r: &http::Response<bytes::Bytes>| {
        let mut names: Vec<_> = r
            .headers()
            .iter()
            .map(|(k, v)| format!("{k}: {v:?}"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(headers(&known), headers(&unknown));

    // Indistinguishable timing: interleaved pairs, compare medians; a noisy
    // machine gets a few tries before the test fails.
    let mut last = (Duration::ZERO, Duration::ZERO);
    for _ in 0..TRIES {
        let mut known_times = Vec::with_capacity(SAMPLES);
        let mut unknown_times = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES {
            // Alternate which goes first, so drift hits both alike.
            if i % 2 == 0 {
                known_times.push(attempt("known@example.com").await.0);
                unknown_times.push(attempt("unknown@example.com").await.0);
            } else {
                unknown_times.push(attempt("unknown@example.com").await.0);
                known_times.push(attempt("known@example.com").await.0);
            }
        }
        let (k, u) = (median(&mut known_times), median(&mut unknown_times));
        last = (k, u);
        let (low, high) = if k < u { (k, u) } else { (u, k) };
        if high.as_secs_f64() <= low.as_secs_f64() * 1.10 {
            return Ok(());
        }
    }
    Err(format!(
        "median latencies differ by more than 10 %: known {:?}, unknown {:?}",
        last.0, last.1
    )
    .into())
}
