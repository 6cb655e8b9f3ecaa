//! A small actix-web app with NanoAuth: the auth routes under `/api/auth`,
//! a page for signed-in users only (`/me`) and a public one (`/`).
//!
//! ```sh
//! cargo run -p nanoauth-actix --example actix
//!
//! curl -i -c jar -H 'Origin: http://localhost:3000' -H 'Content-Type: application/json' \
//!   -d '{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}' \
//!   http://localhost:3000/api/auth/signup/email
//! curl -i -b jar http://localhost:3000/me     # 200 {"id":..,"email":..,"name":"Ada"}
//! curl -i http://localhost:3000/me            # 401 {"error":{"code":"UNAUTHORIZED",..}}
//! curl -b jar http://localhost:3000/          # Hello, Ada!
//! ```

use actix_web::{App, HttpResponse, HttpServer, get};
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser};
use nanoauth_actix::{MaybeSession, RefreshSessionCookie, Session};

/// Only for signed-in users: anyone else gets the core's 401 JSON error.
#[get("/me")]
async fn me(session: Session<BasicUser>) -> HttpResponse {
    HttpResponse::Ok().json(&session.user)
}

/// For everyone, greeting signed-in users by name.
#[get("/")]
async fn home(MaybeSession(session): MaybeSession<BasicUser>) -> String {
    match session {
        Some(session) if !session.user.name.is_empty() => {
            format!("Hello, {}!\n", session.user.name)
        }
        Some(session) => format!("Hello, {}!\n", session.user.email),
        None => "Hello, visitor! POST /api/auth/signup/email to join.\n".to_owned(),
    }
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("AUTH_SECRET")
        .unwrap_or_else(|_| "dev secret: at least 32 bytes long!!".to_owned());
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret(secret)
        // The browser-facing origin: trusted for state-changing requests.
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new())
        .build()?;

    println!("listening on http://localhost:3000");
    HttpServer::new(move || {
        App::new()
            .wrap(RefreshSessionCookie)
            .configure(nanoauth_actix::configure(auth.clone()))
            .service(me)
            .service(home)
    })
    .bind(("127.0.0.1", 3000))?
    .run()
    .await?;
    Ok(())
}
