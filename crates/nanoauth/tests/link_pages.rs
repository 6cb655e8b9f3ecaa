//! Single-use links survive mail scanners: `HEAD` never runs a handler that
//! consumes, and a link's `GET` answers a page that confirms it with a
//! `POST` (unless the plugin is set to `LinkConfirmation::Get`).

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use common::*;
use http::{Response, StatusCode};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::{EmailError, EmailSender, OutgoingEmail};
use nanoauth::plugins::LinkConfirmation;
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::plugins::magic_link::MagicLink;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{Auth, BoxFuture, Endpoint, EndpointRequest, Plugin, Reply, ThreadOffload};
use sha2::{Digest as _, Sha256};

/// Keeps the links it is asked to mail.
#[derive(Debug, Clone, Default)]
struct Links(Arc<Mutex<Vec<String>>>);

impl EmailSender for Links {
    fn send<'a>(&'a self, message: &'a OutgoingEmail) -> BoxFuture<'a, Result<(), EmailError>> {
        Box::pin(async move {
            let link = message
                .text
                .split_whitespace()
                .find(|word| word.starts_with("http"))
                .unwrap_or_default()
                .to_owned();
            self.0
                .lock()
                .map_err(|e| EmailError::new(e.to_string()))?
                .push(link);
            Ok(())
        })
    }
}

impl Links {
    fn last(&self) -> String {
        self.0
            .lock()
            .ok()
            .and_then(|links| links.last().cloned())
            .unwrap_or_default()
    }
}

const PASSWORD: &str = "correct horse battery";

/// Magic links and email verification, both confirmed as `confirmation`
/// says, with a second trusted origin for callbacks.
fn linking(confirmation: LinkConfirmation) -> (TestAuth, Links) {
    let links = Links::default();
    let auth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .trusted_origin("https://app.example")
        .clock(TestClock::at(1_700_000_000))
        .rate_limit(RateLimit::danger_disabled())
        .offload(ThreadOffload)
        .plugin(fast_plugin())
        .plugin(MagicLink::new(links.clone()).link_confirmation(confirmation))
        .plugin(EmailVerification::new(links.clone()).link_confirmation(confirmation))
        .build()
        .unwrap_or_else(|e| unreachable!("{e}"));
    (auth, links)
}

/// A magic link for `email` (signed up first), to `callback`.
async fn magic_link(auth: &TestAuth, links: &Links, email: &str, callback: &str) -> String {
    sign_up(auth, email, PASSWORD).await;
    let body = serde_json::json!({ "email": email, "callbackURL": callback }).to_string();
    let sent = auth
        .handler(post("/api/auth/signin/magic-link", &body))
        .await;
    assert_eq!(sent.status(), StatusCode::OK);
    links.last()
}

fn head(link: &str) -> http::Request<String> {
    http::Request::head(path_of(link))
        .body(String::new())
        .unwrap_or_else(|_| unreachable!())
}

fn header<'a>(response: &'a Response<Bytes>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn location(response: &Response<Bytes>) -> &str {
    header(response, "location")
}

/// The CSP source of an inline element's text, as a browser computes it.
fn hash_source(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The text between `<tag>` and `</tag>`.
fn inline<'a>(html: &'a str, tag: &str) -> &'a str {
    html.split(&format!("<{tag}>"))
        .nth(1)
        .and_then(|rest| rest.split(&format!("</{tag}>")).next())
        .unwrap_or_default()
}

#[tokio::test]
async fn head_never_uses_a_link_up() -> TestResult {
    for confirmation in [LinkConfirmation::Post, LinkConfirmation::Get] {
        let (auth, links) = linking(confirmation);

        let link = magic_link(&auth, &links, "head@example.com", "/account").await;
        for _ in 0..3 {
            let scanned = auth.handler(head(&link)).await;
            assert!(scanned.body().is_empty(), "{confirmation:?}");
            assert!(scanned.headers().get("set-cookie").is_none());
            let expected = match confirmation {
                // The page's GET is safe: HEAD answers what it would.
                LinkConfirmation::Post => StatusCode::OK,
                // The GET consumes: HEAD may not run it.
                LinkConfirmation::Get => StatusCode::METHOD_NOT_ALLOWED,
            };
            assert_eq!(scanned.status(), expected, "{confirmation:?}");
        }
        let followed = follow(&auth, &link).await;
        assert!(
            !cookie(&followed).is_empty(),
            "{confirmation:?}: the link still signs in after the HEADs"
        );
        assert_eq!(location(&followed), "/account");

        // The sign-up sent a verification link; scanned, it still verifies.
        let body = serde_json::json!({ "email": "head-verify@example.com" }).to_string();
        sign_up(&auth, "head-verify@example.com", PASSWORD).await;
        let sent = auth
            .handler(post("/api/auth/send-verification-email", &body))
            .await;
        assert_eq!(sent.status(), StatusCode::OK);
        let link = links.last();
        assert!(link.contains("/verify-email?token="), "{link}");
        auth.handler(head(&link)).await;
        auth.handler(head(&link)).await;
        let followed = follow(&auth, &link).await;
        assert_eq!(location(&followed), "/?verified=true", "{confirmation:?}");
    }
    Ok(())
}

/// A plugin whose `GET` counts its runs, declared safe or not.
#[derive(Debug)]
struct Counting {
    runs: Arc<AtomicUsize>,
    safe: bool,
}

impl Plugin<Member, MemoryAdapter<Member>> for Counting {
    fn name(&self) -> &'static str {
        "counting"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<Member, MemoryAdapter<Member>>> {
        let runs = self.runs.clone();
        let endpoint = Endpoint::get(
            "/count",
            move |_request: EndpointRequest<Member, MemoryAdapter<Member>>| {
                let runs = runs.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(Reply::success())
                }
            },
        );
        vec![if self.safe { endpoint.safe() } else { endpoint }]
    }
}

#[tokio::test]
async fn head_runs_only_get_handlers_declared_safe() -> TestResult {
    for safe in [false, true] {
        let runs = Arc::new(AtomicUsize::new(0));
        let auth = Auth::builder(MemoryAdapter::<Member>::new())
            .secret(SECRET)
            .base_url(ORIGIN)
            .plugin(Counting {
                runs: runs.clone(),
                safe,
            })
            .build()?;
        let response = auth.handler(head("/api/auth/count")).await;
        let (status, count) = if safe {
            (StatusCode::OK, 1)
        } else {
            (StatusCode::METHOD_NOT_ALLOWED, 0)
        };
        assert_eq!(response.status(), status, "safe: {safe}");
        assert_eq!(runs.load(Ordering::SeqCst), count, "safe: {safe}");
        assert!(response.body().is_empty());
        // GET runs it either way.
        auth.handler(get("/api/auth/count")).await;
        assert_eq!(runs.load(Ordering::SeqCst), count + 1);
    }
    Ok(())
}

#[tokio::test]
async fn a_links_get_answers_a_page_that_posts_it() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Post);
    let link = magic_link(&auth, &links, "page@example.com", "/account?tab=1").await;

    // Fetching the link twice (a scanner, then the person) uses nothing up.
    auth.handler(get(&path_of(&link))).await;
    let page = auth.handler(get(&path_of(&link))).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert!(page.headers().get("set-cookie").is_none());
    assert_eq!(header(&page, "cache-control"), "no-store");
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    assert_eq!(header(&page, "x-frame-options"), "DENY");

    // The policy allows exactly the page's own inline script and style.
    let html = std::str::from_utf8(page.body())?;
    let policy = header(&page, "content-security-policy");
    assert!(policy.starts_with("default-src 'none';"), "{policy}");
    let script = inline(html, "script");
    assert!(script.contains(".submit()"), "{html}");
    assert!(
        policy.contains(&format!("script-src {};", hash_source(script))),
        "{policy}"
    );
    assert!(
        policy.contains(&format!(
            "style-src {};",
            hash_source(inline(html, "style"))
        )),
        "{policy}"
    );
    for directive in [
        "form-action 'self';",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!html.contains("src="), "no external assets: {html}");
    assert!(html.contains("<button type=\"submit\">Sign in</button>"));

    // The form posts the link's token and callback back to the endpoint.
    let form = PageForm::of(&page).ok_or("a posting form")?;
    assert_eq!(form.action, "/api/auth/magic/verify");
    let token = link
        .split("token=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_default();
    assert_eq!(
        form.fields,
        [
            ("token".to_owned(), token.to_owned()),
            ("callbackURL".to_owned(), "/account?tab=1".to_owned())
        ]
    );

    // Posted as Chromium posts it from a `no-referrer` page: signed in.
    let signed_in = auth.handler(form.post()).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&signed_in), "/account?tab=1");
    let session = json(&session_with_cookie(&auth, &cookie(&signed_in)).await);
    assert_eq!(session["user"]["email"], "page@example.com");

    // Once: the second post goes back with the code, and no cookie.
    let again = auth.handler(form.post()).await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&again), "/account?tab=1&error=INVALID_TOKEN");
    assert!(again.headers().get("set-cookie").is_none());
    Ok(())
}

#[tokio::test]
async fn a_callback_on_another_trusted_origin_is_allowed_as_the_forms_target() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Post);
    let link = magic_link(&auth, &links, "away@example.com", "https://app.example/in").await;
    let page = auth.handler(get(&path_of(&link))).await;
    let policy = header(&page, "content-security-policy");
    assert!(
        policy.contains("form-action 'self' https://app.example;"),
        "the redirect after the POST is a form target too: {policy}"
    );
    let form = PageForm::of(&page).ok_or("a posting form")?;
    let followed = auth.handler(form.post()).await;
    assert_eq!(location(&followed), "https://app.example/in");
    Ok(())
}

#[tokio::test]
async fn a_link_post_needs_this_origin() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Post);
    let link = magic_link(&auth, &links, "csrf@example.com", "/account").await;
    let page = auth.handler(get(&path_of(&link))).await;
    let form = PageForm::of(&page).ok_or("a posting form")?;

    // Login CSRF: another site posting someone's link to sign its visitor in.
    for (origin, site) in [
        ("https://evil.example", "cross-site"),
        ("null", "cross-site"),
        ("null", "same-site"),
    ] {
        let response = auth.handler(form.post_from(origin, site)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin} {site}");
        assert_eq!(error_code(&response), "INVALID_ORIGIN");
    }
    // `null` without the browser's word for it (an older browser) is refused.
    let mut unattested = form.post();
    unattested.headers_mut().remove("sec-fetch-site");
    assert_eq!(
        error_code(&auth.handler(unattested).await),
        "INVALID_ORIGIN"
    );
    // The script's post from a page with a real origin works as well.
    let followed = auth.handler(form.post_from(ORIGIN, "same-origin")).await;
    assert!(!cookie(&followed).is_empty(), "nothing above used it up");
    Ok(())
}

#[tokio::test]
async fn only_link_endpoints_take_form_bodies() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Post);
    let link = magic_link(&auth, &links, "forms@example.com", "/").await;
    let form = PageForm::of(&auth.handler(get(&path_of(&link))).await).ok_or("a form")?;

    // Sign-in is JSON only.
    let sign_in = http::Request::post("/api/auth/signin/email")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", ORIGIN)
        .body(format!("email=forms%40example.com&password={PASSWORD}"))?;
    let response = auth.handler(sign_in).await;
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    // Neither a repeated field nor another content type passes.
    let mut twice = form.post();
    *twice.body_mut() = format!("{}&token=other", form.body());
    assert_eq!(error_code(&auth.handler(twice).await), "INVALID_BODY");
    let mut text = form.post();
    text.headers_mut()
        .insert("content-type", http::HeaderValue::from_static("text/plain"));
    assert_eq!(
        auth.handler(text).await.status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    // JSON works for code that posts the link itself.
    let body = serde_json::json!({
        "token": form.fields[0].1, "callbackURL": "/done"
    });
    let followed = auth
        .handler(post("/api/auth/magic/verify", &body.to_string()))
        .await;
    assert_eq!(followed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&followed), "/done");
    assert!(!cookie(&followed).is_empty());
    Ok(())
}

#[tokio::test]
async fn email_verification_posts_redirect_or_answer_json() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Post);
    sign_up(&auth, "verify@example.com", PASSWORD).await;
    let link = links.last();
    let page = auth.handler(get(&path_of(&link))).await;
    assert!(header(&page, "content-type").starts_with("text/html"));
    assert_eq!(header(&page, "referrer-policy"), "no-referrer");
    let form = PageForm::of(&page).ok_or("a posting form")?;
    assert_eq!(form.action, "/api/auth/verify-email");
    let verified = auth.handler(form.post()).await;
    assert_eq!(verified.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&verified), "/?verified=true");
    let again = auth.handler(form.post()).await;
    assert_eq!(location(&again), "/?error=INVALID_TOKEN");

    // Without a callback (an API call): JSON, success or error.
    let resend = serde_json::json!({ "email": "api@example.com" }).to_string();
    sign_up(&auth, "api@example.com", PASSWORD).await;
    auth.handler(post("/api/auth/send-verification-email", &resend))
        .await;
    let token = PageForm::of(&auth.handler(get(&path_of(&links.last()))).await)
        .ok_or("a posting form")?
        .fields[0]
        .1
        .clone();
    let body = serde_json::json!({ "token": token }).to_string();
    let verified = auth.handler(post("/api/auth/verify-email", &body)).await;
    assert_eq!(verified.status(), StatusCode::OK);
    assert_eq!(json(&verified), serde_json::json!({ "success": true }));
    let again = auth.handler(post("/api/auth/verify-email", &body)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&again), "INVALID_TOKEN");

    // A page for a link without a callback posts none.
    let bare = path_of(&links.last());
    let bare = bare.split("&callbackURL").next().unwrap_or_default();
    let form = PageForm::of(&auth.handler(get(bare)).await).ok_or("a posting form")?;
    assert_eq!(form.fields.len(), 1, "{form:?}");
    assert_eq!(form.fields[0].0, "token");
    Ok(())
}

#[tokio::test]
async fn plain_get_mode_uses_the_link_on_get() -> TestResult {
    let (auth, links) = linking(LinkConfirmation::Get);
    let link = magic_link(&auth, &links, "api@example.com", "/account").await;
    let followed = auth.handler(get(&path_of(&link))).await;
    assert_eq!(followed.status(), StatusCode::FOUND);
    assert_eq!(location(&followed), "/account");
    assert!(!cookie(&followed).is_empty());
    let again = auth.handler(get(&path_of(&link))).await;
    assert_eq!(location(&again), "/account?error=INVALID_TOKEN");

    // Email verification: a redirect with a callback, JSON without.
    sign_up(&auth, "get-verify@example.com", PASSWORD).await;
    let link = path_of(&links.last());
    let token_only = link.split("&callbackURL").next().unwrap_or_default();
    let verified = auth.handler(get(token_only)).await;
    assert_eq!(json(&verified), serde_json::json!({ "success": true }));
    Ok(())
}
