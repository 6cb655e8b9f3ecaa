//! The `tracing` feature: what a whole session's life writes to the logs.
//!
//! A JSON subscriber at TRACE level, with every span's opening and closing,
//! captures all the output of sign-up, sign-in, the session read (cookie
//! and bearer), sign-out, a wrong password, a magic link whose mail server
//! refuses it, and the sign-in that hits the rate limit. The test first
//! finds the spans and events it expects in that output, then searches the
//! raw text for every secret and personal datum the flow handled: none of
//! them may be there.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use common::*;
use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, OutgoingEmail, send_with};
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{Auth, ClientAddr};
use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

const EMAIL: &str = "ada.lovelace@example.com";
const PASSWORD: &str = "correct horse battery staple";
const WRONG_PASSWORD: &str = "incorrect donkey battery";
const CLIENT_IP: &str = "203.0.113.77";

/// Everything the subscriber writes, shared with the test.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// One JSON object per line, as the JSON formatter writes them.
    fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or(Value::Null))
            .collect()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn from_client(mut request: http::Request<String>) -> http::Request<String> {
    let peer: SocketAddr = format!("{CLIENT_IP}:50000")
        .parse()
        .unwrap_or_else(|_| unreachable!());
    request.extensions_mut().insert(ClientAddr(peer));
    request
}

fn credentials(password: &str) -> String {
    serde_json::json!({ "email": EMAIL, "password": password }).to_string()
}

/// The events (not span openings or closings) whose message is `message`.
fn events<'a>(lines: &'a [Value], message: &str) -> Vec<&'a Value> {
    lines
        .iter()
        .filter(|line| line["fields"]["message"] == message)
        .collect()
}

/// The closed request spans, as `(route, status, error_code)`; the span's
/// fields are on its closing line.
fn answered_routes(lines: &[Value]) -> Vec<(String, u64, String)> {
    lines
        .iter()
        .filter(|line| line["fields"]["message"] == "close" && line["span"]["name"] == "request")
        .map(|line| {
            let span = &line["span"];
            (
                span["route"].as_str().unwrap_or_default().to_owned(),
                span["status"].as_u64().unwrap_or_default(),
                span["error_code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_session_s_life_is_traced_without_secrets() -> TestResult {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_current_span(true)
        .with_span_list(true)
        .with_writer(captured.clone())
        .finish();
    // Global: the mail is sent from a background task.
    tracing::subscriber::set_global_default(subscriber)?;

    // The mail server refuses, naming the recipient as servers do; the link
    // it was given is kept to look for its token in the logs.
    let mailed = Arc::new(Mutex::new(String::new()));
    let outbox = Arc::clone(&mailed);
    let sender = send_with(move |message: OutgoingEmail| {
        let outbox = Arc::clone(&outbox);
        async move {
            outbox
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push_str(&message.text);
            Err(EmailError::new(format!(
                "550 5.1.1 <{}>: mailbox unavailable",
                message.to
            )))
        }
    });
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .clock(TestClock::at(1_700_000_000))
        // The defaults: 3 sign-ins per client per 10 s.
        .rate_limit(RateLimit::default())
        .plugin(fast_plugin())
        .plugin(MagicLink::new(sender))
        .build()?;

    // Sign-up, sign-in, the session by cookie and by bearer token, sign-out.
    let signed_up = auth
        .handler(from_client(post(
            "/api/auth/signup/email",
            &serde_json::json!({ "email": EMAIL, "password": PASSWORD, "name": "Ada" }).to_string(),
        )))
        .await;
    assert_eq!(signed_up.status(), StatusCode::OK);
    let signed_in = auth
        .handler(from_client(post(
            "/api/auth/signin/email",
            &credentials(PASSWORD),
        )))
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let user_id = json(&signed_in)["user"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let token = json(&signed_in)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let session_cookie = cookie(&signed_in);
    let cookie_value = session_cookie
        .split_once('=')
        .map(|(_, value)| value.to_owned())
        .unwrap_or_default();
    let signed_up_token = json(&signed_up)["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!user_id.is_empty() && token.len() > 20 && cookie_value.len() > 20);
    assert!(signed_up_token.len() > 20);

    let by_cookie = auth
        .handler(with_header(
            get("/api/auth/session"),
            "cookie",
            &session_cookie,
        ))
        .await;
    assert_eq!(json(&by_cookie)["user"]["id"], user_id.as_str());
    let by_bearer = auth
        .handler(with_header(
            get("/api/auth/session"),
            "authorization",
            &format!("Bearer {token}"),
        ))
        .await;
    assert_eq!(json(&by_bearer)["user"]["id"], user_id.as_str());
    let signed_out = auth
        .handler(with_header(
            post("/api/auth/signout", ""),
            "cookie",
            &session_cookie,
        ))
        .await;
    assert_eq!(signed_out.status(), StatusCode::OK);

    // A wrong password (the second sign-in from this client).
    let refused = auth
        .handler(from_client(post(
            "/api/auth/signin/email",
            &credentials(WRONG_PASSWORD),
        )))
        .await;
    assert_eq!(error_code(&refused), "INVALID_CREDENTIALS");

    // A magic link whose mail is refused, in the background.
    let link = auth
        .handler(from_client(post(
            "/api/auth/signin/magic-link",
            &serde_json::json!({ "email": EMAIL }).to_string(),
        )))
        .await;
    assert_eq!(link.status(), StatusCode::OK);
    for _ in 0..500 {
        if captured.text().contains("mail not sent") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The third sign-in is let through, the fourth is over the limit.
    let third = auth
        .handler(from_client(post(
            "/api/auth/signin/email",
            &credentials(WRONG_PASSWORD),
        )))
        .await;
    assert_eq!(third.status(), StatusCode::UNAUTHORIZED);
    let limited = auth
        .handler(from_client(post(
            "/api/auth/signin/email",
            &credentials(PASSWORD),
        )))
        .await;
    assert_eq!(error_code(&limited), "RATE_LIMITED");

    let lines = captured.lines();
    let text = captured.text();
    assert!(
        lines.iter().all(Value::is_object),
        "every line is JSON:\n{text}"
    );

    // 1. What must be there. A span per request, by route pattern, with
    //    the status and the error code recorded when it was answered.
    let routes = answered_routes(&lines);
    for expected in [
        ("/signup/email", 200, ""),
        ("/signin/email", 200, ""),
        ("/session", 200, ""),
        ("/signout", 200, ""),
        ("/signin/email", 401, "INVALID_CREDENTIALS"),
        ("/signin/magic-link", 200, ""),
        ("/signin/email", 429, "RATE_LIMITED"),
    ] {
        let expected = (expected.0.to_owned(), expected.1, expected.2.to_owned());
        assert!(
            routes.contains(&expected),
            "no request span {expected:?} in {routes:?}"
        );
    }
    assert_eq!(
        routes
            .iter()
            .filter(|(route, ..)| route == "/session")
            .count(),
        2,
        "one span per request"
    );
    for span in lines
        .iter()
        .filter(|line| line["span"]["name"] == "request" && line["fields"]["message"] == "close")
    {
        assert!(
            span["span"]["method"] == "GET" || span["span"]["method"] == "POST",
            "the method is recorded: {span}"
        );
    }

    // The sign-ins (sign-up signs in too): the user and the method,
    // inside the request's span.
    let signed_in_events = events(&lines, "signed in");
    let routes_signed_in: Vec<_> = signed_in_events
        .iter()
        .map(|event| event["span"]["route"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(routes_signed_in, ["/signup/email", "/signin/email"]);
    let event = signed_in_events[1];
    assert_eq!(event["target"], "nanoauth::sign_in");
    assert_eq!(event["fields"]["user_id"], user_id.as_str());
    assert_eq!(event["fields"]["sign_in_method"], "email-password");

    // The failures: their reason codes, and no address.
    let failed: Vec<_> = events(&lines, "sign-in failed")
        .iter()
        .map(|event| {
            (
                event["fields"]["route"].as_str().unwrap_or_default(),
                event["fields"]["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("/signin/email", "INVALID_CREDENTIALS"),
            ("/signin/email", "INVALID_CREDENTIALS"),
            ("/signin/email", "RATE_LIMITED"),
        ]
    );

    // The rate limit: route and the key's kind, no client address.
    let limited_events = events(&lines, "rate limited");
    assert_eq!(limited_events.len(), 1, "{text}");
    let event = limited_events[0];
    assert_eq!(event["fields"]["route"], "/signin/email");
    assert_eq!(event["fields"]["key"], "client");
    assert!(event["fields"].get("client").is_none());
    assert_eq!(event["level"], "WARN");

    // The refused mail: the flow, and the address masked, in the event's
    // own field and in the server's error text alike.
    let unsent = events(&lines, "mail not sent");
    assert_eq!(unsent.len(), 1, "{text}");
    let event = unsent[0];
    assert_eq!(event["target"], "nanoauth::email");
    assert_eq!(event["fields"]["purpose"], "magic-link");
    assert_eq!(event["fields"]["to"], "a***@example.com");
    assert_eq!(
        event["fields"]["error"],
        "email not sent: 550 5.1.1 <a***@example.com>: mailbox unavailable"
    );

    // The other lifecycle events.
    assert_eq!(events(&lines, "signed up").len(), 1, "{text}");
    assert_eq!(
        events(&lines, "signed out")[0]["fields"]["user_id"],
        user_id.as_str()
    );

    // 2. What must not be there, anywhere in the output.
    let mail = mailed.lock().map(|m| m.clone()).unwrap_or_default();
    let link_token = mail
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| c == '&' || c.is_whitespace()).next())
        .unwrap_or_default()
        .to_owned();
    assert!(link_token.len() > 20, "the mail carried a link: {mail}");
    let secrets = [
        ("the password", PASSWORD),
        ("the wrong password", WRONG_PASSWORD),
        ("the session token", token.as_str()),
        ("the cookie's value", cookie_value.as_str()),
        ("the sign-up's session token", signed_up_token.as_str()),
        ("the magic link's token", link_token.as_str()),
        ("the auth secret", SECRET),
        ("the email address", EMAIL),
        ("the address's local part", "ada.lovelace"),
        ("the client's address", CLIENT_IP),
    ];
    for (what, secret) in secrets {
        assert!(
            !secret.is_empty() && !text.contains(secret),
            "{what} was logged:\n{text}"
        );
    }
    // No raw path either: the session routes were asked for under the
    // base path, and only the patterns were recorded.
    assert!(!text.contains("/api/auth/"), "a raw path was logged");
    Ok(())
}
