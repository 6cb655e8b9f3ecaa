//! NanoAuth on plain hyper, through its tower `Service`.
//!
//! ```text
//! cargo run -p nanoauth --example hyper
//! ```

use std::net::SocketAddr;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::{Auth, BasicUser, ClientAddr};
use tower_service::Service as _;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        .secret("hyper example secret: use 32+ random bytes")
        .base_url("http://127.0.0.1:3001")
        .plugin(EmailPassword::new())
        .build()?;

    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 3001))).await?;
    println!("try: curl http://127.0.0.1:3001/api/auth/session");
    loop {
        let (stream, peer) = listener.accept().await?;
        let service = auth.clone().into_service();
        // hyper does not put the peer's address on the request: the rate
        // limits count clients by it, and sessions record it.
        let service = service_fn(move |mut request: http::Request<_>| {
            request.extensions_mut().insert(ClientAddr(peer));
            service.clone().call(request)
        });
        tokio::spawn(async move {
            let _ = Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
