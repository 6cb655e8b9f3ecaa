//! The whole HTTP surface, through `Auth::handler` only: no server, no
//! framework.

mod common;

use common::*;
use http::StatusCode;

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn sign_up_sign_in_and_read_the_session() -> TestResult {
    let auth = auth();
    let response = sign_up(&auth, "Ada@Example.com ", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(&response);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["role"], "member");
    assert!(
        body["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    let set_cookie = response.headers()["set-cookie"].to_str()?;
    assert!(set_cookie.starts_with("nanoauth.session_token="));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} missing in {set_cookie}"
        );
    }
    assert!(!set_cookie.contains("Secure"), "http base URL: no Secure");
    assert_eq!(response.headers()["cache-control"], "no-store");

    let response = sign_in(&auth, "ADA@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::OK);
    let token = json(&response)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    // With the cookie.
    let session = session_with_cookie(&auth, &cookie(&response)).await;
    assert_eq!(session.status(), StatusCode::OK);
    let body = json(&session);
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert_eq!(body["user"]["name"], "Test");
    assert!(body["session"]["id"].is_string());
    assert!(body["session"].get("tokenHash").is_none());

    // With a bearer token.
    let bearer = with_header(
        get("/api/auth/session"),
        "authorization",
        &format!("Bearer {token}"),
    );
    let session = auth.handler(bearer).await;
    assert_eq!(json(&session)["user"]["email"], "ada@example.com");

    // Another Authorization scheme does not hide the cookie.
    let basic = with_header(
        with_header(
            get("/api/auth/session"),
            "authorization",
            "Basic dXNlcjpwYXNz",
        ),
        "cookie",
        &cookie(&response),
    );
    assert_eq!(
        json(&auth.handler(basic).await)["user"]["email"],
        "ada@example.com"
    );

    // And through get_session, as an extractor would.
    let page = with_header(get("/dashboard"), "cookie", &cookie(&response));
    let found = auth.get_session(&page).await?;
    assert_eq!(found.map(|s| s.user.role), Some("member".to_owned()));
    Ok(())
}

#[tokio::test]
async fn no_session_is_null() -> TestResult {
    let auth = auth();
    let response = auth.handler(get("/api/auth/session")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.body().as_ref(), b"null");
    let garbage = session_with_cookie(&auth, "nanoauth.session_token=garbage").await;
    assert_eq!(garbage.body().as_ref(), b"null");
    Ok(())
}

#[tokio::test]
async fn sign_out_revokes_the_token() -> TestResult {
    let auth = auth();
    let response = sign_up(&auth, "bob@example.com", PASSWORD).await;
    let cookie = cookie(&response);
    let token = json(&response)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let sign_out = with_header(post("/api/auth/signout", ""), "cookie", &cookie);
    let response = auth.handler(sign_out).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["success"], true);
    let cleared = response.headers()["set-cookie"].to_str()?;
    assert!(cleared.starts_with("nanoauth.session_token=;") && cleared.contains("Max-Age=0"));

    // The old cookie and the old bearer token are both dead.
    assert_eq!(
        session_with_cookie(&auth, &cookie).await.body().as_ref(),
        b"null"
    );
    let bearer = with_header(
        get("/api/auth/session"),
        "authorization",
        &format!("Bearer {token}"),
    );
    assert_eq!(auth.handler(bearer).await.body().as_ref(), b"null");
    assert_eq!(auth.adapter().session_count(), 0);
    Ok(())
}

#[tokio::test]
async fn each_sign_in_is_a_new_session() -> TestResult {
    let auth = auth();
    let first = sign_up(&auth, "fix@example.com", PASSWORD).await;
    // Sign in while presenting the old cookie: a fresh token comes back.
    let again = auth
        .handler(with_header(
            post(
                "/api/auth/signin/email",
                &format!(r#"{{"email":"fix@example.com","password":"{PASSWORD}"}}"#),
            ),
            "cookie",
            &cookie(&first),
        ))
        .await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_ne!(cookie(&first), cookie(&again));
    assert_eq!(auth.adapter().session_count(), 2);
    Ok(())
}

#[tokio::test]
async fn list_and_revoke_sessions() -> TestResult {
    let auth = auth();
    let laptop = cookie(&sign_up(&auth, "eve@example.com", PASSWORD).await);
    let phone = cookie(&sign_in(&auth, "eve@example.com", PASSWORD).await);
    let tablet = cookie(&sign_in(&auth, "eve@example.com", PASSWORD).await);
    let other_user = cookie(&sign_up(&auth, "mallory@example.com", PASSWORD).await);

    let list = auth
        .handler(with_header(get("/api/auth/sessions"), "cookie", &laptop))
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    let sessions = json(&list);
    let sessions = sessions.as_array().cloned().unwrap_or_default();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);

    // Revoke the phone's session by id, from the laptop.
    let phone_session = json(&session_with_cookie(&auth, &phone).await);
    let phone_id = phone_session["session"]["id"].as_str().unwrap_or_default();
    let revoke = with_header(
        post(
            "/api/auth/sessions/revoke",
            &format!(r#"{{"id":"{phone_id}"}}"#),
        ),
        "cookie",
        &laptop,
    );
    let response = auth.handler(revoke).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers().get("set-cookie").is_none(),
        "laptop stays signed in"
    );
    assert_eq!(
        session_with_cookie(&auth, &phone).await.body().as_ref(),
        b"null"
    );

    // Someone else's session id is not found, and stays alive.
    let mallory_id = json(&session_with_cookie(&auth, &other_user).await)["session"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let revoke = with_header(
        post(
            "/api/auth/sessions/revoke",
            &format!(r#"{{"id":"{mallory_id}"}}"#),
        ),
        "cookie",
        &laptop,
    );
    let response = auth.handler(revoke).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_code(&response), "SESSION_NOT_FOUND");
    assert_ne!(
        session_with_cookie(&auth, &other_user)
            .await
            .body()
            .as_ref(),
        b"null"
    );

    // Revoke all others: the tablet goes, the laptop stays.
    let response = auth
        .handler(with_header(
            post("/api/auth/sessions/revoke-others", ""),
            "cookie",
            &laptop,
        ))
        .await;
    assert_eq!(json(&response)["revoked"], 1);
    assert_eq!(
        session_with_cookie(&auth, &tablet).await.body().as_ref(),
        b"null"
    );
    assert_ne!(
        session_with_cookie(&auth, &laptop).await.body().as_ref(),
        b"null"
    );
    assert_ne!(
        session_with_cookie(&auth, &other_user)
            .await
            .body()
            .as_ref(),
        b"null"
    );
    Ok(())
}

#[tokio::test]
async fn session_endpoints_need_a_session() -> TestResult {
    let auth = auth();
    for request in [
        get("/api/auth/sessions"),
        post("/api/auth/sessions/revoke-others", ""),
        post("/api/auth/sessions/revoke", r#"{"id":"x"}"#),
    ] {
        let response = auth.handler(request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(&response), "UNAUTHORIZED");
    }
    Ok(())
}

#[tokio::test]
async fn duplicate_sign_up_is_a_conflict() -> TestResult {
    let auth = auth();
    assert_eq!(
        sign_up(&auth, "dup@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    let again = sign_up(&auth, " DUP@example.com", "another password").await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(&again), "USER_ALREADY_EXISTS");
    assert!(again.headers().get("set-cookie").is_none());
    assert_eq!(auth.adapter().user_count(), 1);
    // The original password still works; the second one never took.
    assert_eq!(
        sign_in(&auth, "dup@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        sign_in(&auth, "dup@example.com", "another password")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    Ok(())
}

#[tokio::test]
async fn composed_and_decomposed_spellings_of_an_address_are_one_account() -> TestResult {
    let auth = auth();
    let composed = "jos\u{e9}@example.com";
    let decomposed = "jose\u{301}@example.com";
    assert_eq!(
        sign_up(&auth, composed, PASSWORD).await.status(),
        StatusCode::OK
    );
    let signed_in = sign_in(&auth, decomposed, PASSWORD).await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    assert_eq!(json(&signed_in)["user"]["email"], composed);
    let again = sign_up(&auth, decomposed, "another password").await;
    assert_eq!(error_code(&again), "USER_ALREADY_EXISTS");
    assert_eq!(auth.adapter().user_count(), 1);
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_email_answer_alike() -> TestResult {
    let auth = auth();
    sign_up(&auth, "known@example.com", PASSWORD).await;
    let wrong = sign_in(&auth, "known@example.com", "wrong password!").await;
    let unknown = sign_in(&auth, "unknown@example.com", "wrong password!").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status(), unknown.status());
    assert_eq!(wrong.body(), unknown.body());
    assert_eq!(error_code(&wrong), "INVALID_CREDENTIALS");
    Ok(())
}

#[tokio::test]
async fn password_length_is_checked_before_hashing() -> TestResult {
    let auth = auth();
    let short = sign_up(&auth, "a@example.com", "short").await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&short), "PASSWORD_TOO_SHORT");
    let long = sign_up(&auth, "a@example.com", &"x".repeat(129)).await;
    assert_eq!(error_code(&long), "PASSWORD_TOO_LONG");
    let long_sign_in = sign_in(&auth, "a@example.com", &"x".repeat(10_000)).await;
    assert_eq!(error_code(&long_sign_in), "PASSWORD_TOO_LONG");
    // Characters, not bytes: 8 four-byte emoji are a valid password.
    let emoji = sign_up(&auth, "b@example.com", &"🔑".repeat(8)).await;
    assert_eq!(emoji.status(), StatusCode::OK);
    // Any Unicode, no composition rules; NFC and NFD spellings are one password.
    sign_up(&auth, "c@example.com", "pass phrase caf\u{e9}").await;
    let nfd = sign_in(&auth, "c@example.com", "pass phrase cafe\u{301}").await;
    assert_eq!(nfd.status(), StatusCode::OK);
    assert_eq!(auth.adapter().user_count(), 2);
    Ok(())
}

#[tokio::test]
async fn password_length_counts_the_normalised_password() -> TestResult {
    let auth = auth();
    // `e` + combining acute is two characters typed but one hashed (`é`):
    // four of them are a 4-character password, under the minimum of 8.
    let short = sign_up(&auth, "a@example.com", &"e\u{301}".repeat(4)).await;
    assert_eq!(error_code(&short), "PASSWORD_TOO_SHORT");
    // And 100 of them are 100 characters, within the maximum of 128.
    let long = sign_up(&auth, "b@example.com", &"e\u{301}".repeat(100)).await;
    assert_eq!(long.status(), StatusCode::OK);
    let again = sign_in(&auth, "b@example.com", &"\u{e9}".repeat(100)).await;
    assert_eq!(again.status(), StatusCode::OK);
    // A compatibility ligature counts as what it stands for: `ﬃ` is `ffi`.
    let ligatures = sign_up(&auth, "c@example.com", &"\u{fb03}".repeat(3)).await;
    assert_eq!(ligatures.status(), StatusCode::OK);
    // The maximum holds for the normalised form at sign-in too.
    let expanded = sign_in(&auth, "c@example.com", &"\u{fb03}".repeat(43)).await;
    assert_eq!(error_code(&expanded), "PASSWORD_TOO_LONG");
    assert_eq!(auth.adapter().user_count(), 2);
    Ok(())
}

#[tokio::test]
async fn privileged_fields_in_the_body_are_ignored() -> TestResult {
    let auth = auth();
    let body = r#"{"email":"sneaky@example.com","password":"correct horse battery","name":"S","role":"admin","id":"chosen-id"}"#;
    let response = auth.handler(post("/api/auth/signup/email", body)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let user = &json(&response)["user"];
    assert_eq!(user["role"], "member");
    assert_ne!(user["id"], "chosen-id");
    Ok(())
}

#[tokio::test]
async fn malformed_requests_get_json_errors() -> TestResult {
    let auth = auth();
    let cases: Vec<(&str, http::Request<String>, StatusCode, &str)> = vec![
        (
            "malformed JSON",
            post("/api/auth/signin/email", r#"{"email":"#),
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
        ),
        (
            "not an object",
            post("/api/auth/signin/email", "[1,2]"),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "empty body",
            post("/api/auth/signin/email", ""),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "missing password",
            post("/api/auth/signin/email", r#"{"email":"a@b.c"}"#),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "missing name at sign-up",
            post(
                "/api/auth/signup/email",
                r#"{"email":"a@b.c","password":"12345678"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "number for a string",
            post("/api/auth/signin/email", r#"{"email":1,"password":"x"}"#),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "duplicate key",
            post(
                "/api/auth/signin/email",
                r#"{"email":"a@b.c","email":"x@y.z","password":"x"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "duplicate key at sign-up",
            post(
                "/api/auth/signup/email",
                r#"{"email":"a@b.c","password":"12345678","password":"87654321","name":"n"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "NUL in a field",
            post(
                "/api/auth/signin/email",
                r#"{"email":"a\u0000@b.c","password":"x"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "deep nesting",
            post(
                "/api/auth/signin/email",
                &format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000)),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        // serde skips unknown fields without recursing: "missing field".
        (
            "deep nesting within the limit",
            post(
                "/api/auth/signin/email",
                &format!("{{\"a\":{}{}}}", "[".repeat(20_000), "]".repeat(20_000)),
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_BODY",
        ),
        (
            "unclosed deep nesting",
            post(
                "/api/auth/signin/email",
                &format!("{{\"a\":{}", "[".repeat(20_000)),
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_JSON",
        ),
        (
            "invalid email",
            post(
                "/api/auth/signup/email",
                r#"{"email":"not-an-email","password":"12345678","name":"n"}"#,
            ),
            StatusCode::BAD_REQUEST,
            "INVALID_EMAIL",
        ),
        (
            "text/plain body",
            with_content_type(
                post(
                    "/api/auth/signin/email",
                    r#"{"email":"a@b.c","password":"x"}"#,
                ),
                "text/plain",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "form body",
            with_content_type(
                post("/api/auth/signin/email", "email=a&password=b"),
                "application/x-www-form-urlencoded",
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            "oversized body",
            post(
                "/api/auth/signup/email",
                &format!(
                    r#"{{"email":"a@b.c","password":"{}"}}"#,
                    "x".repeat(200 * 1024)
                ),
            ),
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "unknown path",
            get("/api/auth/nothing-here"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "outside the base path",
            get("/api/authx/session"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "dot segments",
            get("/api/auth/../auth/session"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "double slash",
            get("/api/auth//session"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "encoded NUL in the path",
            get("/api/auth/session%00"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "encoded slash in the path",
            get("/api/auth/signin%2Femail"),
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
        ),
        (
            "10 MB body",
            post("/api/auth/signin/email", &"x".repeat(10 * 1024 * 1024)),
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            "wrong method",
            get("/api/auth/signin/email"),
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
        ),
    ];
    for (name, request, status, code) in cases {
        let response = auth.handler(request).await;
        assert_eq!(response.status(), status, "{name}");
        assert_eq!(error_code(&response), code, "{name}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{name}"
        );
        let message = json(&response)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!message.is_empty(), "{name}: a readable message");
    }
    // Nothing of all that was written.
    assert_eq!(auth.adapter().user_count(), 0);
    assert_eq!(auth.adapter().session_count(), 0);
    Ok(())
}

fn with_content_type(
    mut request: http::Request<String>,
    value: &'static str,
) -> http::Request<String> {
    request
        .headers_mut()
        .insert("content-type", http::HeaderValue::from_static(value));
    request
}

#[tokio::test]
async fn non_utf8_bodies_are_invalid_json() -> TestResult {
    let auth = auth();
    let body = http_body_util::Full::new(bytes::Bytes::from_static(
        b"{\"email\":\"a\xff@b.c\",\"password\":\"12345678\"}",
    ));
    let request = http::Request::post("/api/auth/signin/email")
        .header("content-type", "application/json")
        .body(body)?;
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&response), "INVALID_JSON");
    Ok(())
}

#[tokio::test]
async fn oversized_body_without_content_length_is_refused_while_reading() -> TestResult {
    use http_body_util::StreamBody;
    let auth = auth();
    // A streamed body with no Content-Length, 1 MiB in 64 KiB frames.
    let frames = (0..16).map(|_| {
        Ok::<_, std::io::Error>(http_body::Frame::data(bytes::Bytes::from(vec![
            b' ';
            64 * 1024
        ])))
    });
    let body = StreamBody::new(futures_util_stream(frames));
    let request = http::Request::post("/api/auth/signin/email")
        .header("content-type", "application/json")
        .body(body)?;
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    Ok(())
}

/// A `Stream` over an iterator, without pulling in a stream crate.
fn futures_util_stream<I: Iterator + Unpin>(iter: I) -> IterStream<I> {
    IterStream(iter)
}

struct IterStream<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for IterStream<I> {
    type Item = I::Item;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn foreign_origins_cannot_change_state() -> TestResult {
    let auth = auth();
    let cookie = cookie(&sign_up(&auth, "victim@example.com", PASSWORD).await);
    let sessions_before = auth.adapter().session_count();

    let from = |origin: &str| {
        with_header(
            with_header(
                http::Request::post("/api/auth/signout")
                    .body(String::new())
                    .unwrap_or_else(|_| unreachable!()),
                "cookie",
                &cookie,
            ),
            "origin",
            origin,
        )
    };
    for origin in [
        "https://evil.example",
        "null",
        "http://localhost:3001",
        "http://localhost:3000.evil.example",
    ] {
        let response = auth.handler(from(origin)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(error_code(&response), "INVALID_ORIGIN");
    }
    // Cookies and no Origin or Referer at all: refused too.
    let bare = with_header(
        http::Request::post("/api/auth/signout").body(String::new())?,
        "cookie",
        &cookie,
    );
    assert_eq!(auth.handler(bare).await.status(), StatusCode::FORBIDDEN);
    // A cross-site sign-in (login CSRF) is refused even without cookies.
    let login_csrf = with_header(
        with_header(
            http::Request::post("/api/auth/signin/email")
                .header("content-type", "application/json")
                .body(format!(
                    r#"{{"email":"victim@example.com","password":"{PASSWORD}"}}"#
                ))?,
            "origin",
            "https://evil.example",
        ),
        "x-ignored",
        "1",
    );
    assert_eq!(
        auth.handler(login_csrf).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(auth.adapter().session_count(), sessions_before);

    // The trusted origin may.
    assert_eq!(auth.handler(from(ORIGIN)).await.status(), StatusCode::OK);
    Ok(())
}

#[tokio::test]
async fn extra_trusted_origins_are_honoured() -> TestResult {
    let auth: TestAuth = nanoauth::Auth::builder(nanoauth::adapter::memory::MemoryAdapter::new())
        .secret(SECRET)
        .base_url("https://api.example.com")
        .trusted_origin("https://app.example.com")
        .plugin(fast_plugin())
        .build()?;
    let request = with_header(
        post(
            "/api/auth/signup/email",
            r#"{"email":"x@example.com","password":"12345678","name":"x"}"#,
        ),
        "origin",
        "https://app.example.com",
    );
    // `post` already set the localhost origin; replace it.
    let mut request = request;
    request.headers_mut().insert(
        "origin",
        http::HeaderValue::from_static("https://app.example.com"),
    );
    let response = auth.handler(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    // https: Secure and the __Host- prefix.
    let set_cookie = response.headers()["set-cookie"].to_str()?;
    assert!(set_cookie.starts_with("__Host-nanoauth.session_token="));
    assert!(set_cookie.contains("; Secure"));
    Ok(())
}

#[tokio::test]
async fn sessions_slide_and_expire() -> TestResult {
    let clock = TestClock::at(1_700_000_000);
    let auth = auth_with_clock(clock.clone());
    let cookie = cookie(&sign_up(&auth, "time@example.com", PASSWORD).await);

    // Within a day: no refresh, no new cookie.
    clock.advance(3600);
    let response = session_with_cookie(&auth, &cookie).await;
    assert_ne!(response.body().as_ref(), b"null");
    assert!(response.headers().get("set-cookie").is_none());

    // After a day: the expiry slides and a new cookie is sent.
    clock.advance(24 * 3600);
    let response = session_with_cookie(&auth, &cookie).await;
    let refreshed = self::cookie(&response);
    assert!(!refreshed.is_empty(), "a refreshed cookie");
    assert_eq!(
        json(&response)["session"]["expiresAt"],
        1_700_000_000 + 25 * 3600 + 7 * 24 * 3600
    );

    // Eight days later still (past the original expiry): the new cookie works.
    clock.advance(6 * 24 * 3600 + 3600);
    assert_ne!(
        session_with_cookie(&auth, &refreshed).await.body().as_ref(),
        b"null"
    );

    // Untouched for longer than the lifetime: gone.
    clock.advance(8 * 24 * 3600);
    assert_eq!(
        session_with_cookie(&auth, &refreshed).await.body().as_ref(),
        b"null"
    );
    Ok(())
}

#[tokio::test]
async fn rotated_secrets_keep_old_sessions_valid() -> TestResult {
    use std::sync::Arc;
    let store = Arc::new(nanoauth::adapter::memory::MemoryAdapter::<Member>::new());
    let build = |secrets: &[&str]| {
        let mut builder = nanoauth::Auth::builder(Arc::clone(&store))
            .base_url(ORIGIN)
            .plugin(fast_plugin());
        for secret in secrets {
            builder = builder.secret(secret);
        }
        builder.build()
    };
    let new_secret = "the brand new secret, also thirty-two bytes or more";

    let before = build(&[SECRET])?;
    let response = before
        .handler(post(
            "/api/auth/signup/email",
            r#"{"email":"rot@example.com","password":"correct horse battery","name":"R"}"#,
        ))
        .await;
    let old_cookie = cookie(&response);

    // New secret first, old one kept: old sessions still verify, new ones
    // are signed with the new key.
    let during = build(&[new_secret, SECRET])?;
    let page = with_header(get("/"), "cookie", &old_cookie);
    assert!(during.get_session(&page).await?.is_some());
    let response = during
        .handler(post(
            "/api/auth/signin/email",
            r#"{"email":"rot@example.com","password":"correct horse battery"}"#,
        ))
        .await;
    let new_cookie = cookie(&response);
    assert!(
        before
            .get_session(&with_header(get("/"), "cookie", &new_cookie))
            .await?
            .is_none()
    );

    // Old secret dropped: old tokens are refused, new ones work.
    let after = build(&[new_secret])?;
    assert!(after.get_session(&page).await?.is_none());
    assert!(
        after
            .get_session(&with_header(get("/"), "cookie", &new_cookie))
            .await?
            .is_some()
    );
    Ok(())
}

#[tokio::test]
async fn concurrent_users_never_see_each_other() -> TestResult {
    let auth = auth();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let auth = auth.clone();
        tasks.push(tokio::spawn(async move {
            let email = format!("user{i}@example.com");
            let response = sign_up(&auth, &email, PASSWORD).await;
            let cookie = cookie(&response);
            for _ in 0..5 {
                let session = json(&session_with_cookie(&auth, &cookie).await);
                if session["user"]["email"] != email.as_str() {
                    return Err(format!("{email} saw {}", session["user"]["email"]));
                }
                tokio::task::yield_now().await;
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    assert_eq!(auth.adapter().user_count(), 24);
    Ok(())
}

#[tokio::test]
async fn head_is_served_by_get_without_a_body() -> TestResult {
    let auth = auth();
    let response = auth
        .handler(http::Request::head("/api/auth/session").body(String::new())?)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.body().is_empty());
    Ok(())
}
