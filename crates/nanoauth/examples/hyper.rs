//! NanoAuth on plain hyper, through its tower `Service`.
//!
//! ```text
//! cargo run -p nanoauth --example hyper
//! ```

use std::net::SocketAddr;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("hyper example secret: use 32+ random bytes")
        .base_url("http://127.0.0.1:3001")
        .plugin(EmailPassword::new())
        .build()?;
    let service = TowerToHyperService::new(auth.into_service());

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 3001))).await?;
    println!("try: curl http://127.0.0.1:3001/api/auth/session");
    loop {
        let (stream, _) = listener.accept().await?;
        let service = service.clone();
        tokio::spawn(async move {
            let _ = Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
