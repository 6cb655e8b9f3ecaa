//! The session cache: checks without an adapter round trip, the revocation
//! delay it trades for them, bounded by its time to live, and revocations
//! that win over checks in flight.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use http::HeaderMap;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    Adapter, AdapterError, Auth, CachedSessions, ClientInfo, CreateUserAdapter, Email,
    SessionRecord,
};
use tokio::sync::Notify;

const TTL: u64 = 30;

fn cached(clock: TestClock) -> TestAuth {
    Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(clock)
        .rate_limit(RateLimit::danger_disabled())
        .session_cache(TTL)
        .plugin(fast_plugin())
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"))
}

async fn user_of(auth: &TestAuth, cookie: &str) -> serde_json::Value {
    json(&session_with_cookie(auth, cookie).await)["user"]["email"].clone()
}

#[tokio::test]
async fn a_revocation_elsewhere_is_seen_within_the_ttl() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let auth = cached(clock.clone());
    let cookie = cookie(&sign_up(&auth, "ada@example.com", "correct horse battery").await);
    assert_eq!(user_of(&auth, &cookie).await, "ada@example.com");

    // Another process deletes every session in the database: this one
    // does not ask the database again until the entry is TTL seconds old.
    let user_id = json(&session_with_cookie(&auth, &cookie).await)["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    auth.adapter().delete_user_sessions(&user_id, None).await?;
    assert_eq!(auth.adapter().session_count(), 0);
    clock.advance(TTL - 1);
    assert_eq!(
        user_of(&auth, &cookie).await,
        "ada@example.com",
        "served from the cache, without the database"
    );
    clock.advance(1);
    assert!(
        json(&session_with_cookie(&auth, &cookie).await).is_null(),
        "after the TTL the database is asked, and the session is gone"
    );
    Ok(())
}

#[tokio::test]
async fn revocations_through_auth_are_immediate() -> TestResult {
    let auth = cached(TestClock::at(1_700_000_000));
    sign_up(&auth, "bob@example.com", "correct horse battery").await;
    let laptop = cookie(&sign_in(&auth, "bob@example.com", "correct horse battery").await);
    let phone = cookie(&sign_in(&auth, "bob@example.com", "correct horse battery").await);
    assert_eq!(user_of(&auth, &laptop).await, "bob@example.com");
    assert_eq!(user_of(&auth, &phone).await, "bob@example.com");

    // Revoke the other sessions from the laptop: the phone is out at once.
    let revoke = with_header(
        post("/api/auth/sessions/revoke-others", "{}"),
        "cookie",
        &laptop,
    );
    assert_eq!(auth.handler(revoke).await.status(), 200);
    assert!(json(&session_with_cookie(&auth, &phone).await).is_null());
    assert_eq!(user_of(&auth, &laptop).await, "bob@example.com");

    // Sign out on the laptop: out at once too.
    let sign_out = with_header(post("/api/auth/signout", "{}"), "cookie", &laptop);
    assert_eq!(auth.handler(sign_out).await.status(), 200);
    assert!(json(&session_with_cookie(&auth, &laptop).await).is_null());
    Ok(())
}

#[tokio::test]
async fn a_cached_session_still_needs_a_valid_token() -> TestResult {
    let auth = cached(TestClock::at(1_700_000_000));
    let cookie = cookie(&sign_up(&auth, "eve@example.com", "correct horse battery").await);
    assert_eq!(user_of(&auth, &cookie).await, "eve@example.com");
    // Flip one character of the signature: the cache is never consulted
    // for a token that does not verify.
    let mut tampered = cookie.into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered)?;
    assert!(json(&session_with_cookie(&auth, &tampered).await).is_null());
    Ok(())
}

/// The in-memory adapter, with the next session read held back after it
/// read the store: a check is then between reading a session and caching
/// it, the window a revocation must not lose in.
#[derive(Debug, Default)]
struct HeldRead {
    inner: MemoryAdapter<Member>,
    armed: AtomicBool,
    reached: Notify,
    released: Notify,
}

impl Adapter<Member> for HeldRead {
    async fn get_user(&self, id: &str) -> Result<Option<Member>, AdapterError> {
        self.inner.get_user(id).await
    }
    async fn find_user_by_email(&self, email: &Email) -> Result<Option<Member>, AdapterError> {
        self.inner.find_user_by_email(email).await
    }
    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.inner.save_session(session).await
    }
    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        self.inner.refresh_session(session).await
    }
    async fn validate_token(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        self.inner.validate_token(hash).await
    }
    async fn validate_token_with_user(
        &self,
        hash: &TokenHash,
    ) -> Result<Option<(SessionRecord, Member)>, AdapterError> {
        let found = self.inner.validate_token_with_user(hash).await;
        if self.armed.swap(false, Ordering::SeqCst) {
            self.reached.notify_one();
            self.released.notified().await;
        }
        found
    }
    async fn delete_session(&self, hash: &TokenHash) -> Result<bool, AdapterError> {
        self.inner.delete_session(hash).await
    }
    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        self.inner.list_sessions(user_id).await
    }
    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        self.inner.delete_user_sessions(user_id, keep).await
    }
    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        self.inner.purge_expired_sessions(now).await
    }
}

type HeldAuth = Auth<Member, HeldRead>;

fn held() -> HeldAuth {
    Auth::builder(HeldRead::default())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(TestClock::at(1_700_000_000))
        .rate_limit(RateLimit::danger_disabled())
        .session_cache(TTL)
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"))
}

async fn member(auth: &HeldAuth, name: &str) -> Result<Member, AdapterError> {
    let member = Member {
        id: format!("id-{name}"),
        email: format!("{name}@example.com"),
        name: name.to_owned(),
        role: "member".into(),
    };
    auth.adapter().inner.create_user(&member).await?;
    Ok(member)
}

/// `Authorization: Bearer` for a new session of `member`.
async fn signed_in(
    auth: &HeldAuth,
    member: &Member,
) -> Result<HeaderMap, Box<dyn std::error::Error>> {
    let signed_in = auth
        .create_session(
            member.clone(),
            ClientInfo::default(),
            nanoauth::SignInMethod::new("test"),
        )
        .await?
        .signed_in()
        .ok_or("a second factor was asked for")?;
    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::AUTHORIZATION,
        format!("Bearer {}", signed_in.token.expose_secret()).parse()?,
    );
    Ok(headers)
}

/// Starts a check of `headers` and holds it after its read of the store;
/// runs `revoke`; lets the check go on. The revoked session must not be
/// served afterwards, from the cache or otherwise.
async fn revoke_while_a_check_is_held<F>(
    auth: &HeldAuth,
    headers: &HeaderMap,
    revoke: F,
) -> TestResult
where
    F: std::future::Future<Output = TestResult>,
{
    auth.adapter().armed.store(true, Ordering::SeqCst);
    let check = tokio::spawn({
        let (auth, headers) = (auth.clone(), headers.clone());
        async move { auth.get_session_from_headers(&headers).await }
    });
    tokio::time::timeout(Duration::from_secs(10), auth.adapter().reached.notified()).await?;
    revoke.await?;
    auth.adapter().released.notify_one();
    // It read the store before the revocation, so it may answer as of
    // then; what matters is that it cached nothing.
    check.await??;
    for attempt in ["first", "second"] {
        assert!(
            auth.get_session_from_headers(headers).await?.is_none(),
            "the {attempt} check after the revocation finds no session"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_flight_does_not_cache_a_session_signed_out_meanwhile() -> TestResult {
    let auth = held();
    let ada = member(&auth, "ada").await?;
    let headers = signed_in(&auth, &ada).await?;
    revoke_while_a_check_is_held(&auth, &headers, async {
        assert!(auth.sign_out(&headers).await?);
        Ok(())
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_flight_does_not_cache_a_session_revoked_with_the_others() -> TestResult {
    let auth = held();
    let bob = member(&auth, "bob").await?;
    let laptop = signed_in(&auth, &bob).await?;
    let phone = signed_in(&auth, &bob).await?;
    revoke_while_a_check_is_held(&auth, &phone, async {
        let mut revoke = post("/api/auth/sessions/revoke-others", "{}");
        revoke.headers_mut().extend(laptop.clone());
        assert_eq!(auth.handler(revoke).await.status(), 200);
        Ok(())
    })
    .await?;
    assert!(
        auth.get_session_from_headers(&laptop).await?.is_some(),
        "the session that revoked the others is kept"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_in_flight_does_not_cache_a_session_revoked_elsewhere() -> TestResult {
    let auth = held();
    let eve = member(&auth, "eve").await?;
    let headers = signed_in(&auth, &eve).await?;
    // Another process deletes the sessions and announces it, as
    // `nanoauth_redis::follow_revocations` hears it.
    revoke_while_a_check_is_held(&auth, &headers, async {
        auth.adapter()
            .inner
            .delete_user_sessions(&eve.id, None)
            .await?;
        auth.forget_cached(CachedSessions::OfUser(&eve.id));
        Ok(())
    })
    .await
}
