//! NanoAuth in an axum app: the README's example.
//!
//! ```text
//! cargo run -p nanoauth-axum --example axum
//! ```

use axum::{Router, middleware, routing::get};
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
use nanoauth_axum::{AuthRouterExt, Session, require_session};

async fn me(Session(session): Session<BasicUser>) -> String {
    format!("Hello, {}!", session.user.email)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(
            std::env::var("AUTH_SECRET")
                .unwrap_or_else(|_| "dev only: a secret of 32+ bytes!".into()),
        )
        .base_url("http://127.0.0.1:3000")
        .plugin(EmailPassword::new())
        .build()?;

    let app = Router::new()
        .route("/me", get(me))
        .route_layer(middleware::from_fn(require_session::<BasicUser>)) // 401 without a session
        .route(
            "/",
            get(|| async { "POST /api/auth/signup/email, then GET /me" }),
        )
        .nanoauth(auth); // mounts /api/auth/*; keep it last

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
