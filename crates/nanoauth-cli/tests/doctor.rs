//! `nanoauth doctor` against NanoAuth served in this process by axum on
//! 127.0.0.1 (never anything else): a deployment as shipped passes, one
//! with its rate limits off fails that check, and nothing listening is
//! exit code 3.

#![allow(clippy::expect_used, clippy::panic)]

mod support;

use std::net::SocketAddr;

use axum::Router;
use nanoauth::adapter::PasswordAdapter;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser};
use nanoauth_axum::AuthRouterExt;
use support::{Run, nanoauth_async};

/// Serves NanoAuth with one account (ada@example.com, "correct horse
/// battery") on a free loopback port; returns its base URL.
async fn serve(rate_limit: RateLimit) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("its address"));
    let adapter = MemoryAdapter::<BasicUser>::new();
    let user = BasicUser {
        id: "ada".into(),
        email: "ada@example.com".into(),
        name: "Ada".into(),
    };
    let hash = PasswordHasher::owasp()
        .hash("correct horse battery")
        .expect("hash");
    adapter
        .create_user_with_password(&user, &hash)
        .await
        .expect("the account");
    let auth = Auth::builder(adapter)
        .secret("a secret for the doctor's tests, 32+ bytes")
        .base_url(&base)
        .rate_limit(rate_limit)
        .plugin(EmailPassword::new())
        .build()
        .expect("auth");
    let app = Router::new().nanoauth(auth);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            // The peer address is what per-client rate limits count.
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    base
}

async fn doctor(base: &str, with_account: bool) -> Run {
    let mut args = vec![
        "doctor".to_owned(),
        "--base-url".to_owned(),
        base.to_owned(),
    ];
    if with_account {
        args.extend(["--email", "ada@example.com", "--password-stdin"].map(String::from));
    }
    nanoauth_async(args, "correct horse battery\n".into()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deployment_as_shipped_passes_every_check() {
    let base = serve(RateLimit::default()).await;
    let run = doctor(&base, true).await;
    assert_eq!(run.code, 0, "{run:?}");
    for line in [
        "✓ reachable",
        "– https: plain http on loopback",
        "✓ clock",
        "✓ origin check: a POST from a foreign origin is refused (403)",
        "✓ session cookie: nanoauth.session_token: HttpOnly, SameSite=lax",
        // Three sign-ins per 10 s: the cookie check's was the first.
        "✓ rate limit: sign-in attempt 3 was refused with 429",
    ] {
        assert!(run.stdout.contains(line), "{line}\n{}", run.stdout);
    }
    assert!(!run.stdout.contains('✗'), "{}", run.stdout);
    assert!(!run.stdout.contains("correct horse"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_off_is_a_failed_check_and_exit_code_1() {
    let base = serve(RateLimit::danger_disabled()).await;
    let run = doctor(&base, false).await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("✗ rate limit: 10 sign-in attempts in a row were all answered"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("– session cookie: give --email"),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("1 check(s) failed"), "{run:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_fails_the_cookie_check() {
    let base = serve(RateLimit::default()).await;
    let run = nanoauth_async(
        [
            "doctor",
            "--base-url",
            &base,
            "--email",
            "ada@example.com",
            "--password-stdin",
        ]
        .map(String::from)
        .to_vec(),
        "not her password\n".into(),
    )
    .await;
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("✗ session cookie: signing in as ada@example.com answered 401"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_listening_is_exit_code_3_and_a_bad_url_exit_code_2() {
    // Bind, then free, a port: nothing listens there now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("address").port()
    };
    let run = nanoauth_async(
        ["doctor", "--base-url", &format!("http://127.0.0.1:{port}")]
            .map(String::from)
            .to_vec(),
        String::new(),
    )
    .await;
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("cannot be reached"), "{run:?}");
    let run = nanoauth_async(
        ["doctor", "--base-url", "ftp://127.0.0.1"]
            .map(String::from)
            .to_vec(),
        String::new(),
    )
    .await;
    assert_eq!(run.code, 2, "{run:?}");
}
