//! Hostile requests at the HTTP level: tampered session tokens in cookies
//! and bearer headers, forged Host headers, CR/LF injection, odd cookies.
//! Each gets a 4xx JSON answer (or "no session"), never a 500, never
//! reflected input, and nothing is written.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use http::StatusCode;

const PASSWORD: &str = "correct horse battery";

/// Variants of a real, valid token that must all be refused.
fn tampered(token: &str) -> Vec<(&'static str, String)> {
    let parts: Vec<&str> = token.split('.').collect();
    let (header, payload, signature) = (parts[0], parts[1], parts[2]);
    let decode = |s: &str| {
        String::from_utf8(URL_SAFE_NO_PAD.decode(s).unwrap_or_default()).unwrap_or_default()
    };
    let with_header =
        |json: &str| format!("{}.{payload}.{signature}", URL_SAFE_NO_PAD.encode(json));
    let header_json = decode(header);
    let payload_json = decode(payload);
    let mut flipped = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if let Some(first) = flipped.first_mut() {
        *first ^= 0x01;
    }
    vec![
        (
            "alg none",
            format!(
                "{}.{payload}.",
                URL_SAFE_NO_PAD.encode(header_json.replace("HS256", "none"))
            ),
        ),
        (
            "alg HS512",
            with_header(&header_json.replace("HS256", "HS512")),
        ),
        (
            "alg RS256",
            with_header(&header_json.replace("HS256", "RS256")),
        ),
        (
            "unknown kid",
            with_header(r#"{"alg":"HS256","typ":"JWT","kid":"nope"}"#),
        ),
        ("no kid", with_header(r#"{"alg":"HS256","typ":"JWT"}"#)),
        (
            "flipped signature",
            format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(&flipped)),
        ),
        ("empty signature", format!("{header}.{payload}.")),
        (
            "other subject",
            format!(
                "{header}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(payload_json.replace("\"sub\":\"", "\"sub\":\"x"))
            ),
        ),
        (
            "later expiry",
            format!(
                "{header}.{}.{signature}",
                URL_SAFE_NO_PAD.encode(payload_json.replace("\"exp\":1", "\"exp\":9"))
            ),
        ),
        ("two segments", format!("{header}.{payload}")),
        ("four segments", format!("{token}.{signature}")),
        ("padded", format!("{token}==")),
        ("standard base64", token.replace('-', "+").replace('_', "/")),
        ("huge", format!("{token}{}", "A".repeat(100_000))),
        ("empty", String::new()),
    ]
}

#[tokio::test]
async fn tampered_tokens_are_no_session_in_cookies_and_bearer() -> TestResult {
    let auth = auth();
    let response = sign_up(&auth, "victim@example.com", PASSWORD).await;
    let token = json(&response)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sessions_before = auth.adapter().session_count();
    // (A variant that happens to equal the token, like "standard base64"
    // for a token without '-' or '_', is no attack.)
    for (name, bad) in tampered(&token)
        .into_iter()
        .filter(|(_, bad)| *bad != token)
    {
        let cookie = session_with_cookie(&auth, &format!("nanoauth.session_token={bad}")).await;
        assert_eq!(cookie.status(), StatusCode::OK, "{name}");
        assert_eq!(cookie.body().as_ref(), b"null", "{name}: cookie");

        let bearer = with_header(
            get("/api/auth/sessions"),
            "authorization",
            &format!("Bearer {bad}"),
        );
        let response = auth.handler(bearer).await;
        assert_eq!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{name}: bearer"
        );
        assert_eq!(error_code(&response), "UNAUTHORIZED", "{name}");
    }
    // The genuine token still works, and nothing was written.
    let genuine = with_header(
        get("/api/auth/sessions"),
        "authorization",
        &format!("Bearer {token}"),
    );
    assert_eq!(auth.handler(genuine).await.status(), StatusCode::OK);
    assert_eq!(auth.adapter().session_count(), sessions_before);
    Ok(())
}

#[tokio::test]
async fn odd_cookie_headers_are_no_session() -> TestResult {
    let auth = auth();
    let real = cookie(&sign_up(&auth, "cookie@example.com", PASSWORD).await);
    let odd = [
        "nanoauth.session_token",
        "nanoauth.session_token=",
        ";;;;",
        "=",
        "nanoauth.session_token=\"\"",
        "a=b; nanoauth.session_token=garbage; c=d",
        &format!("{}; {}", "nanoauth.session_token=garbage", real),
        &"x=y; ".repeat(5_000),
    ];
    for value in odd {
        let response = session_with_cookie(&auth, value).await;
        assert_eq!(response.status(), StatusCode::OK, "{value:.40}");
        assert_eq!(response.body().as_ref(), b"null", "{value:.40}");
    }
    // The first of duplicate cookies counts, so a planted cookie before the
    // real one cannot be used to confuse which session is read.
    let twice =
        session_with_cookie(&auth, &format!("{real}; nanoauth.session_token=garbage")).await;
    assert_ne!(twice.body().as_ref(), b"null");
    Ok(())
}

#[tokio::test]
async fn forged_host_headers_are_never_reflected() -> TestResult {
    let auth = auth();
    let forged = |request: http::Request<String>| {
        with_header(
            with_header(
                with_header(request, "host", "evil.example"),
                "x-forwarded-host",
                "evil.example",
            ),
            "x-forwarded-proto",
            "gopher",
        )
    };
    let body = r#"{"email":"host@example.com","password":"correct horse battery","name":"H"}"#;
    let responses = [
        auth.handler(forged(post("/api/auth/signup/email", body)))
            .await,
        auth.handler(forged(post(
            "/api/auth/signin/email",
            r#"{"email":"host@example.com","password":"wrong"}"#,
        )))
        .await,
        auth.handler(forged(get("/api/auth/session"))).await,
        auth.handler(forged(get("/api/auth/nope"))).await,
    ];
    for response in &responses {
        assert!(response.status().as_u16() < 500);
        let everything = format!(
            "{:?} {}",
            response.headers(),
            String::from_utf8_lossy(response.body())
        );
        assert!(!everything.contains("evil"), "reflected: {everything}");
        assert!(!everything.contains("gopher"));
    }
    Ok(())
}

#[tokio::test]
async fn cr_lf_never_reaches_a_header() -> TestResult {
    let auth = auth();
    // JSON strings can carry CR/LF escaped; none may come out in a header.
    let injections = [
        r#"{"email":"a@b.c\r\nSet-Cookie: pwned=1","password":"correct horse battery","name":"x"}"#,
        r#"{"email":"inj@example.com","password":"correct horse battery","name":"x\r\nSet-Cookie: pwned=1"}"#,
    ];
    for body in injections {
        let response = auth.handler(post("/api/auth/signup/email", body)).await;
        assert!(response.status().as_u16() < 500);
        for (name, value) in response.headers() {
            let value = value.to_str().unwrap_or_default();
            assert!(!value.contains("pwned"), "{name}: {value}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn cross_site_navigation_without_origin_is_refused() -> TestResult {
    let auth = auth();
    let request = with_header(
        http::Request::post("/api/auth/signin/email")
            .header("content-type", "application/json")
            .body(r#"{"email":"x@example.com","password":"whatever1"}"#.to_owned())?,
        "sec-fetch-site",
        "cross-site",
    );
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&response), "INVALID_ORIGIN");
    Ok(())
}

#[tokio::test]
async fn state_never_changes_over_get() -> TestResult {
    let auth = auth();
    let cookie = cookie(&sign_up(&auth, "get@example.com", PASSWORD).await);
    for path in [
        "/api/auth/signout",
        "/api/auth/sessions/revoke-others",
        "/api/auth/signup/email",
        "/api/auth/signin/email",
    ] {
        let response = auth
            .handler(with_header(get(path), "cookie", &cookie))
            .await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
    }
    assert_ne!(
        session_with_cookie(&auth, &cookie).await.body().as_ref(),
        b"null"
    );
    Ok(())
}
