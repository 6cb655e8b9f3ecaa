//! `Auth` as a tower `Service`, and over a real hyper connection.

use http_body_util::BodyExt as _;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser};
use tower_service::Service as _;

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

fn auth() -> Result<Auth<BasicUser, MemoryAdapter<BasicUser>>, nanoauth::ConfigError> {
    Auth::builder(MemoryAdapter::new())
        .secret("tower test secret, thirty-two bytes or more")
        .base_url("http://127.0.0.1:3000")
        .plugin(
            EmailPassword::new().hasher(PasswordHasher::with_params(64, 1, 1).unwrap_or_default()),
        )
        .build()
}

#[tokio::test]
async fn the_service_answers_like_the_handler() -> TestResult {
    let mut service = auth()?.into_service();
    std::future::poll_fn(|cx| {
        tower_service::Service::<http::Request<String>>::poll_ready(&mut service, cx)
    })
    .await?;
    let response = service
        .call(http::Request::get("/api/auth/session").body(String::new())?)
        .await?;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.into_body().collect().await?.to_bytes().as_ref(),
        b"null"
    );
    Ok(())
}

#[tokio::test]
async fn over_a_real_hyper_connection() -> TestResult {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let service = TowerToHyperService::new(auth()?.into_service());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });

    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let body = r#"{"email":"hyper@example.com","password":"correct horse battery","name":"H"}"#;
    let request = http::Request::post("/api/auth/signup/email")
        .header("host", addr.to_string())
        .header("content-type", "application/json")
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["set-cookie"]
            .to_str()?
            .contains("HttpOnly")
    );
    Ok(())
}
