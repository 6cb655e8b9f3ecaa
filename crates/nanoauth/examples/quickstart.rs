//! Signs a user up and in against the in-memory adapter, through the same
//! `Auth::handler` a web framework would call, and prints the session.
//!
//! ```text
//! cargo run --example quickstart
//! ```

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, Event, EventKind};

type Error = Box<dyn std::error::Error>;

fn json_post(path: &str, body: &str) -> Result<http::Request<String>, Error> {
    Ok(http::Request::post(path)
        .header("content-type", "application/json")
        .body(body.to_owned())?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("quickstart secret: use 32+ random bytes in production")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new())
        .build()?;
    auth.on(EventKind::AfterSignUp, |event, _auth| async move {
        if let Event::SignedUp { user } = event {
            println!("event: {} signed up", user.email);
        }
    });

    let sign_up = json_post(
        "/api/auth/signup/email",
        r#"{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}"#,
    )?;
    let response = auth.handler(sign_up).await;
    println!("POST /signup/email -> {}", response.status());

    let sign_in = json_post(
        "/api/auth/signin/email",
        r#"{"email":"Ada@Example.com","password":"correct horse battery"}"#,
    )?;
    let response = auth.handler(sign_in).await;
    println!("POST /signin/email -> {}", response.status());
    let cookie = response
        .headers()
        .get("set-cookie")
        .ok_or("no cookie")?
        .to_str()?;
    println!("Set-Cookie: {}...", &cookie[..cookie.len().min(60)]);
    let cookie = cookie.split(';').next().unwrap_or_default();

    let session = http::Request::get("/api/auth/session")
        .header("cookie", cookie)
        .body(String::new())?;
    let response = auth.handler(session).await;
    println!(
        "GET /session -> {} {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );

    let wrong = json_post(
        "/api/auth/signin/email",
        r#"{"email":"ada@example.com","password":"wrong password"}"#,
    )?;
    let response = auth.handler(wrong).await;
    println!(
        "POST /signin/email (wrong password) -> {} {}",
        response.status(),
        String::from_utf8_lossy(response.body())
    );
    Ok(())
}
