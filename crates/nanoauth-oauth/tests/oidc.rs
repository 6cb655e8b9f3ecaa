//! Social sign-in against a real OpenID Connect provider: `oidc-provider`
//! (the certified Node.js implementation) started on a loopback port, and a
//! cookie-keeping "browser" that follows every redirect between it and
//! `Auth::handler`.
//!
//! The server lives in `tests/oidc-server`; the tests run `npm ci` there on
//! first use (CI does it up front) and are skipped, saying so, without
//! Node.js.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::email::DangerConsoleSender;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::plugins::email_verification::EmailVerification;
use nanoauth::rate_limit::RateLimit;
use nanoauth::{
    AccountAdapter, Adapter, Auth, BasicSignUp, BasicUser, ClientInfo, Event, EventKind,
};
use nanoauth_oauth::{OAuth, Provider, TokenAuth};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const APP: &str = "http://localhost:3000";

type TestAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

/// The OIDC server, stopped when dropped.
struct OidcServer {
    issuer: String,
    _child: Child,
}

impl OidcServer {
    /// The server, or `None` (after saying so) without Node.js.
    async fn start() -> Option<Self> {
        Self::start_mutated("").await
    }

    async fn start_mutated(mutate: &str) -> Option<Self> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-server");
        if !nanoauth_testing::servers::npm_installed(&dir, "oidc-provider") {
            return None;
        }
        let mut child = Command::new("node")
            .arg("server.mjs")
            .current_dir(&dir)
            .env("APP_ORIGIN", APP)
            .env("MUTATE", mutate)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node (Node.js 20 or later is needed): {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let issuer = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("read") {
                if let Some(issuer) = line.strip_prefix("READY ") {
                    return issuer.to_owned();
                }
            }
            panic!("the OIDC server stopped before it was ready");
        })
        .await
        .expect("the OIDC server did not start within 60 s");
        // Keep reading: a closed pipe would kill the server at its next line.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Some(Self {
            issuer,
            _child: child,
        })
    }
}

fn oauth(issuer: &str) -> OAuth<BasicUser> {
    OAuth::<BasicUser>::new(|profile| BasicSignUp {
        name: profile.name.clone().unwrap_or_default(),
    })
    .provider(Provider::oidc("oidc", issuer, "nanoauth-test").client_secret("nanoauth-test-secret"))
    .provider(
        Provider::oidc("oidc2", issuer, "nanoauth-second")
            .client_secret("nanoauth-second-secret")
            .token_auth(TokenAuth::ClientSecretBasic),
    )
}

/// As [`oauth`], with the first provider linking by verified email.
fn oauth_linking_by_email(issuer: &str) -> OAuth<BasicUser> {
    oauth(issuer).provider(
        Provider::oidc("oidc", issuer, "nanoauth-test")
            .client_secret("nanoauth-test-secret")
            .link_by_verified_email(true),
    )
}

/// Whether the session of `signed_in` still works.
async fn session_works(auth: &TestAuth, signed_in: &nanoauth::SignedIn<BasicUser>) -> bool {
    let cookie = auth.session_cookie(&signed_in.token).expect("cookie");
    let cookie = cookie
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let request = http::Request::get("/api/auth/session")
        .header("cookie", cookie)
        .body(String::new())
        .expect("request");
    let response = auth.handler(request).await;
    let body: Value = serde_json::from_slice(response.body()).expect("json");
    !body["user"].is_null()
}

/// Whether `email` still signs in with the password `sign_up` gave it.
async fn password_works(auth: &TestAuth, email: &str) -> bool {
    auth.email_password()
        .sign_in(email, "correct horse battery", ClientInfo::default())
        .await
        .is_ok()
}

fn auth_with(oauth: OAuth<BasicUser>) -> TestAuth {
    Auth::builder(MemoryAdapter::new())
        .secret("oauth test secret, thirty-two bytes or more")
        .base_url(APP)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailPassword::new())
        .plugin(oauth)
        .build()
        .expect("config")
}

/// Records the link and unlink events `auth` emits, as `linked <user id>
/// <provider>` / `unlinked <user id> <provider>`. Register before cloning
/// `auth` (into a browser): listeners are copied on write.
fn record_link_events(auth: &mut TestAuth) -> Arc<Mutex<Vec<String>>> {
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    for kind in [
        EventKind::AfterAccountLinked,
        EventKind::AfterAccountUnlinked,
    ] {
        let heard = Arc::clone(&heard);
        auth.on(kind, move |event: Event<BasicUser>, _| {
            let heard = Arc::clone(&heard);
            async move {
                let line = match event {
                    Event::AccountLinked {
                        user_id, provider, ..
                    } => format!("linked {user_id} {provider}"),
                    Event::AccountUnlinked { user_id, provider } => {
                        format!("unlinked {user_id} {provider}")
                    }
                    _ => "another event".to_owned(),
                };
                heard.lock().expect("lock").push(line);
            }
        });
    }
    heard
}

/// An email/password account (a user who existed before social sign-in).
async fn sign_up(auth: &TestAuth, email: &str) -> nanoauth::SignedIn<BasicUser> {
    auth.email_password()
        .sign_up(
            email,
            "correct horse battery",
            BasicSignUp::default(),
            ClientInfo::default(),
        )
        .await
        .expect("sign up")
        .signed_in()
        .expect("no second factor here")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_verified_email_satisfies_required_verification() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = Auth::builder(MemoryAdapter::new())
        .secret("oauth test secret, thirty-two bytes or more")
        .base_url(APP)
        .rate_limit(RateLimit::danger_disabled())
        .plugin(EmailVerification::new(DangerConsoleSender).require_verified_sign_in())
        .plugin(oauth(&server.issuer))
        .build()
        .expect("config");
    // The provider verified ada's address: that proves it here too.
    let mut ada = Browser::new(&auth);
    assert_eq!(
        ada.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    assert_eq!(ada.session_user().await["email"], "ada@example.com");
    // Bob's is not verified at the provider: the account exists, the
    // sign-in waits for the emailed link.
    let mut bob = Browser::new(&auth);
    assert_eq!(
        bob.sign_in_as("signin", "oidc", "user-2").await,
        "/dashboard?error=EMAIL_NOT_VERIFIED"
    );
    assert!(bob.session_cookie.is_none());
    assert_eq!(auth.adapter().user_count(), 2);
}

/// A provider that does not vouch for the address creates an unclaimed
/// account: never verified, and taken over by the first proof of the
/// address (here a password reset), provider link included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_provider_address_leaves_the_account_unclaimed() {
    use nanoauth::EmailVerificationAdapter;
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    // user-2 (bob@example.com) is not verified at the provider.
    let mut attacker = Browser::new(&auth);
    assert_eq!(
        attacker.sign_in_as("signin", "oidc", "user-2").await,
        "/dashboard"
    );
    let bob = attacker.session_user().await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(
        !auth
            .adapter()
            .is_email_verified(&bob)
            .await
            .expect("verified?")
    );
    assert_eq!(
        auth.adapter()
            .list_accounts(&bob)
            .await
            .expect("accounts")
            .len(),
        1
    );
    // The mailbox's owner proves the address: the account is theirs alone.
    let user = auth
        .adapter()
        .get_user(&bob)
        .await
        .expect("get")
        .expect("user");
    assert!(
        auth.prove_email(&user, nanoauth::EmailProof::SignIn)
            .await
            .expect("prove")
    );
    assert!(
        auth.adapter()
            .list_accounts(&bob)
            .await
            .expect("accounts")
            .is_empty()
    );
    let (status, body) = attacker.app_json("GET", "/api/auth/session", None).await;
    assert_eq!(
        (status, body["user"].is_null()),
        (200, true),
        "the provider's session is revoked"
    );
}

/// Where a walk through redirects stopped.
#[derive(Debug)]
enum Stop {
    /// The provider wants the user to log in or consent at this URL.
    Interaction(String),
    /// The app sent the browser to a page of its own (a path).
    Page(String),
    /// The provider sent the browser to this callback URL, not followed.
    Callback(String),
}

/// A browser: cookies at the provider (reqwest's jar) and at the app (the
/// session cookie and the others), following redirects by hand.
struct Browser {
    auth: TestAuth,
    http: reqwest::Client,
    /// The session cookie, `name=value`.
    session_cookie: Option<String>,
    /// The app's other cookies (the OAuth flow's binding), by name.
    cookies: std::collections::BTreeMap<String, String>,
    /// The last callback URL the provider sent us to.
    last_callback: Option<String>,
    /// Rewrites the callback URL before the app sees it.
    tamper: Option<fn(&str) -> String>,
    /// Stops before the callback (an attacker keeping the URL).
    stop_at_callback: bool,
}

impl Browser {
    fn new(auth: &TestAuth) -> Self {
        Self {
            auth: auth.clone(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            session_cookie: None,
            cookies: Default::default(),
            last_callback: None,
            tamper: None,
            stop_at_callback: false,
        }
    }

    async fn app(
        &mut self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> http::Response<Bytes> {
        let mut request = http::Request::builder().method(method).uri(path);
        let cookies: Vec<String> = self
            .session_cookie
            .iter()
            .cloned()
            .chain(
                self.cookies
                    .iter()
                    .map(|(name, value)| format!("{name}={value}")),
            )
            .collect();
        if !cookies.is_empty() {
            request = request.header("cookie", cookies.join("; "));
        }
        if method != "GET" {
            request = request.header("origin", APP);
        }
        let body = match body {
            Some(body) => {
                request = request.header("content-type", "application/json");
                body.to_string()
            }
            None => String::new(),
        };
        let response = self
            .auth
            .handler(request.body(body).expect("request"))
            .await;
        for cookie in response.headers().get_all("set-cookie") {
            let pair = cookie
                .to_str()
                .expect("ascii")
                .split(';')
                .next()
                .expect("pair");
            let (name, value) = pair.split_once('=').expect("name=value");
            if name == self.auth.cookie_name() {
                self.session_cookie = (!value.is_empty()).then(|| pair.to_owned());
            } else if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        response
    }

    async fn app_json(&mut self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.app(method, path, body).await;
        let status = response.status().as_u16();
        (
            status,
            serde_json::from_slice(response.body()).unwrap_or(Value::Null),
        )
    }

    /// Follows redirects from `url` until an interaction page or an app page.
    async fn follow(&mut self, mut url: String) -> Stop {
        for _ in 0..20 {
            if let Some(path) = url.strip_prefix(APP) {
                let path = if path.starts_with("/api/auth/callback/") {
                    self.last_callback = Some(url.clone());
                    if self.stop_at_callback {
                        return Stop::Callback(url);
                    }
                    match self.tamper {
                        Some(tamper) => tamper(path),
                        None => path.to_owned(),
                    }
                } else {
                    path.to_owned()
                };
                let response = self.app("GET", &path, None).await;
                match response.headers().get("location") {
                    Some(location) => url = location.to_str().expect("ascii").to_owned(),
                    None => panic!("the app answered {} at {path}", response.status()),
                }
                continue;
            }
            if url.starts_with('/') {
                return Stop::Page(url);
            }
            let response = self.http.get(&url).send().await.expect("provider request");
            if let Some(location) = response.headers().get("location") {
                let base = reqwest::Url::parse(&url).expect("url");
                url = base
                    .join(location.to_str().expect("ascii"))
                    .expect("url")
                    .into();
                continue;
            }
            if url.contains("/interaction/") {
                return Stop::Interaction(url);
            }
            panic!("stuck at {url}: {}", response.status());
        }
        panic!("too many redirects");
    }

    /// Logs in at the provider's interaction as `login` (or declines).
    async fn interact(&mut self, url: &str, form: &[(&str, &str)]) -> Stop {
        let response = self
            .http
            .post(url)
            .form(form)
            .send()
            .await
            .expect("interaction");
        let location = response
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("the interaction answered {}", response.status()));
        let base = reqwest::Url::parse(url).expect("url");
        let next = base.join(location.to_str().expect("ascii")).expect("url");
        self.follow(next.into()).await
    }

    /// The authorization URL of a new sign-in (or link) at `provider`.
    async fn start(&mut self, action: &str, provider: &str) -> String {
        let (status, body) = self
            .app_json(
                "POST",
                &format!("/api/auth/{action}/{provider}"),
                Some(json!({ "callbackURL": "/dashboard" })),
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
        assert_eq!(body["redirect"], true);
        body["url"].as_str().expect("url").to_owned()
    }

    /// A whole sign-in (or link) as `login`, to the page it ends on.
    async fn sign_in_as(&mut self, action: &str, provider: &str, login: &str) -> String {
        let url = self.start(action, provider).await;
        let stop = match self.follow(url).await {
            Stop::Interaction(at) => self.interact(&at, &[("login", login)]).await,
            page => page,
        };
        match stop {
            Stop::Page(page) => page,
            Stop::Interaction(at) => panic!("a second interaction at {at}"),
            Stop::Callback(url) => url,
        }
    }

    async fn session_user(&mut self) -> Value {
        let (status, body) = self.app_json("GET", "/api/auth/session", None).await;
        assert_eq!(status, 200);
        body["user"].clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_creates_the_user_and_a_second_sign_in_finds_them() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);

    let url = browser.start("signin", "oidc").await;
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("nonce="), "{url}");
    let page = match browser.follow(url).await {
        Stop::Interaction(at) => browser.interact(&at, &[("login", "user-1")]).await,
        other => panic!("expected a login, got {other:?}"),
    };
    assert!(
        matches!(&page, Stop::Page(p) if p == "/dashboard"),
        "{page:?}"
    );
    let user = browser.session_user().await;
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace", "mapped from the profile");
    assert_eq!(auth.adapter().user_count(), 1);
    let accounts = auth
        .adapter()
        .list_accounts(user["id"].as_str().expect("id"))
        .await
        .expect("accounts");
    assert_eq!(accounts.len(), 1);
    assert_eq!(
        (
            accounts[0].provider.as_str(),
            accounts[0].account_id.as_str()
        ),
        ("oidc", "user-1")
    );

    // Signed out of the app, still signed in at the provider: straight back.
    let (status, _) = browser.app_json("POST", "/api/auth/signout", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    assert_eq!(
        browser.session_user().await["id"],
        user["id"],
        "the same user"
    );

    // Another browser, logging in at the provider again.
    let mut other = Browser::new(&auth);
    assert_eq!(
        other.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    assert_eq!(other.session_user().await["id"], user["id"]);
    assert_eq!(auth.adapter().user_count(), 1, "no second user");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_user_links_lists_and_unlinks_a_second_provider() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let mut auth = auth_with(oauth(&server.issuer));
    let events = record_link_events(&mut auth);
    let mut browser = Browser::new(&auth);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    let user_id = browser.session_user().await["id"].clone();

    // oidc2: another client, ES256 ID tokens, client_secret_basic.
    assert_eq!(
        browser.sign_in_as("link", "oidc2", "user-1").await,
        "/dashboard"
    );
    let (status, accounts) = browser
        .app_json("GET", "/api/auth/list-accounts", None)
        .await;
    assert_eq!(status, 200);
    let providers: Vec<&str> = accounts
        .as_array()
        .expect("list")
        .iter()
        .map(|a| a["provider"].as_str().expect("provider"))
        .collect();
    assert_eq!(providers.len(), 2, "{accounts}");
    assert!(providers.contains(&"oidc") && providers.contains(&"oidc2"));

    // Signing in with the linked provider finds the same user.
    let mut other = Browser::new(&auth);
    assert_eq!(
        other.sign_in_as("signin", "oidc2", "user-1").await,
        "/dashboard"
    );
    assert_eq!(other.session_user().await["id"], user_id);

    let (status, _) = browser
        .app_json("POST", "/api/auth/unlink/oidc2", None)
        .await;
    assert_eq!(status, 200);
    let (status, body) = browser
        .app_json("POST", "/api/auth/unlink/oidc2", None)
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("ACCOUNT_NOT_FOUND"))
    );
    let (status, body) = browser
        .app_json("POST", "/api/auth/unlink/oidc", None)
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &json!("LAST_ACCOUNT")),
        "the only way in stays"
    );
    // One event per link and unlink that happened (the first sign-in
    // created the user, which is a sign-up, not a link); none for the
    // refused ones.
    let user_id = user_id.as_str().expect("id");
    assert_eq!(
        *events.lock().expect("lock"),
        vec![
            format!("linked {user_id} oidc2"),
            format!("unlinked {user_id} oidc2")
        ]
    );

    let mut anonymous = Browser::new(&auth);
    let (status, _) = anonymous
        .app_json("POST", "/api/auth/link/oidc2", Some(json!({})))
        .await;
    assert_eq!(status, 401);
    let (status, _) = anonymous
        .app_json("GET", "/api/auth/list-accounts", None)
        .await;
    assert_eq!(status, 401);
}

/// Login CSRF: an attacker starts a sign-in as themselves, stops before
/// the callback, and makes the victim's browser follow it. The flow is
/// bound to the attacker's browser, so the victim is signed in as no one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_followed_in_another_browser_signs_no_one_in() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut attacker = Browser::new(&auth);
    attacker.stop_at_callback = true;
    let callback = attacker.sign_in_as("signin", "oidc", "user-1").await;
    assert!(callback.starts_with(&format!("{APP}/api/auth/callback/oidc?")));
    assert_eq!(
        attacker.cookies.keys().collect::<Vec<_>>(),
        ["nanoauth.oauth_state"],
        "the flow's binding is in the attacker's browser"
    );

    // A victim with no flow of their own. (The error goes to the plugin's
    // error page: the flow's own callback URLs are the attacker's choice.)
    let mut victim = Browser::new(&auth);
    assert!(matches!(
        victim.follow(callback).await,
        Stop::Page(p) if p == "/?error=STATE_MISMATCH"
    ));
    assert!(victim.session_cookie.is_none());
    assert_eq!(auth.adapter().user_count(), 0, "no one was signed up");

    // A victim in the middle of a sign-in of their own (another binding).
    let mut attacker = Browser::new(&auth);
    attacker.stop_at_callback = true;
    let callback = attacker.sign_in_as("signin", "oidc", "user-1").await;
    let mut victim = Browser::new(&auth);
    victim.start("signin", "oidc").await;
    assert!(matches!(
        victim.follow(callback).await,
        Stop::Page(p) if p == "/?error=STATE_MISMATCH"
    ));
    assert!(victim.session_cookie.is_none());
    assert!(victim.cookies.is_empty(), "the spent binding is cleared");
    assert_eq!(auth.adapter().user_count(), 0);
}

/// Linking a provider adds a way into the account: a session signed in
/// longer ago than the fresh age may not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_needs_a_fresh_session() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = Auth::builder(MemoryAdapter::new())
        .secret("oauth test secret, thirty-two bytes or more")
        .base_url(APP)
        .rate_limit(RateLimit::danger_disabled())
        .session_fresh_age(0)
        .plugin(oauth(&server.issuer))
        .build()
        .expect("config");
    let mut browser = Browser::new(&auth);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    let (status, body) = browser
        .app_json("POST", "/api/auth/link/oidc2", Some(json!({})))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (403, &json!("SESSION_NOT_FRESH"))
    );
    assert!(browser.cookies.is_empty(), "no flow was started");
}

/// `ACCOUNT_NOT_LINKED` says an account exists. Where new accounts must
/// verify their address, sign-up hides taken addresses, so social sign-in
/// with an unvouched address answers a taken one as it answers a free one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unvouched_address_learns_nothing_about_existing_accounts() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let build = || {
        Auth::builder(MemoryAdapter::new())
            .secret("oauth test secret, thirty-two bytes or more")
            .base_url(APP)
            .rate_limit(RateLimit::danger_disabled())
            .plugin(EmailPassword::new())
            .plugin(EmailVerification::new(DangerConsoleSender).require_verified_sign_in())
            .plugin(oauth(&server.issuer))
            .build()
            .expect("config")
    };
    // bob@example.com is free: a new, unverified account, refused.
    let free = build();
    let mut browser = Browser::new(&free);
    let answer_when_free = browser.sign_in_as("signin", "oidc", "user-2").await;
    // bob@example.com is taken: the same answer.
    let taken = build();
    let (status, _) = Browser::new(&taken)
        .app_json(
            "POST",
            "/api/auth/signup/email",
            Some(json!({"email": "bob@example.com", "password": "correct horse battery", "name": "Bob"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut browser = Browser::new(&taken);
    let answer_when_taken = browser.sign_in_as("signin", "oidc", "user-2").await;
    assert_eq!(answer_when_free, "/dashboard?error=EMAIL_NOT_VERIFIED");
    assert_eq!(answer_when_taken, answer_when_free);
    assert!(browser.session_cookie.is_none());
    assert_eq!(taken.adapter().user_count(), 1, "no second account");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_state_is_refused() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    browser.tamper = Some(|path| path.replacen("state=", "state=x", 1));
    let page = browser.sign_in_as("signin", "oidc", "user-1").await;
    assert_eq!(page, "/?error=INVALID_STATE");
    assert!(browser.session_cookie.is_none());
    assert_eq!(auth.adapter().user_count(), 0);

    // A state is bound to its provider: oidc's answer delivered to oidc2.
    let mut browser = Browser::new(&auth);
    browser.tamper = Some(|path| path.replacen("/callback/oidc?", "/callback/oidc2?", 1));
    let page = browser.sign_in_as("signin", "oidc", "user-1").await;
    assert_eq!(page, "/?error=INVALID_STATE");
    assert!(browser.session_cookie.is_none());
    assert_eq!(auth.adapter().user_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_naming_another_issuer_is_refused() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    // RFC 9207's `iss` says who answered; a mix-up attack forwards another
    // provider's answer.
    browser.tamper = Some(|path| match path.split_once("&iss=") {
        Some((head, tail)) => format!("{head}&iss=http%3A%2F%2Fevil.example&was={tail}"),
        None => format!("{path}&iss=http%3A%2F%2Fevil.example"),
    });
    let page = browser.sign_in_as("signin", "oidc", "user-1").await;
    assert_eq!(page, "/dashboard?error=ISSUER_MISMATCH");
    assert!(browser.session_cookie.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_callback_or_code_is_refused() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    let callback = browser.last_callback.clone().expect("callback");

    // The same callback again: its state is spent.
    let mut attacker = Browser::new(&auth);
    assert!(matches!(
        attacker.follow(callback.clone()).await,
        Stop::Page(p) if p == "/?error=INVALID_STATE"
    ));
    assert!(attacker.session_cookie.is_none());

    // The spent code with a fresh state of the attacker's own.
    let url = attacker.start("signin", "oidc").await;
    let state = reqwest::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("state");
    let code = reqwest::Url::parse(&callback)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let forged = format!("{APP}/api/auth/callback/oidc?code={code}&state={state}");
    let page = attacker.follow(forged).await;
    assert!(
        matches!(&page, Stop::Page(p) if p == "/dashboard?error=INVALID_CODE"),
        "{page:?}"
    );
    assert!(attacker.session_cookie.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_consent_comes_back_as_access_denied() {
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    let url = browser.start("signin", "oidc").await;
    let Stop::Interaction(at) = browser.follow(url).await else {
        panic!("expected a login");
    };
    let page = browser.interact(&at, &[("deny", "1")]).await;
    assert!(
        matches!(&page, Stop::Page(p) if p == "/dashboard?error=ACCESS_DENIED"),
        "{page:?}"
    );
    assert!(browser.session_cookie.is_none());
}

/// A provider whose ID token is validly signed but wrong in one claim (or
/// signed with a key it never published).
async fn misbehaving(mutate: &str) -> Option<String> {
    let server = OidcServer::start_mutated(mutate).await?;
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    let page = browser.sign_in_as("signin", "oidc", "user-1").await;
    assert!(browser.session_cookie.is_none(), "{mutate}: no session");
    assert_eq!(auth.adapter().user_count(), 0, "{mutate}: no user");
    Some(page)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_issuer_is_refused() {
    let Some(page) = misbehaving("wrong-iss").await else {
        return;
    };
    assert_eq!(page, "/dashboard?error=ID_TOKEN_INVALID_ISSUER");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_audience_is_refused() {
    let Some(page) = misbehaving("wrong-aud").await else {
        return;
    };
    assert_eq!(page, "/dashboard?error=ID_TOKEN_INVALID_AUDIENCE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_id_token_is_refused() {
    let Some(page) = misbehaving("expired").await else {
        return;
    };
    assert_eq!(page, "/dashboard?error=ID_TOKEN_EXPIRED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_nonce_is_refused() {
    let Some(page) = misbehaving("wrong-nonce").await else {
        return;
    };
    assert_eq!(page, "/dashboard?error=ID_TOKEN_INVALID_NONCE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_signed_with_an_unpublished_key_is_refused() {
    let Some(page) = misbehaving("unknown-key").await else {
        return;
    };
    assert_eq!(page, "/dashboard?error=ID_TOKEN_INVALID_SIGNATURE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_account_is_never_taken_over() {
    let Some(server) = OidcServer::start().await else {
        return;
    };

    // Default: the email's owner must link the provider themselves.
    let auth = auth_with(oauth(&server.issuer));
    let owner = sign_up(&auth, "ada@example.com").await;
    let mut browser = Browser::new(&auth);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard?error=ACCOUNT_NOT_LINKED"
    );
    assert!(browser.session_cookie.is_none());

    // Opted in, and the provider says the email is verified: linked. The
    // account was set up by someone who never proved the address (a
    // pre-account hijacker, say): the link takes it over cleanly, so their
    // session and their password are gone.
    let mut auth = auth_with(oauth_linking_by_email(&server.issuer));
    let events = record_link_events(&mut auth);
    let hijacker = sign_up(&auth, "ada@example.com").await;
    sign_up(&auth, "bob@example.com").await;
    assert!(session_works(&auth, &hijacker).await);
    let mut browser = Browser::new(&auth);
    assert_eq!(
        browser.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    assert_eq!(browser.session_user().await["email"], "ada@example.com");
    assert_eq!(auth.adapter().user_count(), 2);
    assert!(
        !session_works(&auth, &hijacker).await,
        "the hijacker's session is revoked"
    );
    assert!(
        !password_works(&auth, "ada@example.com").await,
        "the hijacker's password is removed"
    );
    let ada = hijacker.user.id.clone();
    assert_eq!(
        auth.adapter()
            .list_accounts(&ada)
            .await
            .expect("accounts")
            .len(),
        1
    );
    assert_eq!(
        *events.lock().expect("lock"),
        vec![format!("linked {ada} oidc")],
        "linking by verified email is a security event too"
    );
    // A second provider sign-in of the now-claimed account changes nothing.
    let mut again = Browser::new(&auth);
    assert_eq!(
        again.sign_in_as("signin", "oidc", "user-1").await,
        "/dashboard"
    );
    assert!(
        browser.session_user().await.is_object(),
        "the first browser stays signed in"
    );

    // Opted in, but bob's email is not verified at the provider: refused.
    let mut bob = Browser::new(&auth);
    assert_eq!(
        bob.sign_in_as("signin", "oidc", "user-2").await,
        "/dashboard?error=ACCOUNT_NOT_LINKED"
    );
    assert!(bob.session_cookie.is_none());
    drop(owner);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_is_down_is_an_error_code_never_a_500() {
    // Nothing listens there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let auth = auth_with(oauth(&format!("http://127.0.0.1:{closed}")));
    let mut browser = Browser::new(&auth);
    let (status, body) = browser
        .app_json(
            "POST",
            "/api/auth/signin/oidc",
            Some(json!({"callbackURL": "/dashboard"})),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (502, &json!("PROVIDER_UNAVAILABLE"))
    );

    // Down between the redirect and the callback.
    let Some(server) = OidcServer::start().await else {
        return;
    };
    let auth = auth_with(oauth(&server.issuer));
    let mut browser = Browser::new(&auth);
    let url = browser.start("signin", "oidc").await;
    let Stop::Interaction(at) = browser.follow(url).await else {
        panic!("expected a login");
    };
    browser.tamper = None;
    let response = browser
        .http
        .post(&at)
        .form(&[("login", "user-1")])
        .send()
        .await
        .expect("post");
    let mut next = reqwest::Url::parse(&at)
        .expect("url")
        .join(response.headers()["location"].to_str().expect("ascii"))
        .expect("url")
        .to_string();
    // Walk the provider's redirects up to (not into) the callback.
    while !next.starts_with(APP) {
        let response = browser.http.get(&next).send().await.expect("provider");
        next = reqwest::Url::parse(&next)
            .expect("url")
            .join(response.headers()["location"].to_str().expect("ascii"))
            .expect("url")
            .to_string();
    }
    drop(server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let page = browser.follow(next).await;
    assert!(
        matches!(&page, Stop::Page(p) if p == "/dashboard?error=PROVIDER_UNAVAILABLE"),
        "{page:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_providers_and_bad_callbacks() {
    let auth = auth_with(oauth("http://127.0.0.1:9"));
    let mut browser = Browser::new(&auth);
    let (status, body) = browser
        .app_json("POST", "/api/auth/signin/nope", Some(json!({})))
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &json!("PROVIDER_NOT_FOUND"))
    );
    let (status, body) = browser
        .app_json(
            "POST",
            "/api/auth/signin/oidc",
            Some(json!({"callbackURL": "https://evil.example/"})),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("INVALID_REDIRECT"))
    );
    // A callback with no state at all still redirects.
    let response = browser
        .app("GET", "/api/auth/callback/oidc?code=x", None)
        .await;
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/?error=INVALID_STATE");
}
