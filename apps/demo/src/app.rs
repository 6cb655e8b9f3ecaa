//! The demo's router: pages, assets and the mounted NanoAuth routes.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Router, middleware};
use nanoauth::Auth;
use nanoauth_api_key::ApiKeysExt as _;
use nanoauth_axum::{AuthRouterExt, MaybeSession};
use nanoauth_oauth::OAuth;
use nanoauth_passkey::PasskeysExt as _;
use nanoauth_two_factor::TwoFactorExt as _;

use crate::logging;
use crate::pages;
use crate::social;
use crate::store::DemoStore;
use crate::two_factor;
use crate::user::DemoUser;

/// The demo's `Auth`, over whichever storage `main` picked.
pub(crate) type DemoAuth<A> = Auth<DemoUser, A>;

/// Every page and route of the demo.
pub(crate) fn app<A: DemoStore>(auth: DemoAuth<A>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/sign-up", get(sign_up))
        .route("/sign-in", get(sign_in::<A>))
        .route("/account", get(account::<A>))
        .route("/account/two-factor/enable", post(two_factor::enable::<A>))
        .route(
            two_factor::CHALLENGE_PAGE,
            get(two_factor::challenge_page::<A>),
        )
        .route("/forgot-password", get(forgot_password))
        .route("/reset-password", get(reset_password))
        .route("/admin", get(crate::admin::page::<A>))
        .route("/admin.js", get(crate::admin::script))
        .route("/app.js", get(script))
        .route("/nanoauth-client.js", get(client_script))
        .route("/app.css", get(style))
        .merge(crate::organizations::routes::<A>())
        // A log line per page (the API's come from NanoAuth itself).
        .route_layer(middleware::from_fn(logging::page_request))
        .fallback(not_found)
        .with_state(auth.clone())
        .nanoauth(auth)
        .layer(middleware::map_response(security_headers))
}

async fn home(MaybeSession(session): MaybeSession<DemoUser>) -> Redirect {
    Redirect::to(if session.is_some() {
        "/account"
    } else {
        "/sign-in"
    })
}

async fn sign_up(MaybeSession(session): MaybeSession<DemoUser>) -> Response {
    match session {
        Some(_) => Redirect::to("/account").into_response(),
        None => Html(pages::sign_up()).into_response(),
    }
}

async fn sign_in<A: DemoStore>(
    State(auth): State<DemoAuth<A>>,
    MaybeSession(session): MaybeSession<DemoUser>,
) -> Response {
    if session.is_some() {
        return Redirect::to("/account").into_response();
    }
    // A button per configured provider, in configuration order.
    let providers: Vec<(String, String)> = auth
        .plugin::<OAuth<DemoUser>>()
        .map(|oauth| {
            oauth
                .providers()
                .map(|p| {
                    let label = social::label(p.id(), |name| std::env::var(name).ok());
                    (p.id().to_owned(), label)
                })
                .collect()
        })
        .unwrap_or_default();
    Html(pages::sign_in(&providers)).into_response()
}

async fn forgot_password() -> Html<String> {
    Html(pages::forgot_password())
}

async fn reset_password() -> Html<String> {
    Html(pages::reset_password())
}

async fn account<A: DemoStore>(
    State(auth): State<DemoAuth<A>>,
    MaybeSession(session): MaybeSession<DemoUser>,
    uri: axum::http::Uri,
) -> Response {
    let Some(session) = session else {
        // A magic link that failed lands here with `?error=CODE`: carry it
        // to the sign-in page, which explains it.
        let error = uri
            .query()
            .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("error=")))
            .filter(|code| code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'));
        let target = error.map_or_else(
            || "/sign-in".to_owned(),
            |code| format!("/sign-in?error={code}"),
        );
        return Redirect::to(&target).into_response();
    };
    let now = auth.now();
    let loaded = async {
        let sessions = nanoauth::Adapter::list_sessions(auth.adapter(), &session.user.id).await?;
        let two_factor = auth.two_factor().status(&session.user).await?;
        let passkeys = auth.passkeys().list(&session.user).await?;
        let api_keys = auth.api_keys().list(&session.user.id).await?;
        Ok::<_, nanoauth::Error>((sessions, two_factor, passkeys, api_keys))
    };
    match loaded.await {
        Ok((mut sessions, two_factor, passkeys, api_keys)) => {
            sessions.retain(|s| s.expires_at > now);
            sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
            let page = pages::account(
                &session.user,
                &sessions,
                &session.session.id,
                &two_factor,
                &passkeys,
                &api_keys,
                now,
            );
            // The Admin link, or the impersonation banner, above the page.
            let extras = crate::admin::account_extras(&auth, &session);
            let page = page.replacen("<main>", &format!("<main>\n{extras}"), 1);
            let mut response = Html(page).into_response();
            // A lookup that slid the session's expiry renews the cookie.
            if let Some(cookie) = session
                .refreshed_token()
                .and_then(|t| auth.session_cookie(t).ok())
            {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            response
        }
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(pages::unavailable(&error.message())),
        )
            .into_response(),
    }
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/app.js"),
    )
}

/// The NanoAuth browser client (`clients/js`), bundled into one ES module
/// that `app.js` imports. Committed, so the demo needs no Node to run:
/// `npm run build:demo` in `clients/js` regenerates it.
async fn client_script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/nanoauth-client.js"),
    )
}

async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../assets/app.css"),
    )
}

async fn not_found() -> (StatusCode, Html<String>) {
    (StatusCode::NOT_FOUND, Html(pages::not_found()))
}

/// Pages load only their own script and style, and never in a frame. An
/// answer that brings its own policy keeps it: NanoAuth's link pages allow
/// exactly their inline script (by hash) and send no `Referer`, since their
/// URL holds the link's token.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ));
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use nanoauth::plugins::email_password::EmailPassword;
    use nanoauth::utils::password::PasswordHasher;
    use tower::ServiceExt as _;

    use nanoauth_sqlx::SqlAdapter;

    use super::*;

    async fn demo() -> Router {
        demo_with(Vec::new()).await
    }

    async fn demo_with(providers: Vec<nanoauth_oauth::Provider>) -> Router {
        demo_built(providers, |builder| builder).await
    }

    async fn demo_with_plugin<P>(plugin: P) -> Router
    where
        P: nanoauth::Plugin<DemoUser, SqlAdapter<DemoUser>>,
    {
        demo_built(Vec::new(), |builder| builder.plugin(plugin)).await
    }

    async fn demo_built(
        providers: Vec<nanoauth_oauth::Provider>,
        more: impl FnOnce(
            nanoauth::AuthBuilder<DemoUser, SqlAdapter<DemoUser>>,
        ) -> nanoauth::AuthBuilder<DemoUser, SqlAdapter<DemoUser>>,
    ) -> Router {
        demo_over(sqlite_users().await, providers, more)
    }

    /// A fresh SQLite database, migrated as the demo does on start.
    async fn sqlite_users() -> SqlAdapter<DemoUser> {
        let path = std::env::temp_dir().join(format!(
            "nanoauth-demo-test-{}.db",
            nanoauth::utils::token::random_id().unwrap()
        ));
        let adapter = SqlAdapter::<DemoUser>::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        adapter.migrate().await.unwrap();
        crate::add_role_column(&adapter).await.unwrap();
        crate::add_role_column(&adapter).await.unwrap(); // a second start
        adapter
    }

    /// The demo's app over `adapter`, configured as `main` does.
    fn demo_over<A: DemoStore>(
        adapter: A,
        providers: Vec<nanoauth_oauth::Provider>,
        more: impl FnOnce(nanoauth::AuthBuilder<DemoUser, A>) -> nanoauth::AuthBuilder<DemoUser, A>,
    ) -> Router {
        let mut builder = Auth::builder(adapter)
            .secret("demo test secret, thirty-two bytes or more")
            // As the demo runs without --base-url.
            .base_url("http://localhost:3000")
            .trusted_origin("http://127.0.0.1:3000")
            .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
            .plugin(nanoauth::plugins::account::Account::new(
                nanoauth::email::DangerConsoleSender,
            ))
            .plugin(crate::two_factor::plugin())
            .plugin(nanoauth_passkey::Passkeys::new("NanoAuth Demo"))
            .plugin(nanoauth_passkey::PasskeySignUp::new())
            .plugin(nanoauth_api_key::ApiKeys::new())
            .plugin(nanoauth_jwt::Jwt::new())
            .user_schema()
            .sign_up_schema()
            .update_schema();
        if !providers.is_empty() {
            builder = builder.plugin(social::plugin(providers));
        }
        app(more(builder).build().unwrap())
    }

    async fn send(
        app: &Router,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, String) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn get(path: &str, cookie: &str) -> Request<Body> {
        Request::get(path)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap()
    }

    #[tokio::test]
    async fn pages_load_the_script_and_the_client_from_this_origin() {
        let app = demo().await;
        let (_, _, page) = send(&app, get("/sign-in", "")).await;
        assert!(page.contains(r#"<script type="module" src="/app.js"></script>"#));
        let (status, headers, script) = send(&app, get("/app.js", "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(script.contains(r#"from "/nanoauth-client.js""#));
        let (status, headers_client, client) = send(&app, get("/nanoauth-client.js", "")).await;
        assert_eq!(status, StatusCode::OK);
        for headers in [&headers, &headers_client] {
            assert_eq!(
                headers["content-type"], "text/javascript; charset=utf-8",
                "a module script needs a JavaScript type"
            );
        }
        assert!(client.contains("export {") && client.contains("createAuthClient"));
        assert!(client.contains("createPasskeyClient"));
        // Only this origin's scripts run (no inline script, no other host).
        let (_, headers, _) = send(&app, get("/sign-in", "")).await;
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.starts_with("default-src 'self';"), "{policy}");
        assert!(!policy.contains("script-src"), "{policy}");
    }

    #[tokio::test]
    async fn the_session_list_names_the_device() {
        let app = demo().await;
        let agent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
        let sign_up = Request::post("/api/auth/signup/email")
            .header("content-type", "application/json")
            .header("origin", "http://127.0.0.1:3000")
            .header("user-agent", agent)
            .body(Body::from(
                r#"{"email":"device@example.com","password":"correct horse"}"#,
            ))
            .unwrap();
        let (status, headers, _) = send(&app, sign_up).await;
        assert_eq!(status, StatusCode::OK);
        let cookie = headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        // The name a person reads; the raw string on hover.
        assert!(
            page.contains(&format!(
                r#"<td class="agent" title="{agent}">Chrome on Linux</td>"#
            )),
            "{page}"
        );
    }

    #[tokio::test]
    async fn the_account_page_edits_the_name_and_deletes_the_account() {
        let app = demo().await;
        let post = |path: &str, cookie: &str, body: &'static str| {
            Request::post(path)
                .header("content-type", "application/json")
                .header("origin", "http://127.0.0.1:3000")
                .header("cookie", cookie)
                .body(Body::from(body))
                .unwrap()
        };
        let (status, headers, _) = send(
            &app,
            post(
                "/api/auth/signup/email",
                "",
                r#"{"email":"edit@example.com","password":"correct horse","name":"Old"}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let cookie = headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        for form in ["edit-name", "change-email", "delete-account"] {
            assert!(page.contains(&format!(r#"<form id="{form}">"#)), "{form}");
        }

        // Trimmed as at sign-up; `role` is no update field (SQLite, the
        // demo's own column).
        let (status, _, _) = send(
            &app,
            post(
                "/api/auth/update-user",
                &cookie,
                r#"{"name":"  <b>New</b>  ","role":"admin"}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(
            page.contains(r#"<dd id="user-name">&lt;b&gt;New&lt;/b&gt;</dd>"#),
            "{page}"
        );
        assert!(page.contains(r#"<dd id="user-role">member</dd>"#));

        let (status, _, body) = send(
            &app,
            post(
                "/api/auth/delete-user",
                &cookie,
                r#"{"password":"correct horse"}"#,
            ),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, r#"{"deleted":true}"#)
        );
        let (status, headers, _) = send(&app, get("/account", &cookie)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "the session is gone");
        assert_eq!(headers["location"], "/sign-in");
    }

    #[tokio::test]
    async fn pages_follow_the_session() {
        let app = demo().await;
        let (status, headers, _) = send(&app, get("/account", "")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/sign-in");
        let (status, headers, body) = send(&app, get("/sign-up", "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#"<form id="sign-up">"#));
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );

        let sign_up = Request::post("/api/auth/signup/email")
            .header("content-type", "application/json")
            .header("origin", "http://127.0.0.1:3000")
            .body(Body::from(r#"{"email":"demo@example.com","password":"correct horse","name":"<i>Demo</i>","role":"admin"}"#))
            .unwrap();
        let (status, headers, _) = send(&app, sign_up).await;
        assert_eq!(status, StatusCode::OK);
        let cookie = headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();

        let (status, _, body) = send(&app, get("/account", &cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains(r#"<dd id="user-role">member</dd>"#),
            "role is the server's choice"
        );
        assert!(
            body.contains("&lt;i&gt;Demo&lt;/i&gt;"),
            "names are escaped"
        );
        assert!(body.contains(r#"class="session current""#));
        let (status, headers, _) = send(&app, get("/sign-in", &cookie)).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/account")
        );
    }

    /// The demo's pages get its policy; a link page keeps the core's, or
    /// its inline script could not run and its token would go out as a
    /// `Referer`. A `HEAD` (a mail scanner) leaves the link whole.
    #[tokio::test]
    async fn link_pages_keep_their_own_policy_and_survive_head() {
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
        let sent = links.clone();
        let sender = nanoauth::email::send_with(move |mail: nanoauth::email::OutgoingEmail| {
            let sent = sent.clone();
            async move {
                let link = mail.text.split_whitespace().find(|w| w.starts_with("http"));
                sent.lock().unwrap().extend(link.map(str::to_owned));
                Ok(())
            }
        });
        let app = demo_with_plugin(nanoauth::plugins::magic_link::MagicLink::new(sender)).await;
        let json_post = |path: &str, body: &str| {
            Request::post(path)
                .header("content-type", "application/json")
                .header("origin", "http://127.0.0.1:3000")
                .body(Body::from(body.to_owned()))
                .unwrap()
        };
        let (status, _, _) = send(
            &app,
            json_post(
                "/api/auth/signup/email",
                r#"{"email":"link@example.com","password":"correct horse","name":"L"}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = send(
            &app,
            json_post(
                "/api/auth/signin/magic-link",
                r#"{"email":"link@example.com","callbackURL":"/account"}"#,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        // The mail goes out in the background.
        let mut link = None;
        for _ in 0..200 {
            link = links.lock().unwrap().last().cloned();
            if link.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let link = link.expect("a link was mailed");
        let path = link
            .strip_prefix("http://localhost:3000")
            .unwrap()
            .to_owned();

        let head = Request::head(&path).body(Body::empty()).unwrap();
        let (status, headers, body) = send(&app, head).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
        assert!(headers.get("set-cookie").is_none());

        let (status, headers, page) = send(&app, get(&path, "")).await;
        assert_eq!(status, StatusCode::OK);
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.starts_with("default-src 'none'; script-src 'sha256-"),
            "{policy}"
        );
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let token = page
            .split(r#"name="token" value=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap();
        let confirm = Request::post("/api/auth/magic/verify")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "null")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(format!("token={token}&callbackURL=%2Faccount")))
            .unwrap();
        let (status, headers, _) = send(&app, confirm).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(headers["location"], "/account");
        assert!(headers.get("set-cookie").is_some(), "signed in");
    }

    #[tokio::test]
    async fn bad_input_gets_readable_errors_and_the_app_keeps_going() {
        let app = demo().await;
        let bad = Request::post("/api/auth/signin/email")
            .header("content-type", "application/json")
            .body(Body::from("{\"email\":"))
            .unwrap();
        let (status, _, body) = send(&app, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("INVALID_JSON"));
        let (status, _, body) = send(&app, get("/nope/../../etc/passwd", "")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.contains("Page not found"));
        let (status, _, _) = send(&app, get("/sign-in", "nanoauth.session_token=garbage")).await;
        assert_eq!(status, StatusCode::OK);
    }

    /// `GET /api/auth/openapi.json` lists every route of every plugin the
    /// demo has, each described by its plugin, with the demo's own user.
    #[tokio::test]
    async fn every_route_is_described() {
        // Every plugin `main` adds, the administration and organizations too.
        let app = demo_built(
            vec![nanoauth_oauth::providers::github("id", "secret")],
            |builder| {
                builder
                    .plugin(crate::admin::plugin())
                    .plugin(crate::organizations::plugin())
            },
        )
        .await;
        let (status, _, body) = send(&app, get("/api/auth/openapi.json", "")).await;
        assert_eq!(status, StatusCode::OK);
        let description: serde_json::Value = serde_json::from_str(&body).unwrap();
        let mut operations = 0;
        for (path, item) in description["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                operations += 1;
                let summary = operation["summary"].as_str().unwrap();
                assert_ne!(summary, "Not described by its plugin.", "{method} {path}");
            }
        }
        for (method, path) in [
            ("post", "/signin/{provider}"),
            ("get", "/callback/{provider}"),
            ("post", "/two-factor/verify-totp"),
            ("post", "/signup/passkey"),
            ("post", "/api-key/create"),
            ("get", "/jwks"),
            ("post", "/update-user"),
            ("post", "/admin/ban-user"),
        ] {
            assert!(
                description["paths"][path][method].is_object(),
                "{method} {path}"
            );
        }
        assert!(operations > 45, "{operations}");
        // Session routes take an API key too (the api-key plugin's header).
        let security = &description["paths"]["/sessions"]["get"]["security"];
        assert!(
            security
                .as_array()
                .unwrap()
                .contains(&serde_json::json!({ "x-api-key": [] })),
            "{security}"
        );
        assert_eq!(
            description["components"]["securitySchemes"]["x-api-key"]["in"],
            "header"
        );
        // The demo's user, with its own field.
        let user = &description["components"]["schemas"]["DemoUser"];
        assert!(user["properties"]["role"].is_object(), "{user}");
    }

    #[tokio::test]
    async fn configured_providers_get_sign_in_buttons() {
        let (_, _, page) = send(&demo().await, get("/sign-in", "")).await;
        assert!(!page.contains("id=\"social\""), "no provider, no buttons");

        let providers = vec![
            nanoauth_oauth::providers::github("id", "secret"),
            nanoauth_oauth::Provider::oidc("oidc", "http://127.0.0.1:9", "id").client_secret("s"),
        ];
        let app = demo_with(providers).await;
        let (status, _, page) = send(&app, get("/sign-in", "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains(r#"data-provider="github">Sign in with GitHub</button>"#));
        assert!(page.contains(r#"data-provider="oidc">Sign in with "#));
        // The button's request: the provider's URL, PKCE and all.
        let start = Request::post("/api/auth/signin/github")
            .header("content-type", "application/json")
            .header("origin", "http://127.0.0.1:3000")
            .body(Body::from(
                r#"{"callbackURL":"/account","errorCallbackURL":"/sign-in"}"#,
            ))
            .unwrap();
        let (status, _, body) = send(&app, start).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(
            body.contains("https://github.com/login/oauth/authorize?"),
            "{body}"
        );
        assert!(body.contains("code_challenge_method=S256"), "{body}");
    }

    fn json_post(path: &str, cookie: &str, body: &str) -> Request<Body> {
        Request::post(path)
            .header("content-type", "application/json")
            .header("origin", "http://127.0.0.1:3000")
            .header("cookie", cookie)
            .body(Body::from(body.to_owned()))
            .unwrap()
    }

    /// The `name=value` pairs of the `Set-Cookie` headers, as a browser
    /// would send them back (cleared cookies left out).
    fn cookies_of(headers: &axum::http::HeaderMap) -> String {
        headers
            .get_all("set-cookie")
            .iter()
            .map(|value| value.to_str().unwrap())
            .filter(|value| !value.contains("Max-Age=0"))
            .map(|value| value.split(';').next().unwrap().to_owned())
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn totp_now(secret: &str) -> String {
        use nanoauth_two_factor::secret::TotpSecret;
        use nanoauth_two_factor::totp::Totp;
        let secret = TotpSecret::from_base32(&secret.replace(' ', "")).unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        Totp::default().generate(&secret, now)
    }

    /// The account page lists API keys (never the key) and passkeys; a key
    /// acts as its owner; a fresh session may start registering a passkey;
    /// the JWT routes answer.
    #[tokio::test]
    async fn api_keys_passkeys_and_tokens() {
        let app = demo().await;
        let body = r#"{"email":"keys@example.com","password":"correct horse","name":"K"}"#;
        let (status, headers, _) = send(&app, json_post("/api/auth/signup/email", "", body)).await;
        assert_eq!(status, StatusCode::OK);
        let cookie = cookies_of(&headers);
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(page.contains(r#"id="no-passkeys""#), "{page}");
        assert!(page.contains(r#"id="no-api-keys""#));

        let create = r#"{"name":"<b>script</b>","expiresIn":86400}"#;
        let (status, _, body) =
            send(&app, json_post("/api/auth/api-key/create", &cookie, create)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let created: serde_json::Value = serde_json::from_str(&body).unwrap();
        let key = created["key"].as_str().unwrap().to_owned();
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(page.contains(r#"<td class="api-key-name">&lt;b&gt;script&lt;/b&gt;</td>"#));
        assert!(page.contains(r#"data-enabled="true""#));
        assert!(!page.contains(&key), "the key is shown once, by the API");

        let with_key = Request::get("/api/auth/session")
            .header("x-api-key", &key)
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&app, with_key).await;
        assert_eq!(status, StatusCode::OK);
        let session: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(session["user"]["email"], "keys@example.com");
        assert_eq!(session["session"]["kind"], "api-key");

        let (status, _, body) = send(
            &app,
            json_post("/api/auth/passkey/register/options", &cookie, "{}"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let options: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "localhost");

        let (status, _, body) = send(&app, get("/api/auth/token", &cookie)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.starts_with(r#"{"token":"ey"#), "{body}");
        let (status, _, body) = send(&app, get("/api/auth/jwks", "")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains(r#""alg":"EdDSA""#), "{body}");

        let (_, _, page) = send(&app, get("/sign-in", "")).await;
        assert!(page.contains(r#"id="passkey-sign-in""#));
        assert!(page.contains(r#"autocomplete="username webauthn""#));
    }

    /// Enrol on the account page, confirm, sign out, sign in: the challenge
    /// page, then a backup code signs in.
    #[tokio::test]
    async fn two_factor_from_the_account_page_to_the_challenge_page() {
        let app = demo().await;
        let body = r#"{"email":"tf@example.com","password":"correct horse","name":"T"}"#;
        let (status, headers, _) = send(&app, json_post("/api/auth/signup/email", "", body)).await;
        assert_eq!(status, StatusCode::OK);
        let cookie = cookies_of(&headers);

        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(
            page.contains(r#"<section id="two-factor" data-state="off">"#),
            "{page}"
        );

        // The enrolment goes through the API's checks...
        let wrong = r#"{"password":"not it at all"}"#;
        let (status, _, body) = send(
            &app,
            json_post("/account/two-factor/enable", &cookie, wrong),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("INVALID_PASSWORD"), "{body}");
        let hostile = Request::post("/account/two-factor/enable")
            .header("content-type", "application/json")
            .header("origin", "https://evil.example")
            .header("cookie", &cookie)
            .body(Body::from(r#"{"password":"correct horse"}"#))
            .unwrap();
        let (status, _, _) = send(&app, hostile).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "the API's origin check");

        // ...and answers HTML: the QR code, the key, the backup codes.
        let right = r#"{"password":"correct horse"}"#;
        let (status, headers, html) = send(
            &app,
            json_post("/account/two-factor/enable", &cookie, right),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(html.contains(r#"<div id="totp-qr" class="qr"><svg"#));
        let secret = html
            .split(r#"<code id="totp-secret">"#)
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .unwrap()
            .to_owned();
        assert!(
            !html.contains("otpauth://"),
            "the URI is in the QR code only"
        );
        let backup: Vec<String> = html
            .split("<li><code>")
            .skip(1)
            .map(|rest| rest.split('<').next().unwrap().to_owned())
            .collect();
        assert_eq!(backup.len(), 10);
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(page.contains(r#"data-state="pending""#));

        let confirm = format!(r#"{{"code":"{}"}}"#, totp_now(&secret));
        let (status, _, body) = send(
            &app,
            json_post("/api/auth/two-factor/verify-totp", &cookie, &confirm),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, r#"{"enabled":true}"#)
        );
        let (_, _, page) = send(&app, get("/account", &cookie)).await;
        assert!(page.contains(r#"<p id="two-factor-status">On. 10 backup codes left.</p>"#));

        // Signed out, the password alone reaches the challenge page only.
        send(&app, json_post("/api/auth/signout", &cookie, "")).await;
        let (status, _, _) = send(&app, get("/two-factor", "")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "no sign-in waits");
        let credentials = r#"{"email":"tf@example.com","password":"correct horse"}"#;
        let (status, headers, body) =
            send(&app, json_post("/api/auth/signin/email", "", credentials)).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, r#"{"twoFactorRequired":true}"#)
        );
        let challenge = cookies_of(&headers);
        assert!(challenge.starts_with("nanoauth.two_factor="), "{challenge}");
        let (status, _, page) = send(
            &app,
            get("/two-factor?callbackURL=%2F%2Fevil.example", &challenge),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            page.contains(r#"data-next="/account""#),
            "a foreign target is dropped"
        );
        assert!(page.contains(r#"id="send-email-code""#));

        let code = format!(r#"{{"code":"{}"}}"#, backup[0]);
        let (status, headers, body) = send(
            &app,
            json_post("/api/auth/two-factor/verify-backup-code", &challenge, &code),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let session = cookies_of(&headers);
        let (status, _, page) = send(&app, get("/account", &session)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("9 backup codes left"));
        let (status, headers, _) =
            send(&app, get("/two-factor?callbackURL=%2Faccount", &session)).await;
        assert_eq!(
            (status, headers["location"].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/account"),
            "signed in already"
        );
    }

    /// With `--redis-url`: the same pages over users in SQL and sessions in
    /// Redis; the account page lists the sessions Redis holds, and a
    /// revoked one is gone from it and refused.
    #[tokio::test]
    async fn the_pages_work_over_sessions_in_redis() {
        let Some(url) = nanoauth_testing::servers::REDIS.url() else {
            return;
        };
        let prefix = format!("{}:", nanoauth_testing::databases::unique_name());
        let store = nanoauth_redis::RedisStore::builder(url.clone())
            .prefix(prefix.clone())
            .connect()
            .await
            .unwrap();
        let adapter = nanoauth_redis::RedisSessions::new(sqlite_users().await, store);
        let app = demo_over(adapter, Vec::new(), |builder| builder);
        let body = r#"{"email":"redis@example.com","password":"correct horse","name":"R"}"#;
        let (status, headers, _) = send(&app, json_post("/api/auth/signup/email", "", body)).await;
        assert_eq!(status, StatusCode::OK);
        let first = cookies_of(&headers);
        let credentials = r#"{"email":"redis@example.com","password":"correct horse"}"#;
        let (status, headers, _) =
            send(&app, json_post("/api/auth/signin/email", "", credentials)).await;
        assert_eq!(status, StatusCode::OK);
        let second = cookies_of(&headers);

        let (status, _, page) = send(&app, get("/account", &first)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.matches(r#"<tr class="session"#).count(), 2, "{page}");

        let (status, _, _) = send(&app, json_post("/api/auth/signout", &second, "")).await;
        assert_eq!(status, StatusCode::OK);
        let (_, _, page) = send(&app, get("/account", &first)).await;
        assert_eq!(page.matches(r#"<tr class="session"#).count(), 1, "{page}");
        let (status, headers, _) = send(&app, get("/account", &second)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "signed out");
        assert_eq!(headers["location"], "/sign-in");

        // This test's keys, out of the shared server.
        let client = redis::Client::open(url).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(!keys.is_empty(), "the sessions were kept in Redis");
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<()>(&mut connection)
            .await
            .unwrap();
    }
}
