//! The client's admin calls against a real NanoAuth server with the admin
//! plugin (axum, in-memory adapter) on a free loopback port: listing users,
//! a ban that ends the user's session, and an impersonation started and
//! stopped, in cookie and in bearer mode.

#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;

use axum::Router;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Adapter, Auth, AuthUser, NewUser, NoFields, UpdateUserAdapter};
use nanoauth_admin::{Admin, AdminUser};
use nanoauth_axum::AuthRouterExt;
use nanoauth_client::{AuthClient, ClientError, Mode, StatusCode, UserListQuery};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The server's user: roles as comma-separated text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Person {
    id: String,
    email: String,
    name: String,
    role: String,
}

#[derive(Debug, Deserialize)]
struct PersonSignUp {
    #[serde(default)]
    name: String,
}

impl AuthUser for Person {
    type SignUp = PersonSignUp;
    type Update = NoFields;
    fn id(&self) -> &str {
        &self.id
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn from_sign_up(new: NewUser<PersonSignUp>) -> Self {
        Self {
            id: new.id,
            email: new.email.into(),
            name: new.fields.name,
            role: "user".into(),
        }
    }
    fn apply_update(&mut self, _: NoFields) {}
}

impl AdminUser for Person {
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

const PASSWORD: &str = "correct horse battery";

/// A server on 127.0.0.1:0; answers its URL and its `Auth` (to make the
/// first user an administrator, as an application's setup would).
async fn server() -> (String, Auth<Person, MemoryAdapter<Person>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let auth = Auth::builder(MemoryAdapter::<Person>::new())
        .secret("client test secret, thirty-two bytes or more")
        .base_url(&url)
        .plugin(EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap()))
        .plugin(Admin::new())
        .build()
        .unwrap();
    let app = Router::new().nanoauth(auth.clone());
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    (url, auth)
}

fn client(url: &str, mode: Mode) -> AuthClient<Person> {
    AuthClient::builder(url).mode(mode).build().unwrap()
}

fn api_code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> (StatusCode, String) {
    match result {
        Err(ClientError::Api { status, code, .. }) => (status, code),
        other => panic!("expected an API error, got {other:?}"),
    }
}

async fn admin_flow(mode: Mode) {
    let (url, auth) = server().await;
    let admin = client(&url, mode);
    let own = admin
        .sign_up_email("admin@example.com", PASSWORD, json!({"name": "Admin"}))
        .await
        .unwrap();
    let mut promoted = auth
        .adapter()
        .get_user(&own.user.id)
        .await
        .unwrap()
        .unwrap();
    promoted.role = "admin".into();
    assert!(auth.adapter().update_user(&promoted).await.unwrap());
    let user = client(&url, mode);
    let ada = user
        .sign_up_email("ada@example.com", PASSWORD, json!({"name": "Ada"}))
        .await
        .unwrap()
        .user;

    // Ordinary users are refused.
    assert_eq!(
        api_code(user.admin().list_users(&UserListQuery::all()).await),
        (StatusCode::FORBIDDEN, "FORBIDDEN".into())
    );
    let page = admin
        .admin()
        .list_users(&UserListQuery::search("ada"))
        .await
        .unwrap();
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].user.email, "ada@example.com");

    // Impersonation: this client is Ada, marked with the administrator.
    let as_ada = admin.admin().impersonate_user(&ada.id).await.unwrap();
    assert_eq!(as_ada.user.id, ada.id);
    assert_eq!(
        as_ada.session.attribute_str("impersonatedBy"),
        Some(own.user.id.as_str())
    );
    assert!(as_ada.session.expires_at <= as_ada.session.created_at + 3600);
    assert_eq!(admin.store().get().session.unwrap().user.id, ada.id);
    // Ada sees it in her own list.
    let listed = user.list_sessions().await.unwrap();
    assert!(
        listed
            .iter()
            .any(|listed| listed.session.id == as_ada.session.id),
        "{listed:?}"
    );
    // No administration while impersonating.
    assert_eq!(
        api_code(admin.admin().list_users(&UserListQuery::all()).await).0,
        StatusCode::FORBIDDEN
    );

    // Stop: the administrator's own session is back, the same one.
    let back = admin.admin().stop_impersonating().await.unwrap().unwrap();
    assert_eq!(back.user.id, own.user.id);
    assert_eq!(back.session.id, own.session.id);
    assert_eq!(admin.store().get().session.unwrap().user.id, own.user.id);
    assert!(
        admin
            .admin()
            .list_users(&UserListQuery::all())
            .await
            .is_ok()
    );

    // A ban ends Ada's session at once and refuses her next sign-in.
    admin
        .admin()
        .ban_user(&ada.id, Some("Spam"), None)
        .await
        .unwrap();
    assert!(user.session().await.unwrap().is_none());
    assert_eq!(
        api_code(user.sign_in_email("ada@example.com", PASSWORD).await),
        (StatusCode::FORBIDDEN, "BANNED".into())
    );
}

#[tokio::test]
async fn cookie_mode_administers_and_impersonates() {
    admin_flow(Mode::Cookie).await;
}

#[tokio::test]
async fn bearer_mode_administers_and_impersonates() {
    admin_flow(Mode::Bearer).await;
}
