//! No user enumeration through sign-in (also with failure lockouts counting,
//! and once locked out), sign-up (when verification is required), password
//! reset or magic links: for a known and an unknown email the answers are
//! byte-identical, and their latencies are statistically indistinguishable
//! (medians within 10 %, measured interleaved).

mod common;

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use nanoauth::Auth;
use nanoauth::BoxFuture;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::plugins::password_reset::PasswordReset;
use nanoauth::rate_limit::{Limit, RateLimit};
use nanoauth::utils::password::PasswordHasher;

const SAMPLES: usize = 200;
const TRIES: usize = 3;

type Answer = http::Response<bytes::Bytes>;

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

/// Real Argon2id work per attempt (a smaller memory cost than production,
/// to keep the tests short; the equality does not depend on the cost).
fn hasher() -> PasswordHasher {
    PasswordHasher::with_params(4096, 2, 1).unwrap_or_else(|e| unreachable!("{e}"))
}

/// Counts mail and drops it, like a fast mail server.
#[derive(Debug, Clone, Default)]
struct Sink(std::sync::Arc<AtomicUsize>);

impl EmailSender for Sink {
    fn send<'a>(&'a self, _: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Box::pin(async { Ok(()) })
    }
}

fn header_lines(response: &Answer) -> Vec<String> {
    let mut lines: Vec<_> = response
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {v:?}"))
        .collect();
    lines.sort();
    lines
}

/// An `Auth` with real (if smaller) Argon2 work and rate limits off, plus
/// what `plugins` adds.
type TestBuilder = nanoauth::AuthBuilder<Member, MemoryAdapter<Member>>;

fn auth_with(
    plugins: impl FnOnce(TestBuilder) -> TestBuilder,
) -> Result<TestAuth, nanoauth::ConfigError> {
    plugins(
        Auth::builder(MemoryAdapter::new())
            .secret(SECRET)
            .base_url(ORIGIN)
            .rate_limit(RateLimit::danger_disabled())
            .plugin(EmailPassword::new().hasher(hasher())),
    )
    .build()
}

/// Byte-identical answers, then interleaved timing with medians within
/// 10 %; a noisy machine gets a few tries before the test fails.
async fn assert_indistinguishable<K, KF, N, NF>(known: K, unknown: N) -> TestResult
where
    K: Fn() -> KF,
    KF: Future<Output = Answer>,
    N: Fn() -> NF,
    NF: Future<Output = Answer>,
{
    let (k, u) = (known().await, unknown().await);
    assert_eq!(k.status(), u.status());
    assert_eq!(k.body(), u.body());
    assert_eq!(header_lines(&k), header_lines(&u));

    let timed = |f: KF| async {
        let started = Instant::now();
        f.await;
        started.elapsed()
    };
    let timed_unknown = |f: NF| async {
        let started = Instant::now();
        f.await;
        started.elapsed()
    };
    let mut last = (Duration::ZERO, Duration::ZERO);
    for _ in 0..TRIES {
        let mut known_times = Vec::with_capacity(SAMPLES);
        let mut unknown_times = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES {
            // Alternate which goes first, so drift hits both alike.
            if i % 2 == 0 {
                known_times.push(timed(known()).await);
                unknown_times.push(timed_unknown(unknown()).await);
            } else {
                unknown_times.push(timed_unknown(unknown()).await);
                known_times.push(timed(known()).await);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_answers_known_and_unknown_emails_alike() -> TestResult {
    let auth = auth_with(|builder| builder)?;
    assert_eq!(
        sign_up(&auth, "known@example.com", "the right password")
            .await
            .status(),
        200
    );
    assert_indistinguishable(
        || sign_in(&auth, "known@example.com", "a wrong password"),
        || sign_in(&auth, "unknown@example.com", "a wrong password"),
    )
    .await
}

/// Failure lockouts on: every wrong password is counted, for an unknown
/// email as for a known one, so the work (a read and a count in the store)
/// is the same for both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_answers_alike_while_failures_are_counted() -> TestResult {
    let limits = RateLimit::default().failure_limit("password", Limit::new(u64::MAX, 600));
    let auth = auth_with(|builder| builder.rate_limit(limits))?;
    assert_eq!(
        sign_up(&auth, "known@example.com", "the right password")
            .await
            .status(),
        200
    );
    assert_indistinguishable(
        || sign_in(&auth, "known@example.com", "a wrong password"),
        || sign_in(&auth, "unknown@example.com", "a wrong password"),
    )
    .await
}

/// Locked out of a known and of an unknown email: the same 429, as fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locked_sign_ins_answer_known_and_unknown_emails_alike() -> TestResult {
    let limits = RateLimit::default().failure_limit("password", Limit::new(1, 600));
    let auth = auth_with(|builder| builder.rate_limit(limits))?;
    sign_up(&auth, "known@example.com", "the right password").await;
    sign_in(&auth, "known@example.com", "a wrong password").await;
    sign_in(&auth, "unknown@example.com", "a wrong password").await;
    let locked = sign_in(&auth, "known@example.com", "the right password").await;
    assert_eq!(locked.status(), 429);
    assert_indistinguishable(
        || sign_in(&auth, "known@example.com", "the right password"),
        || sign_in(&auth, "unknown@example.com", "the right password"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_answers_taken_and_free_emails_alike_when_verification_is_required() -> TestResult {
    let mail = Sink::default();
    let auth = auth_with(|builder| {
        builder.plugin(EmailVerification::new(mail.clone()).require_verified_sign_in())
    })?;
    sign_up(&auth, "taken@example.com", "the right password").await;
    let fresh = AtomicUsize::new(0);
    assert_indistinguishable(
        || sign_up(&auth, "taken@example.com", "some password"),
        || {
            let n = fresh.fetch_add(1, Ordering::Relaxed);
            let email = format!("free{n}@example.com");
            let auth = auth.clone();
            async move { sign_up(&auth, &email, "some password").await }
        },
    )
    .await?;
    assert_eq!(
        auth.adapter().user_count(),
        1 + fresh.load(Ordering::Relaxed)
    );
    Ok(())
}

/// A "mail me a link" endpoint at `path`, whose body is `{email, ..extra}`,
/// answers a known and an unknown address alike, and mails the known one.
async fn link_requests_answer_alike(
    plugin: impl FnOnce(Sink, TestBuilder) -> TestBuilder,
    path: &'static str,
    extra: serde_json::Value,
) -> TestResult {
    let mail = Sink::default();
    let auth = auth_with(|builder| plugin(mail.clone(), builder))?;
    sign_up(&auth, "known@example.com", "the right password").await;
    let request = |email: &'static str| {
        let mut body = extra.clone();
        body["email"] = email.into();
        let (auth, body) = (auth.clone(), body.to_string());
        async move { auth.handler(post(path, &body)).await }
    };
    assert_indistinguishable(
        || request("known@example.com"),
        || request("unknown@example.com"),
    )
    .await?;
    assert!(
        mail.0.load(Ordering::Relaxed) > 0,
        "the known address got mail"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_answers_known_and_unknown_emails_alike() -> TestResult {
    link_requests_answer_alike(
        |mail, builder| builder.plugin(PasswordReset::new(mail)),
        "/api/auth/request-password-reset",
        serde_json::json!({ "redirectTo": "/reset" }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magic_links_answer_known_and_unknown_emails_alike() -> TestResult {
    link_requests_answer_alike(
        |mail, builder| builder.plugin(MagicLink::new(mail)),
        "/api/auth/signin/magic-link",
        serde_json::json!({ "callbackURL": "/" }),
    )
    .await
}
