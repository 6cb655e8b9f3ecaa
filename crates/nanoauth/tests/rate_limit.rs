//! Rate limits through `Auth::handler`: per client IP, failure lockouts per
//! client and account, the 429 answer, forwarding headers, and the memory
//! store's cost.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use futures_util_free::join_all;
use http::StatusCode;
use nanoauth::rate_limit::{Limit, MemoryRateLimitStore, RateLimit, RateLimitStore};
use nanoauth::{
    Adapter, AuthUser, ClientAddr, Endpoint, EndpointRequest, Error, Event, EventKind, Plugin,
    Reply,
};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `join_all` without a futures dependency: spawn and await in order.
mod futures_util_free {
    pub(crate) async fn join_all<T: Send + 'static>(
        futures: impl IntoIterator<Item = impl std::future::Future<Output = T> + Send + 'static>,
    ) -> Vec<T> {
        let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
        let mut out = Vec::new();
        for handle in handles {
            if let Ok(value) = handle.await {
                out.push(value);
            }
        }
        out
    }
}

fn from(ip: &str, mut request: http::Request<String>) -> http::Request<String> {
    let addr: SocketAddr = format!("{ip}:40000")
        .parse()
        .unwrap_or_else(|_| unreachable!());
    request.extensions_mut().insert(ClientAddr(addr));
    request
}

fn sign_in_body(email: &str) -> String {
    format!(r#"{{"email":"{email}","password":"wrong password"}}"#)
}

#[tokio::test]
async fn the_fourth_sign_in_in_ten_seconds_is_refused() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = auth_with_limits(clock.clone(), RateLimit::default());
    for attempt in 1..=3 {
        let response = auth
            .handler(from(
                "203.0.113.1",
                post(
                    "/api/auth/signin/email",
                    &sign_in_body(&format!("u{attempt}@example.com")),
                ),
            ))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
    }
    let response = auth
        .handler(from(
            "203.0.113.1",
            post("/api/auth/signin/email", &sign_in_body("u4@example.com")),
        ))
        .await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&response), "RATE_LIMITED");
    assert_eq!(response.headers()["retry-after"], "10");
    assert!(
        json(&response)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Try again")
    );

    // Another client is not affected; neither is reading the session.
    let other = auth
        .handler(from(
            "203.0.113.2",
            post("/api/auth/signin/email", &sign_in_body("u5@example.com")),
        ))
        .await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
    for _ in 0..10 {
        assert_eq!(
            auth.handler(from("203.0.113.1", get("/api/auth/session")))
                .await
                .status(),
            StatusCode::OK
        );
    }

    // After the window, the client may try again.
    clock.advance(10);
    let later = auth
        .handler(from(
            "203.0.113.1",
            post("/api/auth/signin/email", &sign_in_body("u6@example.com")),
        ))
        .await;
    assert_eq!(later.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

const VICTIM: &str = "victim@example.com";
const RIGHT: &str = "the right password";

/// A sign-in from `ip` with `password`.
async fn sign_in_from(auth: &TestAuth, ip: &str, email: &str, password: &str) -> StatusCode {
    let body = serde_json::json!({ "email": email, "password": password });
    auth.handler(from(ip, post("/api/auth/signin/email", &body.to_string())))
        .await
        .status()
}

/// An `Auth` with the default limits where `VICTIM` has an account.
async fn with_victim(clock: TestClock) -> TestAuth {
    let auth = auth_with_limits(clock, RateLimit::default());
    let body = serde_json::json!({ "email": VICTIM, "password": RIGHT, "name": "V" });
    let signed_up = auth
        .handler(from(
            "192.0.2.200",
            post("/api/auth/signup/email", &body.to_string()),
        ))
        .await;
    assert_eq!(signed_up.status(), StatusCode::OK);
    auth
}

#[tokio::test]
async fn failures_from_one_client_do_not_lock_another_out() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = with_victim(clock.clone()).await;
    // Client A tries eleven times, with wrong passwords and with none; each
    // a few seconds apart, within its own per-client limit.
    for attempt in 0..11 {
        let body = if attempt % 2 == 0 {
            sign_in_body(VICTIM)
        } else {
            format!(r#"{{"email":"{VICTIM}"}}"#)
        };
        let response = auth
            .handler(from("203.0.113.1", post("/api/auth/signin/email", &body)))
            .await;
        assert_ne!(response.status(), StatusCode::OK, "attempt {attempt}");
        clock.advance(4);
    }
    // The owner, on client B, is not refused.
    assert_eq!(
        sign_in_from(&auth, "198.51.100.7", VICTIM, RIGHT).await,
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn a_client_that_failed_ten_times_is_refused_even_the_right_password() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = with_victim(clock.clone()).await;
    for attempt in 0..10 {
        assert_eq!(
            sign_in_from(&auth, "203.0.113.1", VICTIM, "wrong password").await,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}"
        );
        clock.advance(4);
    }
    // Ten failures in 40 s: locked for the rest of the ten minutes.
    let body = serde_json::json!({ "email": VICTIM, "password": RIGHT }).to_string();
    let locked = auth
        .handler(from("203.0.113.1", post("/api/auth/signin/email", &body)))
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(error_code(&locked), "RATE_LIMITED");
    assert_eq!(locked.headers()["retry-after"], "560");
    // Case and spaces do not make a new account.
    clock.advance(4);
    assert_eq!(
        sign_in_from(&auth, "203.0.113.1", " Victim@EXAMPLE.com", RIGHT).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client, and the same client on another account, are not
    // locked.
    assert_eq!(
        sign_in_from(&auth, "198.51.100.7", VICTIM, RIGHT).await,
        StatusCode::OK
    );
    clock.advance(4);
    assert_eq!(
        sign_in_from(&auth, "203.0.113.1", "other@example.com", "wrong password").await,
        StatusCode::UNAUTHORIZED
    );
    // When the window ends, the client may sign in again.
    clock.advance(600);
    assert_eq!(
        sign_in_from(&auth, "203.0.113.1", VICTIM, RIGHT).await,
        StatusCode::OK
    );
    Ok(())
}

#[tokio::test]
async fn a_right_password_clears_the_clients_failures() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = with_victim(clock.clone()).await;
    for _ in 0..2 {
        for _ in 0..9 {
            assert_eq!(
                sign_in_from(&auth, "203.0.113.1", VICTIM, "wrong password").await,
                StatusCode::UNAUTHORIZED
            );
            clock.advance(4);
        }
        // 9, then 18 failures in the window: the success in between cleared
        // the first nine.
        assert_eq!(
            sign_in_from(&auth, "203.0.113.1", VICTIM, RIGHT).await,
            StatusCode::OK
        );
        clock.advance(4);
    }
    Ok(())
}

#[tokio::test]
async fn a_locked_answer_is_the_same_for_known_and_unknown_accounts() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = with_victim(clock.clone()).await;
    let unknown = "nobody@example.com";
    // Failures on both at the same moments, from two clients.
    for _ in 0..10 {
        sign_in_from(&auth, "203.0.113.1", VICTIM, "wrong password").await;
        sign_in_from(&auth, "203.0.113.2", unknown, "wrong password").await;
        clock.advance(4);
    }
    let body = |email: &str| serde_json::json!({ "email": email, "password": RIGHT }).to_string();
    let known = auth
        .handler(from(
            "203.0.113.1",
            post("/api/auth/signin/email", &body(VICTIM)),
        ))
        .await;
    let unknown = auth
        .handler(from(
            "203.0.113.2",
            post("/api/auth/signin/email", &body(unknown)),
        ))
        .await;
    assert_eq!(known.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.body(), unknown.body());
    assert_eq!(known.headers(), unknown.headers());
    Ok(())
}

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_lockout() -> TestResult {
    let clock = TestClock::at(1_000);
    let auth = with_victim(clock.clone()).await;
    let signed_in = auth
        .handler(from(
            "203.0.113.1",
            post(
                "/api/auth/signin/email",
                &serde_json::json!({ "email": VICTIM, "password": RIGHT }).to_string(),
            ),
        ))
        .await;
    let session = cookie(&signed_in);
    let change = |current: &str| {
        let body =
            serde_json::json!({ "currentPassword": current, "newPassword": "a new password" });
        with_header(
            from(
                "203.0.113.1",
                post("/api/auth/change-password", &body.to_string()),
            ),
            "cookie",
            &session,
        )
    };
    for attempt in 0..10 {
        clock.advance(4);
        let response = auth.handler(change("wrong password")).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "attempt {attempt}"
        );
        assert_eq!(error_code(&response), "INVALID_PASSWORD");
    }
    clock.advance(4);
    assert_eq!(
        auth.handler(change(RIGHT)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // The same lockout as sign-in: both guess the same password.
    assert_eq!(
        sign_in_from(&auth, "203.0.113.1", VICTIM, RIGHT).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    Ok(())
}

#[tokio::test]
async fn a_spoofed_forwarded_for_does_not_reset_the_limit() -> TestResult {
    let auth = auth_with_limits(TestClock::at(1_000), RateLimit::default());
    for i in 0..4 {
        let request = with_header(
            from(
                "203.0.113.9",
                post(
                    "/api/auth/signup/email",
                    &format!(r#"{{"email":"s{i}@example.com","password":"short","name":"x"}}"#),
                ),
            ),
            "x-forwarded-for",
            &format!("10.9.8.{i}"),
        );
        let response = auth.handler(request).await;
        let expected = if i < 3 {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(response.status(), expected, "attempt {i}");
    }
    Ok(())
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_counted() -> TestResult {
    let proxy = "10.0.0.1".parse()?;
    let auth = auth_with_limits(
        TestClock::at(1_000),
        RateLimit::default().trusted_proxy(proxy),
    );
    // Two clients behind one proxy have their own buckets.
    for client in ["198.51.100.1", "198.51.100.2"] {
        for _ in 0..3 {
            let request = with_header(
                from(
                    "10.0.0.1",
                    post("/api/auth/signin/email", &sign_in_body("p@example.com")),
                ),
                "x-forwarded-for",
                client,
            );
            assert_eq!(
                auth.handler(request).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
    }
    let fourth = with_header(
        from(
            "10.0.0.1",
            post("/api/auth/signin/email", &sign_in_body("q@example.com")),
        ),
        "x-forwarded-for",
        "198.51.100.1",
    );
    assert_eq!(
        auth.handler(fourth).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    Ok(())
}

/// A sign-up attempt (refused for its short password, but counted) through
/// the proxy at `peer`, which says it came from `forwarded`.
fn proxied_sign_up(peer: &str, forwarded: &str, i: usize) -> http::Request<String> {
    with_header(
        from(
            peer,
            post(
                "/api/auth/signup/email",
                &format!(r#"{{"email":"f{i}@example.com","password":"short","name":"x"}}"#),
            ),
        ),
        "x-forwarded-for",
        forwarded,
    )
}

#[tokio::test]
async fn a_forwarded_entry_that_is_not_an_address_ends_the_walk() -> TestResult {
    let auth = auth_with_limits(
        TestClock::at(1_000),
        RateLimit::default().trusted_proxy("10.0.0.1".parse()?),
    );
    // Each request names another client left of an `ip:port` entry: it is
    // not believed, so all four count against the proxy.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let forwarded = format!("198.51.100.{i}, 192.0.2.1:4711");
        let response = auth
            .handler(proxied_sign_up("10.0.0.1", &forwarded, i))
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![400, 400, 400, 429]);
    Ok(())
}

#[tokio::test]
async fn an_ipv4_mapped_peer_is_its_trusted_ipv4_proxy() -> TestResult {
    let auth = auth_with_limits(
        TestClock::at(1_000),
        RateLimit::default().trusted_proxy("10.0.0.1".parse()?),
    );
    // A dual-stack socket sees the proxy as ::ffff:10.0.0.1: still trusted,
    // so four clients behind it have four buckets.
    for i in 0..4 {
        let forwarded = format!("198.51.100.{i}");
        let response = auth
            .handler(proxied_sign_up("[::ffff:10.0.0.1]", &forwarded, i))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "client {i}");
    }
    Ok(())
}

#[tokio::test]
async fn ipv6_clients_are_counted_by_their_64() -> TestResult {
    let auth = auth_with_limits(TestClock::at(1_000), RateLimit::default());
    let mut statuses = Vec::new();
    for i in 1..=4 {
        // Four addresses of one /64: one client.
        let response = auth
            .handler(from(
                &format!("[2001:db8:1:2::{i}]"),
                post(
                    "/api/auth/signin/email",
                    &sign_in_body(&format!("v{i}@example.com")),
                ),
            ))
            .await;
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, vec![401, 401, 401, 429]);
    let next_door = auth
        .handler(from(
            "[2001:db8:1:3::1]",
            post("/api/auth/signin/email", &sign_in_body("v5@example.com")),
        ))
        .await;
    assert_eq!(next_door.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

#[tokio::test]
async fn without_a_peer_address_there_is_no_shared_bucket_and_it_is_reported_once() -> TestResult {
    let auth = auth_with_limits(TestClock::at(1_000), RateLimit::default());
    let reports = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&reports);
    auth.on(EventKind::OnError, move |event, _auth| {
        let counted = Arc::clone(&counted);
        async move {
            if let Event::ClientAddrMissing { path } = event {
                assert_eq!(path, "/api/auth/signin/email");
                counted.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    // Five clients the integration did not tell apart: none is refused for
    // the others' attempts.
    for i in 0..5 {
        let response = auth
            .handler(post(
                "/api/auth/signin/email",
                &sign_in_body(&format!("n{i}@example.com")),
            ))
            .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    assert_eq!(reports.load(Ordering::SeqCst), 1);
    // Failed passwords still lock, per account: guessing stays bounded.
    for _ in 0..10 {
        auth.handler(post(
            "/api/auth/signin/email",
            &sign_in_body("n0@example.com"),
        ))
        .await;
    }
    let locked = auth
        .handler(post(
            "/api/auth/signin/email",
            &sign_in_body("n0@example.com"),
        ))
        .await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    Ok(())
}

/// A plugin from outside the core that checks one-time codes: it locks
/// clients out through the public `Auth::lockout` alone.
#[derive(Debug)]
struct OneTimeCode;

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for OneTimeCode {
    fn name(&self) -> &'static str {
        "one-time-code"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![Endpoint::post(
            "/one-time-code/verify",
            |request: EndpointRequest<U, A>| async move {
                #[derive(serde::Deserialize)]
                struct Body {
                    user: String,
                    code: String,
                }
                let body: Body = request.json()?;
                let lockout = request
                    .auth()
                    .lockout("one-time-code", &body.user, request.parts());
                lockout.check().await?;
                if body.code != "424242" {
                    lockout.record_failure().await?;
                    return Err(Error::InvalidCredentials);
                }
                lockout.clear().await?;
                Ok(Reply::success())
            },
        )]
    }
}

#[tokio::test]
async fn plugins_lock_out_through_the_public_api() -> TestResult {
    let auth = auth_with_limits(
        TestClock::at(1_000),
        RateLimit::default().failure_limit("one-time-code", Limit::new(3, 300)),
    );
    auth.use_plugin(OneTimeCode)?;
    let verify = |ip: &str, code: &str| {
        let body = serde_json::json!({ "user": "u1", "code": code }).to_string();
        auth.handler(from(ip, post("/api/auth/one-time-code/verify", &body)))
    };
    for _ in 0..3 {
        assert_eq!(
            verify("203.0.113.1", "000000").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = verify("203.0.113.1", "424242").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()["retry-after"], "300");
    assert_eq!(
        verify("198.51.100.1", "424242").await.status(),
        StatusCode::OK
    );
    // The password lockout is another check: it is untouched.
    assert_eq!(
        auth.handler(from(
            "203.0.113.1",
            post("/api/auth/signin/email", &sign_in_body("u1@example.com"))
        ))
        .await
        .status(),
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn limits_are_configurable_per_path() -> TestResult {
    let limits = RateLimit::default().ip_limit("/signin/*", Limit::new(1, 60));
    let auth = auth_with_limits(TestClock::at(1_000), limits);
    let first = auth
        .handler(from(
            "203.0.113.5",
            post("/api/auth/signin/email", &sign_in_body("a@example.com")),
        ))
        .await;
    assert_eq!(first.status(), StatusCode::UNAUTHORIZED);
    let second = auth
        .handler(from(
            "203.0.113.5",
            post("/api/auth/signin/email", &sign_in_body("b@example.com")),
        ))
        .await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.headers()["retry-after"], "60");
    // A rate-limited attempt writes nothing and hashes nothing.
    assert_eq!(auth.adapter().session_count(), 0);
    Ok(())
}

#[tokio::test]
async fn the_memory_store_counts_atomically() {
    let store = Arc::new(MemoryRateLimitStore::new());
    let hits = join_all((0..64).map(|_| {
        let store = Arc::clone(&store);
        async move {
            store
                .hit("key", 10, 1_000)
                .await
                .map(|hit| hit.count)
                .unwrap_or(0)
        }
    }))
    .await;
    let mut counts = hits;
    counts.sort_unstable();
    assert_eq!(counts, (1..=64).collect::<Vec<_>>());
}

/// A hit on a fresh key (an attacker's next made-up email) costs about the
/// same with 200 000 live windows as with 1 000: the memory store never
/// scans every key. Relative, not absolute, so a slow machine passes too.
#[tokio::test]
async fn a_hit_costs_the_same_with_many_live_keys() -> TestResult {
    const HITS: u32 = 500;
    async fn fastest_batch(live: usize) -> Result<Duration, nanoauth::AdapterError> {
        let store = MemoryRateLimitStore::new();
        for i in 0..live {
            store.hit(&format!("live:{i}"), 600, 1_000).await?;
        }
        let mut fastest = Duration::MAX;
        for batch in 0..5 {
            let started = Instant::now();
            for i in 0..HITS {
                store.hit(&format!("new:{batch}:{i}"), 600, 1_001).await?;
            }
            fastest = fastest.min(started.elapsed());
        }
        Ok(fastest / HITS)
    }
    let few = fastest_batch(1_000).await?;
    let many = fastest_batch(200_000).await?;
    assert!(
        many.as_secs_f64() < 5.0 * few.as_secs_f64(),
        "a hit with 200k live keys took {many:?}, with 1k {few:?}"
    );
    Ok(())
}
