//! The session cache: checks without an adapter round trip, and the
//! revocation delay it trades for them, bounded by its time to live.

mod common;

use common::*;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{Adapter, Auth};

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
