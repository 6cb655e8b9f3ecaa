//! Plugins added later, typed exports, lifecycle events, and where password
//! hashing runs.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use http::StatusCode;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::{
    Adapter, Auth, AuthUser, BlockingJob, ClientInfo, ConfigError, Endpoint, EndpointRequest,
    Error, Event, EventKind, Offload, Plugin, Reply,
};

/// Greets the signed-in user: `GET /api/auth/hello`.
#[derive(Debug)]
struct Hello {
    greeting: &'static str,
}

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Hello {
    fn name(&self) -> &'static str {
        "hello"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![Endpoint::get(
            "/hello",
            move |request: EndpointRequest<U, A>| {
                let plugin = Arc::clone(&self);
                async move {
                    let session = request.require_session().await?;
                    Reply::json(&serde_json::json!({
                        "message": format!("{}, {}", plugin.greeting, session.user.email())
                    }))
                }
            },
        )]
    }
}

#[tokio::test]
async fn a_plugin_added_later_serves_its_endpoints() -> TestResult {
    let auth = auth();
    let cookie = cookie(&sign_up(&auth, "late@example.com", "correct horse battery").await);
    let hello = || with_header(get("/api/auth/hello"), "cookie", &cookie);

    assert_eq!(auth.handler(hello()).await.status(), StatusCode::NOT_FOUND);
    let before = auth.clone();
    auth.use_plugin(Hello { greeting: "Hi" })?;

    let response = auth.handler(hello()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["message"], "Hi, late@example.com");
    // A clone taken before (one mounted in a framework, say) serves it too.
    assert_eq!(before.handler(hello()).await.status(), StatusCode::OK);
    // The typed export finds the plugin's configuration.
    assert_eq!(auth.plugin::<Hello>().map(|p| p.greeting), Some("Hi"));

    // The same plugin twice, or a route that is taken, is refused, and
    // changes nothing.
    assert_eq!(
        auth.use_plugin(Hello { greeting: "Yo" }),
        Err(ConfigError::DuplicatePlugin("hello"))
    );
    assert_eq!(auth.plugin::<Hello>().map(|p| p.greeting), Some("Hi"));
    Ok(())
}

#[tokio::test]
async fn listeners_added_later_are_heard_by_every_copy() -> TestResult {
    let auth = auth();
    let mounted = auth.clone();
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = Arc::clone(&heard);
    auth.on(EventKind::AfterSignUp, move |event: Event<Member>, _| {
        let sink = Arc::clone(&sink);
        async move {
            if let Event::SignedUp { user } = event {
                sink.lock().map(|mut lines| lines.push(user.email)).ok();
            }
        }
    });
    sign_up(&mounted, "copy@example.com", "correct horse battery").await;
    assert_eq!(
        heard.lock().map(|lines| lines.clone()).unwrap_or_default(),
        ["copy@example.com"]
    );
    Ok(())
}

#[tokio::test]
async fn adding_sessions_explicitly_is_accepted() -> TestResult {
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .plugin(nanoauth::plugins::sessions::Sessions::new())
        .build()?;
    let response = auth.handler(get("/api/auth/session")).await;
    assert_eq!(response.status(), StatusCode::OK);
    Ok(())
}

#[derive(Debug)]
struct Squatter;

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Squatter {
    fn name(&self) -> &'static str {
        "squatter"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![Endpoint::get(
            "/session",
            |_request: EndpointRequest<U, A>| async { Err(Error::NotFound) },
        )]
    }
}

#[test]
fn conflicting_routes_are_a_configuration_error() {
    let result = Auth::<Member, _>::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .plugin(Squatter)
        .build();
    assert!(matches!(result, Err(ConfigError::Route(_))));
}

#[test]
fn configuration_is_checked() {
    let builder = || Auth::<Member, _>::builder(MemoryAdapter::new());
    let err = |b: nanoauth::AuthBuilder<Member, MemoryAdapter<Member>>| b.build().err();
    assert_eq!(
        err(builder().base_url(ORIGIN)),
        Some(ConfigError::MissingSecret)
    );
    assert_eq!(
        err(builder().secret("short").base_url(ORIGIN)),
        Some(ConfigError::SecretTooShort)
    );
    assert_eq!(
        err(builder().secret(SECRET)),
        Some(ConfigError::MissingBaseUrl)
    );
    assert!(matches!(
        err(builder().secret(SECRET).base_url("localhost:3000")),
        Some(ConfigError::InvalidUrl(_))
    ));
    assert!(matches!(
        err(builder().secret(SECRET).base_url(ORIGIN).base_path("api")),
        Some(ConfigError::InvalidBasePath(_))
    ));
}

#[tokio::test]
async fn listeners_hear_every_lifecycle_event() -> TestResult {
    let heard: Arc<Mutex<Vec<String>>> = Arc::default();
    let auth = auth();
    for kind in [
        EventKind::AfterSignUp,
        EventKind::AfterSignIn,
        EventKind::AfterSignOut,
        EventKind::OnError,
    ] {
        let heard = Arc::clone(&heard);
        auth.on(kind, move |event: Event<Member>, auth: TestAuth| {
            let heard = Arc::clone(&heard);
            async move {
                let line = match event {
                    Event::SignedUp { user } => {
                        format!("signed up {} as {}", user.email, user.role)
                    }
                    Event::SignedIn {
                        user,
                        session,
                        method,
                    } => {
                        assert_eq!(session.user_id, user.id);
                        // Listeners reach the application's adapter, typed.
                        format!(
                            "signed in {} by {method} ({} users)",
                            user.email,
                            auth.adapter().user_count()
                        )
                    }
                    Event::SignedOut { user_id, .. } => format!("signed out {}", user_id.len()),
                    Event::Error { code, status, path } => format!("error {code} {status} {path}"),
                    _ => "other".to_owned(),
                };
                if let Ok(mut heard) = heard.lock() {
                    heard.push(line);
                }
            }
        });
    }

    let response = sign_up(&auth, "ev@example.com", "correct horse battery").await;
    let signout = with_header(post("/api/auth/signout", ""), "cookie", &cookie(&response));
    auth.handler(signout).await;
    sign_in(&auth, "ev@example.com", "wrong password").await;

    let heard = heard.lock().map(|h| h.clone()).unwrap_or_default();
    assert_eq!(
        heard,
        vec![
            "signed up ev@example.com as member".to_owned(),
            "signed in ev@example.com by email-password (1 users)".to_owned(),
            "signed out 22".to_owned(),
            "error INVALID_CREDENTIALS 401 /api/auth/signin/email".to_owned(),
        ]
    );
    Ok(())
}

/// Counts the jobs it runs, on a plain thread.
#[derive(Debug, Default, Clone)]
struct CountingOffload(Arc<AtomicUsize>);

impl Offload for CountingOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        self.0.fetch_add(1, Ordering::SeqCst);
        std::thread::spawn(job);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn password_hashing_runs_on_the_offload() -> TestResult {
    let offload = CountingOffload::default();
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .offload(offload.clone())
        .plugin(fast_plugin())
        .build()?;
    let api = auth.email_password();
    let fields = common::MemberSignUp { name: "O".into() };
    api.sign_up(
        "off@example.com",
        "correct horse battery",
        fields,
        ClientInfo::default(),
    )
    .await?;
    api.sign_in(
        "off@example.com",
        "correct horse battery",
        ClientInfo::default(),
    )
    .await?;
    let unknown = api
        .sign_in(
            "nobody@example.com",
            "correct horse battery",
            ClientInfo::default(),
        )
        .await;
    assert!(matches!(unknown, Err(Error::InvalidCredentials)));
    // One hash at sign-up, one verification per sign-in (the unknown email
    // too: against the dummy hash).
    assert_eq!(offload.0.load(Ordering::SeqCst), 3);
    Ok(())
}

#[test]
fn auth_and_its_futures_cross_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let auth = auth();
    send_sync(&auth);
    send(&auth.handler(get("/api/auth/session")));
    let request = get("/");
    send(&auth.get_session(&request));
}

#[tokio::test]
async fn an_export_of_a_missing_plugin_says_so() -> TestResult {
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .build()?;
    let result = auth
        .email_password()
        .sign_in("a@example.com", "password", ClientInfo::default())
        .await;
    assert!(matches!(
        result,
        Err(Error::PluginNotEnabled("email-password"))
    ));
    // And its endpoints do not exist.
    assert_eq!(
        sign_in(&auth, "a@example.com", "password").await.status(),
        StatusCode::NOT_FOUND
    );
    Ok(())
}

/// Runs each job on its own thread, and records how many ran at once.
#[derive(Debug, Default, Clone)]
struct PeakOffload {
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
}

impl Offload for PeakOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        let (running, peak) = (Arc::clone(&self.running), Arc::clone(&self.peak));
        std::thread::spawn(move || {
            // Counted while waiting, before the job: a job's hashing slot is
            // held from before it is handed over until it finishes, so jobs
            // here all hold one. The wait is long enough that uncapped jobs
            // would overlap.
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(20));
            running.fetch_sub(1, Ordering::SeqCst);
            job();
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_hashing_is_capped() -> TestResult {
    let offload = PeakOffload::default();
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .offload(offload.clone())
        .plugin(fast_plugin().max_concurrent_hashes(2))
        .build()?;
    let attempts: Vec<_> = (0..16)
        .map(|n| {
            let auth = auth.clone();
            tokio::spawn(async move {
                sign_in(
                    &auth,
                    &format!("user{n}@example.com"),
                    "correct horse battery",
                )
                .await
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(attempt.await?.status(), 401);
    }
    assert_eq!(
        offload.peak.load(Ordering::SeqCst),
        2,
        "at most two hashes at once"
    );
    Ok(())
}

/// Holds every job until released, so that the hashing queue fills.
#[derive(Default, Clone)]
struct GatedOffload {
    jobs: Arc<Mutex<Vec<BlockingJob>>>,
}

impl std::fmt::Debug for GatedOffload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GatedOffload")
    }
}

impl GatedOffload {
    fn release(&self) {
        let jobs = std::mem::take(&mut *self.jobs.lock().unwrap_or_else(|e| e.into_inner()));
        for job in jobs {
            std::thread::spawn(job);
        }
    }
}

impl Offload for GatedOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(job);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_hashing_queue_answers_503_with_retry_after() -> TestResult {
    let offload = GatedOffload::default();
    let auth: TestAuth = Auth::builder(MemoryAdapter::new())
        .secret(SECRET)
        .base_url(ORIGIN)
        .rate_limit(nanoauth::rate_limit::RateLimit::danger_disabled())
        .offload(offload.clone())
        .plugin(fast_plugin().max_concurrent_hashes(1).max_waiting_hashes(2))
        .build()?;
    // One running (held by the offload) and two waiting fill the queue.
    // Requests are sent one after another until one is refused: any that
    // was admitted instead (the earlier ones had not reached the queue yet)
    // takes a place itself, so the queue fills either way.
    let mut admitted = Vec::new();
    let mut refused = None;
    for n in 0..10 {
        let auth = auth.clone();
        let mut attempt = tokio::spawn(async move {
            sign_in(
                &auth,
                &format!("queued{n}@example.com"),
                "correct horse battery",
            )
            .await
        });
        match tokio::time::timeout(std::time::Duration::from_millis(200), &mut attempt).await {
            Ok(answered) => {
                refused = Some(answered?);
                break;
            }
            Err(_waiting) => admitted.push(attempt),
        }
    }
    let refused = refused.ok_or("the queue never filled")?;
    assert_eq!(json(&refused)["error"]["code"], "SERVER_BUSY");
    assert_eq!(refused.headers()["retry-after"], "1");
    // Released, the admitted requests are answered (no such user: 401):
    // exactly three were (a slow refusal may be among the unfinished ones).
    // Then the queue takes new work again.
    while admitted.iter().any(|task| !task.is_finished()) {
        offload.release();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let mut answered = Vec::new();
    for task in admitted {
        answered.push(task.await?.status());
    }
    let hashed = answered
        .iter()
        .filter(|status| **status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(hashed, 3, "one running and two waiting: {answered:?}");
    assert!(answered.iter().all(|status| {
        [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE].contains(status)
    }));
    let again = tokio::spawn({
        let auth = auth.clone();
        async move { sign_in(&auth, "after@example.com", "correct horse battery").await }
    });
    while !again.is_finished() {
        offload.release();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(again.await?.status(), StatusCode::UNAUTHORIZED);
    Ok(())
}

/// Signs up by invitation: `POST /api/auth/signup/invite`.
#[derive(Debug)]
struct Invitations;

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Invitations {
    fn name(&self) -> &'static str {
        "invitations"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = nanoauth::PluginEndpoints::of(&self);
        vec![
            on.sign_up("invite", |_plugin, _request: EndpointRequest<U, A>| async {
                Reply::json(&serde_json::json!({ "invited": true }))
            }),
        ]
    }
}

#[tokio::test]
async fn any_plugin_serves_sign_up_for_its_provider() -> TestResult {
    let auth = auth();
    auth.use_plugin(Invitations)?;
    let invited = auth.handler(post("/api/auth/signup/invite", "{}")).await;
    assert_eq!(invited.status(), StatusCode::OK);
    assert_eq!(json(&invited)["invited"], true);
    // `email` is still the email/password plugin's.
    let response = sign_up(&auth, "su@example.com", "correct horse battery").await;
    assert_eq!(response.status(), StatusCode::OK);
    // An unknown provider: a JSON 404.
    let unknown = auth.handler(post("/api/auth/signup/phone", "{}")).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(json(&unknown)["error"]["code"], "NOT_FOUND");
    // A second plugin claiming a taken provider is refused.
    #[derive(Debug)]
    struct Again;
    impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Again {
        fn name(&self) -> &'static str {
            "again"
        }
        fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
            vec![Endpoint::sign_up(
                "email",
                |_: EndpointRequest<U, A>| async { Ok(Reply::success()) },
            )]
        }
    }
    assert!(matches!(auth.use_plugin(Again), Err(ConfigError::Route(_))));
    Ok(())
}
