//! Before and after hooks on requests: matched by path, method and plugin,
//! able to refuse or amend, run in order, seen by every copy of the `Auth`.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use http::{HeaderName, HeaderValue, Method, StatusCode};
use nanoauth::{
    Adapter, AuthUser, Endpoint, EndpointRequest, Error, Event, EventKind, Matcher, Plugin, Reply,
    RequestHook,
};
use serde_json::{Map, Value};

type Request = EndpointRequest<Member, nanoauth::adapter::memory::MemoryAdapter<Member>>;
type Log = Arc<Mutex<Vec<String>>>;

fn entries(log: &Log) -> Vec<String> {
    log.lock()
        .map(|entries| entries.clone())
        .unwrap_or_default()
}

fn write(log: &Log, entry: String) {
    if let Ok(mut entries) = log.lock() {
        entries.push(entry);
    }
}

/// `GET /api/auth/hello`, and a before hook on every route that records
/// `plugin:<route>` in `log`.
#[derive(Debug)]
struct Hello {
    log: Log,
}

impl<U: AuthUser, A: Adapter<U>> Plugin<U, A> for Hello {
    fn name(&self) -> &'static str {
        "hello"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        vec![Endpoint::get(
            "/hello",
            |_request: EndpointRequest<U, A>| async {
                Reply::json(&serde_json::json!({ "hello": true }))
            },
        )]
    }

    fn request_hooks(self: Arc<Self>) -> Vec<RequestHook<U, A>> {
        let log = Arc::clone(&self.log);
        vec![RequestHook::before(
            Matcher::any(),
            move |request: EndpointRequest<U, A>| {
                let log = Arc::clone(&log);
                async move {
                    write(&log, format!("plugin:{}", request.route()));
                    Ok(request)
                }
            },
        )]
    }
}

#[tokio::test]
async fn a_before_hook_refuses_a_sign_up_and_the_endpoint_never_runs() -> TestResult {
    let auth = auth();
    let signed_up: Log = Arc::default();
    let heard = Arc::clone(&signed_up);
    auth.on(EventKind::AfterSignUp, move |event: Event<Member>, _| {
        let heard = Arc::clone(&heard);
        async move {
            if let Event::SignedUp { user } = event {
                write(&heard, user.email);
            }
        }
    });
    auth.before(
        Matcher::any().method(Method::POST).path("/signup/email"),
        |request: Request| async move {
            #[derive(serde::Deserialize)]
            struct SignUp {
                email: String,
            }
            let SignUp { email } = request.json()?;
            if email.ends_with("@blocked.example") {
                return Err(Error::plugin(
                    StatusCode::FORBIDDEN,
                    "DOMAIN_NOT_ALLOWED",
                    "Sign up with another address.",
                ));
            }
            Ok(request)
        },
    );

    let response = sign_up(&auth, "eve@blocked.example", "correct horse battery").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&response), "DOMAIN_NOT_ALLOWED");
    assert_eq!(
        json(&response)["error"]["message"],
        "Sign up with another address."
    );
    assert!(response.headers().get("set-cookie").is_none());
    // The endpoint never ran: no user, no session, no sign-up event.
    assert_eq!(auth.adapter().user_count(), 0);
    assert_eq!(auth.adapter().session_count(), 0);
    assert!(entries(&signed_up).is_empty());

    // Any other address signs up as before.
    let response = sign_up(&auth, "ada@example.com", "correct horse battery").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(auth.adapter().user_count(), 1);
    assert_eq!(entries(&signed_up), ["ada@example.com"]);
    Ok(())
}

#[tokio::test]
async fn a_before_hook_amends_the_body_and_headers_the_endpoint_gets() -> TestResult {
    let auth = auth();
    let nameless = r#"{"email":"anon@example.com","password":"correct horse battery"}"#;
    // Without the hook, the application's sign-up type needs a name.
    let response = auth.handler(post("/api/auth/signup/email", nameless)).await;
    assert_eq!(error_code(&response), "INVALID_BODY");

    auth.before(
        Matcher::any().path("/signup/email"),
        |mut request: Request| async move {
            let mut body: Map<String, Value> = request.json()?;
            body.entry("name")
                .or_insert_with(|| Value::from("Anonymous"));
            request.set_json(&body)?;
            request
                .headers_mut()
                .insert("user-agent", HeaderValue::from_static("amended-agent"));
            Ok(request)
        },
    );
    let response = auth.handler(post("/api/auth/signup/email", nameless)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["user"]["name"], "Anonymous");
    // The amended header reached the endpoint: the session records it.
    let listed = auth
        .handler(with_header(
            get("/api/auth/sessions"),
            "cookie",
            &cookie(&response),
        ))
        .await;
    assert_eq!(listed.status(), StatusCode::OK);
    assert!(
        listed_user_agents(&json(&listed)).contains(&"amended-agent".to_owned()),
        "{}",
        json(&listed)
    );
    // A name given is kept.
    let response = sign_up(&auth, "named@example.com", "correct horse battery").await;
    assert_eq!(json(&response)["user"]["name"], "Test");
    Ok(())
}

fn listed_user_agents(sessions: &Value) -> Vec<String> {
    sessions
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|session| session["userAgent"].as_str())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn matchers_select_by_method_path_and_plugin() -> TestResult {
    let auth = auth();
    auth.use_plugin(Hello {
        log: Log::default(),
    })?;
    let log: Log = Arc::default();
    let record = |label: &'static str| {
        let log = Arc::clone(&log);
        move |request: Request| {
            let log = Arc::clone(&log);
            async move {
                write(
                    &log,
                    format!("{label} {} {}", request.method(), request.route()),
                );
                Ok(request)
            }
        }
    };
    auth.before(Matcher::any().method(Method::GET), record("get"));
    auth.before(Matcher::any().path("/signin/*"), record("signin"));
    auth.before(Matcher::any().plugin("hello"), record("hello"));
    auth.before(
        Matcher::any().method(Method::POST).plugin("sessions"),
        record("sessions-post"),
    );

    let cookie = cookie(&sign_up(&auth, "m@example.com", "correct horse battery").await);
    assert!(entries(&log).is_empty(), "sign-up matched nothing");
    sign_in(&auth, "m@example.com", "correct horse battery").await;
    auth.handler(get("/api/auth/session")).await;
    auth.handler(get("/api/auth/hello")).await;
    // HEAD runs the safe GET's hooks.
    auth.handler(http::Request::head("/api/auth/session").body(String::new())?)
        .await;
    auth.handler(with_header(
        post("/api/auth/signout", ""),
        "cookie",
        &cookie,
    ))
    .await;
    // A preflight runs no hook.
    let preflight = http::Request::options("/api/auth/signin/email")
        .header("origin", ORIGIN)
        .header("access-control-request-method", "POST")
        .body(String::new())?;
    assert_eq!(
        auth.handler(preflight).await.status(),
        StatusCode::NO_CONTENT
    );

    assert_eq!(
        entries(&log),
        [
            "signin POST /signin/email",
            "get GET /session",
            "get GET /hello",
            "hello GET /hello",
            "get HEAD /session",
            "sessions-post POST /signout",
        ]
    );
    Ok(())
}

#[tokio::test]
async fn an_after_hook_adds_a_field_and_a_header_to_the_sign_in_answer() -> TestResult {
    let auth = auth();
    sign_up(&auth, "ada@example.com", "correct horse battery").await;
    auth.after(
        Matcher::any().path("/signin/email"),
        |request: Arc<Request>, outcome: Result<Reply, Error>| async move {
            let reply = outcome?;
            assert_eq!(request.route(), "/signin/email");
            let mut body: Value = reply.json_body()?;
            body["plan"] = Value::from("free");
            reply.with_json(&body)?.with_header(
                HeaderName::from_static("x-plan"),
                HeaderValue::from_static("free"),
            )
        },
    );
    let response = sign_in(&auth, "ada@example.com", "correct horse battery").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(&response);
    assert_eq!(body["plan"], "free");
    assert_eq!(body["user"]["email"], "ada@example.com");
    assert!(body["token"].is_string());
    assert_eq!(response.headers()["x-plan"], "free");
    assert_eq!(response.headers()["content-type"], "application/json");
    // The session cookie the endpoint asked for is still set.
    assert!(cookie(&response).starts_with("nanoauth.session_token="));

    // Errors pass through `outcome?` untouched.
    let response = sign_in(&auth, "ada@example.com", "wrong password!").await;
    assert_eq!(error_code(&response), "INVALID_CREDENTIALS");
    assert!(response.headers().get("x-plan").is_none());
    Ok(())
}

#[tokio::test]
async fn a_reply_cannot_take_over_cookies_or_caching() -> TestResult {
    let auth = auth();
    // Only the core writes cookies.
    let planted = Reply::success().with_header(
        http::header::SET_COOKIE,
        HeaderValue::from_static("nanoauth.session_token=planted"),
    );
    assert!(planted.is_err());
    // An auth answer is never stored by a shared cache, whatever a hook says.
    auth.after(
        Matcher::any().path("/session"),
        |_request: Arc<Request>, outcome: Result<Reply, Error>| async move {
            outcome?.with_header(
                http::header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            )
        },
    );
    let response = auth.handler(get("/api/auth/session")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let caching: Vec<_> = response.headers().get_all("cache-control").iter().collect();
    assert_eq!(caching, ["no-store"]);
    Ok(())
}

#[tokio::test]
async fn an_after_hook_turns_a_reply_into_an_error_and_sees_endpoint_errors() -> TestResult {
    let auth = auth();
    let cookie = cookie(&sign_up(&auth, "ada@example.com", "correct horse battery").await);
    let seen: Log = Arc::default();
    let sink = Arc::clone(&seen);
    auth.after(
        Matcher::any().path("/session"),
        move |request: Arc<Request>, outcome: Result<Reply, Error>| {
            let sink = Arc::clone(&sink);
            async move {
                let reply = outcome?;
                let body: Value = reply.json_body()?;
                if body["user"]["email"] == "ada@example.com"
                    && request.headers().contains_key("x-kiosk")
                {
                    write(&sink, "refused".to_owned());
                    return Err(Error::plugin(
                        StatusCode::FORBIDDEN,
                        "KIOSK_MODE",
                        "Not on a kiosk.",
                    ));
                }
                Ok(reply)
            }
        },
    );
    let session = || with_header(get("/api/auth/session"), "cookie", &cookie);
    let response = auth.handler(with_header(session(), "x-kiosk", "1")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&response), "KIOSK_MODE");
    assert_eq!(entries(&seen), ["refused"]);
    let response = auth.handler(session()).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(json(&response)["user"]["email"], "ada@example.com");

    // After hooks get the endpoint's errors too, and may replace them.
    auth.after(
        Matcher::any().path("/signin/email"),
        |_request: Arc<Request>, outcome: Result<Reply, Error>| async move {
            match outcome {
                Err(error) if error.code() == "INVALID_CREDENTIALS" => Err(Error::plugin(
                    StatusCode::UNAUTHORIZED,
                    "TRY_AGAIN",
                    "Try again.",
                )),
                other => other,
            }
        },
    );
    let response = sign_in(&auth, "ada@example.com", "wrong password!").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(&response), "TRY_AGAIN");
    Ok(())
}

#[tokio::test]
async fn hooks_run_in_order_plugins_first_and_a_refusal_ends_the_request() -> TestResult {
    let auth = auth();
    let log: Log = Arc::default();
    let before = |label: &'static str| {
        let log = Arc::clone(&log);
        move |request: Request| {
            let log = Arc::clone(&log);
            async move {
                write(&log, label.to_owned());
                if request.headers().contains_key("x-refuse") && label == "app-before-1" {
                    return Err(Error::plugin(StatusCode::FORBIDDEN, "REFUSED", "No."));
                }
                Ok(request)
            }
        }
    };
    let after = |label: &'static str| {
        let log = Arc::clone(&log);
        move |_request: Arc<Request>, outcome: Result<Reply, Error>| {
            let log = Arc::clone(&log);
            async move {
                write(&log, label.to_owned());
                let reply = outcome?;
                let mut body: Value = reply.json_body()?;
                let trail = format!("{}{label};", body["trail"].as_str().unwrap_or_default());
                body["trail"] = Value::from(trail);
                reply.with_json(&body)
            }
        }
    };
    // The application's hooks, registered before the plugin is added...
    auth.after(Matcher::any().path("/hello"), after("app-after-1"));
    auth.before(Matcher::any().path("/hello"), before("app-before-1"));
    auth.before(Matcher::any().path("/hello"), before("app-before-2"));
    auth.after(Matcher::any().path("/hello"), after("app-after-2"));
    // ...still run after the plugin's.
    auth.use_plugin(Hello {
        log: Arc::clone(&log),
    })?;

    let response = auth.handler(get("/api/auth/hello")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        entries(&log),
        [
            "plugin:/hello",
            "app-before-1",
            "app-before-2",
            "app-after-1",
            "app-after-2",
        ]
    );
    assert_eq!(json(&response)["trail"], "app-after-1;app-after-2;");
    assert_eq!(json(&response)["hello"], true);

    // A refusal: later before hooks, the endpoint and the after hooks are
    // skipped.
    if let Ok(mut entries) = log.lock() {
        entries.clear();
    }
    let response = auth
        .handler(with_header(get("/api/auth/hello"), "x-refuse", "1"))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(&response), "REFUSED");
    assert_eq!(entries(&log), ["plugin:/hello", "app-before-1"]);
    Ok(())
}

#[tokio::test]
async fn a_hook_added_later_is_seen_by_every_copy() -> TestResult {
    let auth = auth();
    let mounted = auth.clone(); // say, inside a framework's router
    assert_eq!(
        sign_up(&mounted, "first@example.com", "correct horse battery")
            .await
            .status(),
        StatusCode::OK
    );
    auth.before(
        Matcher::any().path("/signup/*"),
        |_request: Request| async {
            Err(Error::plugin(
                StatusCode::SERVICE_UNAVAILABLE,
                "SIGN_UP_CLOSED",
                "Sign-ups are closed.",
            ))
        },
    );
    let response = sign_up(&mounted, "second@example.com", "correct horse battery").await;
    assert_eq!(error_code(&response), "SIGN_UP_CLOSED");
    assert_eq!(mounted.adapter().user_count(), 1);
    // Routes the matcher does not select are untouched.
    let response = sign_in(&mounted, "first@example.com", "correct horse battery").await;
    assert_eq!(response.status(), StatusCode::OK);
    Ok(())
}
