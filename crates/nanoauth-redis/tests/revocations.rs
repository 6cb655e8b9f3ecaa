//! Revocations announced through Redis reach every process's session cache
//! at once. Two `Auth` values stand for two processes: their own session
//! caches, one Redis store (see `nanoauth_testing::servers`), one user
//! database.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestResult, skipped};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser};
use nanoauth_redis::{RedisSessions, RedisStore, follow_revocations};

type Process = Auth<BasicUser, RedisSessions<Arc<MemoryAdapter<BasicUser>>>>;

fn process(
    users: &Arc<MemoryAdapter<BasicUser>>,
    store: &RedisStore,
) -> Result<Process, Box<dyn std::error::Error>> {
    Ok(
        Auth::builder(RedisSessions::new(Arc::clone(users), store.clone()))
            .secret("revocation test secret, thirty-two bytes or more")
            .base_url("http://localhost:3000")
            .rate_limit(RateLimit::danger_disabled())
            // An hour: without the announcement, B would trust its cache that long.
            .session_cache(3600)
            .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1)?))
            .build()?,
    )
}

fn request(method: &str, path: &str, cookie: &str, body: &str) -> http::Request<String> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("content-type", "application/json")
        .header("origin", "http://localhost:3000")
        .header("cookie", cookie)
        .body(body.to_owned())
        .unwrap_or_else(|_| unreachable!())
}

async fn signed_in(auth: &Process, cookie: &str) -> bool {
    let page = request("GET", "/", cookie, "");
    matches!(auth.get_session(&page).await, Ok(Some(_)))
}

/// Waits until `subscribers` processes listen on the channel.
async fn listening(channel: &str, subscribers: i64) -> TestResult {
    let mut raw = common::raw().await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, count): (String, i64) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(channel)
            .query_async::<Vec<(String, i64)>>(&mut raw)
            .await?
            .pop()
            .ok_or("no NUMSUB answer")?;
        if count >= subscribers {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{count} of {subscribers} followers listening").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_in_one_process_empties_the_others_cache_at_once() -> TestResult {
    let Some(store) = common::store().await? else {
        skipped("a_revocation_in_one_process_empties_the_others_cache_at_once");
        return Ok(());
    };
    let users = Arc::new(MemoryAdapter::<BasicUser>::new());
    let (a, b) = (process(&users, &store)?, process(&users, &store)?);
    let _follow_a = follow_revocations(&store, a.clone());
    let _follow_b = follow_revocations(&store, b.clone());
    listening(&format!("{}revocations", store.prefix()), 2).await?;

    let body = r#"{"email":"ada@example.com","password":"correct horse battery"}"#;
    let signed_up = a
        .handler(request("POST", "/api/auth/signup/email", "", body))
        .await;
    assert_eq!(signed_up.status(), 200);
    let cookie = signed_up.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let second = a
        .handler(request("POST", "/api/auth/signin/email", "", body))
        .await;
    let other_cookie = second.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        signed_in(&b, &cookie).await,
        "B checked the session: now cached"
    );
    assert!(signed_in(&b, &other_cookie).await);

    // A signs the first session out: B hears it and stops trusting its cache.
    let signed_out = a
        .handler(request("POST", "/api/auth/signout", &cookie, "{}"))
        .await;
    assert_eq!(signed_out.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(5);
    while signed_in(&b, &cookie).await {
        assert!(
            Instant::now() < deadline,
            "B still trusts a revoked session"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        signed_in(&b, &other_cookie).await,
        "the other session is untouched"
    );

    // Every session of the user, revoked through A (a password reset does
    // this): B drops them all.
    let user_id = b
        .get_session(&request("GET", "/", &other_cookie, ""))
        .await?
        .map(|session| session.user.id)
        .ok_or("signed in")?;
    use nanoauth::Adapter as _;
    a.adapter().delete_user_sessions(&user_id, None).await?;
    let deadline = Instant::now() + Duration::from_secs(5);
    while signed_in(&b, &other_cookie).await {
        assert!(
            Instant::now() < deadline,
            "B still trusts the user's revoked sessions"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    common::expire_check_and_delete(store.prefix()).await
}
