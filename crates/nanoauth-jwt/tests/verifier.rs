//! `JwksVerifier` against a real server: it fetches the JWKS once, serves
//! known keys from its cache, refetches for a new `kid` after a rotation
//! (at most once per cooldown), and checks the claims.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use nanoauth::{Error, Matcher, Reply};
use nanoauth_jwt::{Claims, JwksVerifier, Jwt, VerifyError};

use common::{TestClock, auth_at, header, hour_start, listener, serve, sign_up, token};

const HOUR: u64 = 3600;

#[tokio::test]
async fn the_verifier_caches_the_jwks_and_refetches_for_a_new_key() {
    let boundary = hour_start();
    let clock = TestClock::at(boundary - 10);
    let (listener, url) = listener().await;
    // Two-hour tokens: those signed before the last hour began are live.
    let jwt = Jwt::new().rotate_every(HOUR).token_lifetime(2 * HOUR);
    let auth = auth_at(&url, &clock, jwt);
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&fetches);
    auth.after(
        Matcher::any().path("/jwks"),
        move |_request, outcome: Result<Reply, Error>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move { outcome }
        },
    );
    serve(listener, auth.clone()).await;
    let jwks_url = format!("{url}/api/auth/jwks");

    let (user_id, bearer) = sign_up(&auth, "svc@example.com").await;
    let old = token(&auth, "authorization", &bearer).await;

    let verifier = JwksVerifier::new(&jwks_url, &url, &url).unwrap();
    let claims: Claims = verifier.verify(&old).await.unwrap();
    assert_eq!(claims.sub, user_id);
    assert_eq!(claims.iss, url);
    let _: Claims = verifier.verify(&old).await.unwrap();
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "known keys come from the cache"
    );
    // One whose cooldown is over by its next verification.
    let eager = JwksVerifier::new(&jwks_url, &url, &url)
        .unwrap()
        .cooldown(Duration::ZERO);
    let _: Claims = eager.verify(&old).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 2);

    // The issuer rotates. Within the cooldown the verifier does not fetch
    // again, so the new kid is unknown for now...
    clock.set(boundary);
    let new = token(&auth, "authorization", &bearer).await;
    assert_ne!(header(&new)["kid"], header(&old)["kid"]);
    assert_eq!(
        verifier.verify::<Claims>(&new).await.unwrap_err(),
        VerifyError::UnknownKey
    );
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "no refetch within the cooldown"
    );

    // ...and past the cooldown, one refetch finds it; the old key is still
    // published, so both verify from the cache after that.
    let _: Claims = eager.verify(&new).await.unwrap();
    let _: Claims = eager.verify(&old).await.unwrap();
    let _: Claims = eager.verify(&new).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 3);

    // Claims are checked: another audience or issuer is refused, and a
    // changed token does not verify.
    let elsewhere = JwksVerifier::new(&jwks_url, &url, "https://other.example").unwrap();
    assert_eq!(
        elsewhere.verify::<Claims>(&new).await.unwrap_err(),
        VerifyError::Audience
    );
    let impostor = JwksVerifier::new(&jwks_url, "https://evil.example", &url).unwrap();
    assert_eq!(
        impostor.verify::<Claims>(&new).await.unwrap_err(),
        VerifyError::Issuer
    );
    let (input, _) = new.rsplit_once('.').unwrap();
    let (_, other_signature) = old.rsplit_once('.').unwrap();
    assert_eq!(
        eager
            .verify::<Claims>(&format!("{input}.{other_signature}"))
            .await
            .unwrap_err(),
        VerifyError::Signature
    );
    assert_eq!(
        eager.verify::<Claims>("garbage").await.unwrap_err(),
        VerifyError::Malformed
    );
}

#[tokio::test]
async fn without_a_key_set_nothing_verifies() {
    let (listener, url) = listener().await;
    // A port that answers nothing: closed at once.
    drop(listener);
    let verifier = JwksVerifier::new(format!("{url}/api/auth/jwks"), &url, &url).unwrap();
    let token = "eyJhbGciOiJFZERTQSIsImtpZCI6ImsifQ.e30.c2ln";
    assert!(matches!(
        verifier.verify::<Claims>(token).await,
        Err(VerifyError::Jwks(_))
    ));
}
