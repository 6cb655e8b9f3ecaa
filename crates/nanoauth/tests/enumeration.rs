//! No user enumeration through sign-in (also with failure lockouts counting,
//! and once locked out), sign-up (when verification is required), password
//! reset, magic links, verification mail or a change of address: for a
//! known and an unknown email the answers are
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

/// One timing measurement at a time in this binary: the tests run in
/// parallel, and two measurements sharing two cores disturb each other.
static TIMING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Medians this close are alike whatever their ratio: on paths of tens of
/// microseconds (the in-memory store) scheduling jitter is that large,
/// while what would reveal an account (a database round trip, a password
/// hash) costs milliseconds.
const JITTER: Duration = Duration::from_micros(25);

/// Byte-identical answers, then interleaved timing with medians within
/// 10 % (or within [`JITTER`]); a noisy machine gets a few tries before the
/// test fails.
async fn assert_indistinguishable<K, KF, N, NF>(known: K, unknown: N) -> TestResult
where
    K: Fn() -> KF,
    KF: Future<Output = Answer>,
    N: Fn() -> NF,
    NF: Future<Output = Answer>,
{
    let _alone = TIMING.lock().await;
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
        if high.as_secs_f64() <= low.as_secs_f64() * 1.10 || high - low <= JITTER {
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
    // A still clock: the answer says how many seconds are left, and a
    // second ticking over between two answers must not tell them apart.
    let still = TestClock::at(1_700_000_000);
    let auth = auth_with(|builder| builder.rate_limit(limits).clock(still))?;
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

/// A store a network hop away: every call takes `LATENCY` before the
/// memory adapter answers it. In memory, an extra lookup for a known
/// address costs nothing measurable; over a network it is the leak.
#[derive(Debug, Default)]
struct Remote(MemoryAdapter<Member>);

const LATENCY: Duration = Duration::from_millis(2);

async fn hop() {
    tokio::time::sleep(LATENCY).await;
}

mod remote {
    use super::*;
    use nanoauth::adapter::{
        Adapter, AdapterError, EmailVerificationAdapter, VerificationAdapter, VerificationRecord,
    };
    use nanoauth::plugins::email_password::{PasswordAdapter, PasswordCredential};
    use nanoauth::utils::token::TokenHash;
    use nanoauth::{Email, SessionRecord};

    impl Adapter<Member> for Remote {
        async fn get_user(&self, id: &str) -> Result<Option<Member>, AdapterError> {
            hop().await;
            self.0.get_user(id).await
        }

        async fn find_user_by_email(&self, email: &Email) -> Result<Option<Member>, AdapterError> {
            hop().await;
            self.0.find_user_by_email(email).await
        }

        async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
            hop().await;
            self.0.save_session(session).await
        }

        async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
            hop().await;
            self.0.refresh_session(session).await
        }

        async fn validate_token(
            &self,
            token_hash: &TokenHash,
        ) -> Result<Option<SessionRecord>, AdapterError> {
            hop().await;
            self.0.validate_token(token_hash).await
        }

        async fn validate_token_with_user(
            &self,
            token_hash: &TokenHash,
        ) -> Result<Option<(SessionRecord, Member)>, AdapterError> {
            hop().await;
            self.0.validate_token_with_user(token_hash).await
        }

        async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
            hop().await;
            self.0.delete_session(token_hash).await
        }

        async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
            hop().await;
            self.0.list_sessions(user_id).await
        }

        async fn delete_user_sessions(
            &self,
            user_id: &str,
            keep: Option<&TokenHash>,
        ) -> Result<u64, AdapterError> {
            hop().await;
            self.0.delete_user_sessions(user_id, keep).await
        }

        async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
            hop().await;
            self.0.purge_expired_sessions(now).await
        }
    }

    impl VerificationAdapter<Member> for Remote {
        async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
            hop().await;
            self.0.save_verification(record).await
        }

        async fn consume_verification(
            &self,
            token_hash: &TokenHash,
            purpose: &str,
        ) -> Result<Option<VerificationRecord>, AdapterError> {
            hop().await;
            self.0.consume_verification(token_hash, purpose).await
        }

        async fn purge_expired_verifications(&self, now: u64) -> Result<u64, AdapterError> {
            hop().await;
            self.0.purge_expired_verifications(now).await
        }
    }

    impl EmailVerificationAdapter<Member> for Remote {
        async fn is_email_verified(&self, user_id: &str) -> Result<bool, AdapterError> {
            hop().await;
            self.0.is_email_verified(user_id).await
        }

        async fn set_email_verified(&self, user_id: &str) -> Result<(), AdapterError> {
            hop().await;
            self.0.set_email_verified(user_id).await
        }

        async fn claim_email(&self, user_id: &str) -> Result<bool, AdapterError> {
            hop().await;
            self.0.claim_email(user_id).await
        }
    }

    impl PasswordAdapter<Member> for Remote {
        async fn create_user_with_password(
            &self,
            user: &Member,
            password_hash: &str,
        ) -> Result<(), AdapterError> {
            hop().await;
            self.0.create_user_with_password(user, password_hash).await
        }

        async fn find_password_credential(
            &self,
            email: &Email,
        ) -> Result<Option<PasswordCredential<Member>>, AdapterError> {
            hop().await;
            self.0.find_password_credential(email).await
        }

        async fn set_password_hash(
            &self,
            user_id: &str,
            password_hash: &str,
        ) -> Result<(), AdapterError> {
            hop().await;
            self.0.set_password_hash(user_id, password_hash).await
        }
    }

    impl nanoauth::UpdateUserAdapter<Member> for Remote {
        async fn update_user(&self, user: &Member) -> Result<bool, AdapterError> {
            hop().await;
            self.0.update_user(user).await
        }

        async fn change_email(&self, user_id: &str, email: &Email) -> Result<bool, AdapterError> {
            hop().await;
            self.0.change_email(user_id, email).await
        }
    }

    impl nanoauth::DeleteUserAdapter<Member> for Remote {
        async fn delete_user(&self, user_id: &str) -> Result<bool, AdapterError> {
            hop().await;
            self.0.delete_user(user_id).await
        }
    }
}

/// `POST /send-verification-email` for an unknown address, one whose
/// account is not verified yet (mailed a link) and one whose account is
/// verified (not mailed): one answer, one timing, over a store whose every
/// call takes a network hop, where an extra read for known addresses would
/// show.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_mail_requests_answer_known_and_unknown_emails_alike() -> TestResult {
    use nanoauth::adapter::{Adapter as _, EmailVerificationAdapter as _};

    let mail = Sink::default();
    let auth = Auth::builder(Remote::default())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher()))
        .plugin(EmailVerification::new(mail.clone()))
        .build()?;
    for email in ["unverified@example.com", "verified@example.com"] {
        let body =
            serde_json::json!({ "email": email, "password": "the right password", "name": "T" });
        let signed_up = auth
            .handler(post("/api/auth/signup/email", &body.to_string()))
            .await;
        assert_eq!(signed_up.status(), 200);
    }
    let verified = auth
        .adapter()
        .find_user_by_email(&nanoauth::Email::parse("verified@example.com").ok_or("email")?)
        .await?
        .ok_or("signed up")?;
    auth.adapter().set_email_verified(&verified.id).await?;

    let request = |email: &'static str| {
        let body = serde_json::json!({ "email": email, "callbackURL": "/" }).to_string();
        let auth = auth.clone();
        async move {
            auth.handler(post("/api/auth/send-verification-email", &body))
                .await
        }
    };
    assert_indistinguishable(
        || request("unverified@example.com"),
        || request("unknown@example.com"),
    )
    .await?;
    assert_indistinguishable(
        || request("verified@example.com"),
        || request("unknown@example.com"),
    )
    .await?;

    // Mail goes only to the unverified address, after the answer.
    let mails_after = |email: &'static str| {
        let (request, mail) = (&request, &mail);
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let before = mail.0.load(Ordering::Relaxed);
            request(email).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            mail.0.load(Ordering::Relaxed) - before
        }
    };
    assert_eq!(mails_after("unverified@example.com").await, 1);
    assert_eq!(mails_after("verified@example.com").await, 0);
    assert_eq!(mails_after("unknown@example.com").await, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_changes_answer_taken_and_free_addresses_alike() -> TestResult {
    use nanoauth::plugins::account::Account;

    let mail = Sink::default();
    let auth = Auth::builder(Remote::default())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new().hasher(hasher()))
        .plugin(Account::new(mail.clone()))
        .build()?;
    let mut cookie = String::new();
    for email in ["ada@example.com", "taken@example.com"] {
        let body =
            serde_json::json!({ "email": email, "password": "the right password", "name": "T" });
        let signed_up = auth
            .handler(post("/api/auth/signup/email", &body.to_string()))
            .await;
        assert_eq!(signed_up.status(), 200);
        if cookie.is_empty() {
            cookie = common::cookie(&signed_up);
        }
    }
    let request = |email: &'static str| {
        let body = serde_json::json!({ "newEmail": email }).to_string();
        let (auth, cookie) = (auth.clone(), cookie.clone());
        async move {
            auth.handler(with_header(
                post("/api/auth/change-email", &body),
                "cookie",
                &cookie,
            ))
            .await
        }
    };
    assert_indistinguishable(
        || request("taken@example.com"),
        || request("free@example.com"),
    )
    .await?;

    // Mail after the answer: a notice to ada either way, a link only to
    // the free address.
    let mails_after = |email: &'static str| {
        let (request, mail) = (&request, &mail);
        async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let before = mail.0.load(Ordering::Relaxed);
            request(email).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            mail.0.load(Ordering::Relaxed) - before
        }
    };
    assert_eq!(mails_after("free@example.com").await, 2);
    assert_eq!(mails_after("taken@example.com").await, 1);
    Ok(())
}
