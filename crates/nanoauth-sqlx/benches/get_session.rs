//! `Auth::get_session` with a valid session cookie: token verification, the
//! session lookup by hash and the user lookup, per adapter.
//!
//! ```text
//! NANOAUTH_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//! NANOAUTH_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test \
//! NANOAUTH_TEST_REDIS_URL=redis://127.0.0.1:6379 \
//!   cargo bench -p nanoauth-sqlx --bench get_session
//! ```
//! `sqlite+session_cache` is the no-database mode (`session_cache`): the
//! token is verified, the session and user come from memory.
//! Server-backed adapters are skipped when their variable is unset. The
//! Redis case keeps users in SQLite and sessions in Redis, as an
//! application would.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use nanoauth::PasswordAdapter;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser, ClientInfo, Email};
use nanoauth_redis::{RedisSessions, RedisStore};
use nanoauth_sqlx::SqlAdapter;
use tokio::runtime::Runtime;

/// An `Auth` over `adapter` with one signed-in user, and that user's cookie.
/// `session_cache` is the session cache's time to live (0: off).
async fn signed_in<A: PasswordAdapter<BasicUser>>(
    adapter: A,
    session_cache: u64,
) -> (Auth<BasicUser, A>, HeaderMap) {
    let hasher = PasswordHasher::with_params(64, 1, 1).unwrap();
    let email = format!(
        "bench-{}@example.com",
        nanoauth::utils::token::random_id().unwrap().to_lowercase()
    );
    let user = BasicUser {
        id: nanoauth::utils::token::random_id().unwrap(),
        email: Email::parse(&email).unwrap().into(),
        name: "Bench".into(),
    };
    adapter
        .create_user_with_password(&user, &hasher.hash("bench password").unwrap())
        .await
        .unwrap();
    let auth = Auth::builder(adapter)
        .secret("benchmark secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .session_cache(session_cache)
        .plugin(EmailPassword::new().hasher(hasher))
        .build()
        .unwrap();
    let signed = auth
        .email_password()
        .sign_in(&email, "bench password", ClientInfo::default())
        .await
        .unwrap()
        .signed_in()
        .expect("no second factor here");
    let mut headers = HeaderMap::new();
    let cookie = format!("{}={}", auth.cookie_name(), signed.token.expose_secret());
    headers.insert(http::header::COOKIE, cookie.parse().unwrap());
    (auth, headers)
}

fn bench_adapter<A: PasswordAdapter<BasicUser>>(
    c: &mut Criterion,
    runtime: &Runtime,
    name: &str,
    adapter: A,
) {
    bench_with_cache(c, runtime, name, adapter, 0);
}

fn bench_with_cache<A: PasswordAdapter<BasicUser>>(
    c: &mut Criterion,
    runtime: &Runtime,
    name: &str,
    adapter: A,
    session_cache: u64,
) {
    let (auth, headers) = runtime.block_on(signed_in(adapter, session_cache));
    assert!(
        runtime
            .block_on(auth.get_session_from_headers(&headers))
            .unwrap()
            .is_some()
    );
    c.bench_function(&format!("get_session/{name}"), |b| {
        b.to_async(runtime).iter(|| async {
            auth.get_session_from_headers(&headers)
                .await
                .unwrap()
                .unwrap()
        });
    });
}

async fn sql(url: &str) -> SqlAdapter<BasicUser> {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
}

fn get_session(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    bench_adapter(c, &runtime, "memory", MemoryAdapter::<BasicUser>::new());

    let path = std::env::temp_dir().join(format!("nanoauth-bench-{}.db", std::process::id()));
    let sqlite = runtime.block_on(sql(&format!("sqlite://{}", path.display())));
    bench_adapter(c, &runtime, "sqlite", sqlite.clone());
    // The no-database mode: the session cache answers after the first check.
    bench_with_cache(c, &runtime, "sqlite+session_cache", sqlite, 60);

    for (name, variable) in [
        ("postgres", "NANOAUTH_TEST_POSTGRES_URL"),
        ("mysql", "NANOAUTH_TEST_MYSQL_URL"),
    ] {
        match std::env::var(variable) {
            Ok(url) => {
                let adapter = runtime.block_on(sql(&url));
                bench_adapter(c, &runtime, name, adapter);
            }
            Err(_) => eprintln!("skipping get_session/{name}: {variable} is not set"),
        }
    }
    match std::env::var("NANOAUTH_TEST_REDIS_URL") {
        Ok(url) => {
            let users_path = std::env::temp_dir()
                .join(format!("nanoauth-bench-users-{}.db", std::process::id()));
            let adapter = runtime.block_on(async {
                let users = sql(&format!("sqlite://{}", users_path.display())).await;
                let store = RedisStore::builder(url)
                    .prefix("nanoauth-bench:")
                    .connect()
                    .await
                    .unwrap();
                RedisSessions::new(users, store)
            });
            bench_adapter(c, &runtime, "redis_sessions_sqlite_users", adapter);
            let _ = std::fs::remove_file(&users_path);
        }
        Err(_) => eprintln!("skipping get_session/redis: NANOAUTH_TEST_REDIS_URL is not set"),
    }
    let _ = std::fs::remove_file(&path);
}

criterion_group!(benches, get_session);
criterion_main!(benches);
