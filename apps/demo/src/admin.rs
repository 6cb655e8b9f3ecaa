//! The demo's administration: who the administrator is (`--admin EMAIL`,
//! else the first account signed up), the Admin page (users, search, ban,
//! unban, impersonate) and, on the account page, the way back from an
//! impersonation. The page is rendered here; its buttons call the admin
//! plugin's routes from `/admin.js`.

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nanoauth::adapter::UserQuery;
use nanoauth::{AuthBuilder, Email, Event, EventKind};
use nanoauth_admin::{Admin, AdminExt as _, AdminUser, UserSearch, UserView, impersonator};
use nanoauth_axum::MaybeSession;

use crate::app::DemoAuth;
use crate::pages::{escape, layout};
use crate::store::DemoStore;
use crate::user::DemoUser;

/// The demo's role for administrators; everyone else is `member`.
pub(crate) const ADMIN_ROLE: &str = "admin";

/// The demo's roles: one per user, in the `role` column.
impl AdminUser for DemoUser {
    fn roles(&self) -> Vec<String> {
        self.role
            .split(',')
            .filter(|role| !role.is_empty())
            .map(str::to_owned)
            .collect()
    }

    fn set_roles(&mut self, roles: &[String]) {
        self.role = roles.join(",");
    }
}

/// The admin plugin as the demo runs it.
pub(crate) fn plugin() -> Admin {
    Admin::new()
        .roles(["member", ADMIN_ROLE])
        .default_role("member")
}

/// Makes the administrator at sign-up: the account of `admin`, or, when
/// none is named, the first account (the only user once it exists).
pub(crate) fn promote_on_sign_up<A: DemoStore>(
    builder: AuthBuilder<DemoUser, A>,
    admin: Option<Email>,
) -> AuthBuilder<DemoUser, A> {
    builder.on(EventKind::AfterSignUp, move |event, auth| {
        let admin = admin.clone();
        async move {
            let Event::SignedUp { user } = event else {
                return;
            };
            let chosen = match &admin {
                Some(email) => user.email == email.as_str(),
                None => auth
                    .adapter()
                    .search_users(&UserQuery::new(2))
                    .await
                    .is_ok_and(|users| users.len() == 1),
            };
            if chosen {
                make_admin(auth.adapter(), user).await;
            }
        }
    })
}

/// At start: the named address's account, if it exists already, is the
/// administrator.
pub(crate) async fn promote_existing<A: DemoStore>(adapter: &A, admin: &Email) {
    if let Ok(Some(user)) = adapter.find_user_by_email(admin).await {
        make_admin(adapter, user).await;
    }
}

async fn make_admin<A: DemoStore>(adapter: &A, mut user: DemoUser) {
    if user.roles().iter().any(|role| role == ADMIN_ROLE) {
        return;
    }
    user.set_roles(&[ADMIN_ROLE.to_owned()]);
    match adapter.update_user(&user).await {
        Ok(_) => tracing::info!(email = %user.email, "administrator of the demo"),
        Err(error) => tracing::warn!(%error, "could not make the administrator"),
    }
}

/// `GET /admin`: the users, searched by `?query=` (address or name
/// prefix), with a button per action. Administrators only.
pub(crate) async fn page<A: DemoStore>(
    State(auth): State<DemoAuth<A>>,
    MaybeSession(session): MaybeSession<DemoUser>,
    uri: Uri,
) -> Response {
    let Some(session) = session else {
        return Redirect::to("/sign-in").into_response();
    };
    let admin = auth.admin();
    if impersonator(&session).is_some() || !admin.is_admin(&session.user).unwrap_or(false) {
        return (
            StatusCode::FORBIDDEN,
            Html(layout(
                "Admin",
                r#"<h1>Admin</h1><p>Only administrators see this page. <a href="/account">Your account</a></p>"#,
            )),
        )
            .into_response();
    }
    let query = nanoauth::utils::url::query_param(uri.query(), "query").unwrap_or_default();
    let cursor = nanoauth::utils::url::query_param(uri.query(), "cursor");
    let mut search = UserSearch::all().limit(50);
    if !query.trim().is_empty() {
        search = search.query(query.trim());
    }
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        search = search.cursor(cursor);
    }
    match admin.list_users(search).await {
        Ok(page) => {
            let next = page.next_cursor.map(|cursor| {
                format!(
                    r#"<a id="next-page" href="/admin?query={}&amp;cursor={}">Next page</a>"#,
                    nanoauth::utils::url::encode(&query),
                    nanoauth::utils::url::encode(&cursor)
                )
            });
            let html = users_page(&page.users, &session.user.id, &query, next.as_deref());
            ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
        }
        Err(error) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Html(crate::pages::unavailable(&error.message())),
        )
            .into_response(),
    }
}

fn users_page(users: &[UserView<DemoUser>], me: &str, query: &str, next: Option<&str>) -> String {
    let rows: String = users
        .iter()
        .map(|view| {
            let user = &view.user;
            let id = escape(&user.id);
            let status = match &view.ban {
                Some(ban) => format!(
                    r#"<span class="badge banned">Banned</span> {}"#,
                    escape(ban.reason.as_deref().unwrap_or(""))
                ),
                None => "Active".to_owned(),
            };
            let actions = if user.id == me {
                r#"<span class="badge">You</span>"#.to_owned()
            } else {
                let ban = if view.ban.is_some() {
                    format!(r#"<button class="unban secondary" data-action="unban" data-id="{id}">Unban</button>"#)
                } else {
                    format!(r#"<button class="ban danger" data-action="ban" data-id="{id}">Ban</button>"#)
                };
                let impersonate = if view.roles.iter().any(|r| r == ADMIN_ROLE) {
                    String::new()
                } else {
                    format!(
                        r#"<button class="impersonate secondary" data-action="impersonate" data-id="{id}">Impersonate</button>"#
                    )
                };
                format!("{ban} {impersonate}")
            };
            format!(
                r#"<tr class="user" data-email="{email}"><td class="email">{email}</td><td>{name}</td><td class="roles">{roles}</td><td class="status">{status}</td><td>{actions}</td></tr>"#,
                email = escape(&user.email),
                name = escape(&user.name),
                roles = escape(&view.roles.join(", ")),
            )
        })
        .collect();
    layout(
        "Admin",
        &format!(
            r#"<h1>Admin</h1>
<form id="user-search" method="get" action="/admin">
  <label for="query">Search by email or name</label>
  <input id="query" name="query" value="{query}" autocomplete="off">
  <button type="submit" class="secondary">Search</button>
</form>
<label for="ban-reason">Reason for a ban (shown to the user)</label>
<input id="ban-reason" maxlength="500" placeholder="e.g. Spam">
<table id="users">
  <thead><tr><th>Email</th><th>Name</th><th>Roles</th><th>Status</th><th></th></tr></thead>
  <tbody>{rows}</tbody>
</table>
{next}
<p><a href="/account">Your account</a></p>
<script type="module" src="/admin.js"></script>"#,
            query = escape(query),
            next = next.unwrap_or_default(),
        ),
    )
}

/// What the account page adds: a link to the Admin page for
/// administrators, and, in an impersonation, who is impersonating and the
/// way back.
pub(crate) fn account_extras<A: DemoStore>(
    auth: &DemoAuth<A>,
    session: &nanoauth::Session<DemoUser>,
) -> String {
    if impersonator(session).is_some() {
        return format!(
            r#"<div id="impersonating" class="banner">You are signed in as {} by an administrator (impersonation, at most an hour). <button id="stop-impersonating" data-action="stop-impersonating">Stop impersonating</button></div>
<script type="module" src="/admin.js"></script>"#,
            escape(&session.user.email)
        );
    }
    if auth.admin().is_admin(&session.user).unwrap_or(false) {
        return r#"<p id="admin-link"><a href="/admin">Admin: users, bans, impersonation</a></p>"#
            .to_owned();
    }
    String::new()
}

/// `/admin.js`: the Admin page's buttons.
pub(crate) async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/admin.js"),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use nanoauth::Auth;
    use nanoauth::plugins::email_password::EmailPassword;
    use nanoauth::utils::password::PasswordHasher;
    use nanoauth_sqlx::SqlAdapter;
    use tower::ServiceExt as _;

    use super::*;

    /// The demo's app with the admin plugin, over a fresh SQLite file.
    async fn demo(admin: Option<&str>) -> Router {
        let path = std::env::temp_dir().join(format!(
            "nanoauth-demo-admin-{}.db",
            nanoauth::utils::token::random_id().unwrap()
        ));
        let adapter = SqlAdapter::<DemoUser>::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        adapter.migrate().await.unwrap();
        crate::add_role_column(&adapter).await.unwrap();
        let builder = Auth::builder(adapter)
            .secret("demo test secret, thirty-two bytes or more")
            .base_url("http://localhost:3000")
            .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
            // What the account page shows.
            .plugin(crate::two_factor::plugin())
            .plugin(nanoauth_passkey::Passkeys::new("NanoAuth Demo"))
            .plugin(nanoauth_api_key::ApiKeys::new())
            .plugin(plugin());
        let builder = promote_on_sign_up(builder, admin.map(|a| Email::parse(a).unwrap()));
        crate::app::app(builder.build().unwrap())
    }

    async fn send(app: &Router, request: Request<Body>) -> (StatusCode, String, Option<String>) {
        let response = app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), cookie)
    }

    fn post(path: &str, cookie: &str, body: &str) -> Request<Body> {
        Request::post(path)
            .header("content-type", "application/json")
            .header("origin", "http://localhost:3000")
            .header("cookie", cookie)
            .body(Body::from(body.to_owned()))
            .unwrap()
    }

    fn get(path: &str, cookie: &str) -> Request<Body> {
        Request::get(path)
            .header("cookie", cookie)
            .body(Body::empty())
            .unwrap()
    }

    async fn sign_up(app: &Router, email: &str) -> (String, String) {
        let body = format!(r#"{{"email":"{email}","password":"correct horse","name":"N"}}"#);
        let (status, answer, cookie) = send(app, post("/api/auth/signup/email", "", &body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let id = serde_json::from_str::<serde_json::Value>(&answer).unwrap()["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        (id, cookie.unwrap())
    }

    #[tokio::test]
    async fn the_first_user_administers_and_a_ban_ends_the_others_session() {
        let app = demo(None).await;
        let (_, admin) = sign_up(&app, "first@example.com").await;
        let (user_id, user) = sign_up(&app, "second@example.com").await;

        let (status, page, _) = send(&app, get("/admin", &admin)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page.contains(r#"<td class="email">second@example.com</td>"#));
        assert!(page.contains(r#"data-action="impersonate""#));
        let (_, account, _) = send(&app, get("/account", &admin)).await;
        assert!(account.contains(r#"id="admin-link""#));
        let (status, _, _) = send(&app, get("/admin", &user)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (_, account, _) = send(&app, get("/account", &user)).await;
        assert!(!account.contains(r#"id="admin-link""#));

        let ban = format!(r#"{{"userId":"{user_id}","reason":"Spam"}}"#);
        let (status, answer, _) = send(&app, post("/api/auth/admin/ban-user", &admin, &ban)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let (status, _, _) = send(&app, get("/account", &user)).await;
        assert_eq!(
            status,
            StatusCode::SEE_OTHER,
            "the banned user's page lost its session"
        );
        let sign_in = r#"{"email":"second@example.com","password":"correct horse"}"#;
        let (status, answer, _) = send(&app, post("/api/auth/signin/email", "", sign_in)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            answer.contains("BANNED") && answer.contains("Spam"),
            "{answer}"
        );
        let (_, page, _) = send(&app, get("/admin", &admin)).await;
        assert!(
            page.contains(r#"<span class="badge banned">Banned</span> Spam"#),
            "{page}"
        );
    }

    #[tokio::test]
    async fn a_named_address_is_the_administrator() {
        let app = demo(Some("boss@example.com")).await;
        let (_, first) = sign_up(&app, "first@example.com").await;
        let (_, boss) = sign_up(&app, "boss@example.com").await;
        let (status, _, _) = send(&app, get("/admin", &first)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send(&app, get("/admin", &boss)).await;
        assert_eq!(status, StatusCode::OK);
    }
}
