//! Bad input and faults: values a database cannot store, sign-ups that fail
//! half-way, and a database that goes away and comes back.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nanoauth::PasswordAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Adapter, AdapterError, Auth, Email};
use nanoauth_testing::ConformanceUser;
use support::TestAdapter;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn user(id: &str, email: &str) -> ConformanceUser {
    ConformanceUser::sample(
        id.into(),
        Email::parse(email).unwrap_or_else(|| unreachable!()),
    )
}

/// A NUL in PostgreSQL text is refused by the database: the adapter says
/// `InvalidInput` (answered 400) and writes nothing.
#[tokio::test]
async fn postgres_nul_is_invalid_input_and_writes_nothing() -> TestResult {
    let Some(adapter) = support::postgres().await else {
        return Ok(());
    };
    let mut nul_name = user("nul-name", "nul-name@example.com");
    nul_name.name = "a\0b".into();
    let result = adapter.create_user_with_password(&nul_name, "hash").await;
    assert!(
        matches!(result, Err(AdapterError::InvalidInput(_))),
        "{result:?}"
    );
    assert!(adapter.get_user("nul-name").await?.is_none());

    // The user row is fine, its password is not: the whole sign-up is undone.
    let half = user("half", "half@example.com");
    let result = adapter.create_user_with_password(&half, "hash\0").await;
    assert!(
        matches!(result, Err(AdapterError::InvalidInput(_))),
        "{result:?}"
    );
    assert!(adapter.get_user("half").await?.is_none(), "no partial user");
    assert!(
        adapter
            .find_user_by_email(&Email::parse("half@example.com").unwrap_or_else(|| unreachable!()))
            .await?
            .is_none()
    );
    Ok(())
}

/// Values longer than their columns are refused as `InvalidInput` (400) or
/// stored whole (SQLite has no length limits), never an internal error, and
/// nothing half-written remains.
#[tokio::test]
async fn overlong_values_are_invalid_input_or_stored() -> TestResult {
    for adapter in support::every_database().await {
        let mut long = user("long-name", "long-name@example.com");
        long.name = "ü".repeat(10_000);
        match adapter.create_user_with_password(&long, "hash").await {
            Ok(()) => {
                let stored = adapter.get_user("long-name").await?;
                assert_eq!(
                    stored.map(|u| u.name.len()),
                    Some(20_000),
                    "{:?}",
                    adapter.dialect()
                );
            }
            Err(AdapterError::InvalidInput(_)) => {
                assert!(
                    adapter.get_user("long-name").await?.is_none(),
                    "{:?}",
                    adapter.dialect()
                );
            }
            Err(other) => return Err(format!("{:?}: {other:?}", adapter.dialect()).into()),
        }
    }
    Ok(())
}

/// A failure after the user row is written (here: a duplicate password row,
/// planted by hand) rolls the user back, on every database.
#[tokio::test]
async fn a_sign_up_failing_half_way_leaves_no_user() -> TestResult {
    for adapter in support::every_database().await {
        // Foreign keys are off for this one insert's purpose: a password row
        // for a user id that does not exist yet.
        let orphan = match adapter.dialect() {
            nanoauth_sqlx::Dialect::MySql => {
                "SET FOREIGN_KEY_CHECKS = 0; INSERT INTO passwords (user_id, hash) VALUES ('taken-id', 'x'); SET FOREIGN_KEY_CHECKS = 1"
            }
            nanoauth_sqlx::Dialect::Postgres => {
                "ALTER TABLE passwords DROP CONSTRAINT IF EXISTS passwords_user_id_fkey; INSERT INTO passwords (user_id, hash) VALUES ('taken-id', 'x')"
            }
            _ => {
                "PRAGMA foreign_keys = OFF; INSERT INTO passwords (user_id, hash) VALUES ('taken-id', 'x'); PRAGMA foreign_keys = ON"
            }
        };
        adapter.execute_unprepared(orphan).await?;
        let result = adapter
            .create_user_with_password(&user("taken-id", "half-way@example.com"), "hash")
            .await;
        assert!(
            result.is_err(),
            "{:?}: the password insert must fail",
            adapter.dialect()
        );
        assert!(
            adapter.get_user("taken-id").await?.is_none(),
            "{:?}: the user row was rolled back",
            adapter.dialect()
        );
    }
    Ok(())
}

/// Forwards TCP connections to `target` while `open` is set; when closed it
/// drops every connection and refuses new ones, like a database going down.
struct Proxy {
    addr: SocketAddr,
    open: Arc<AtomicBool>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let open = Arc::new(AtomicBool::new(true));
        let gate = Arc::clone(&open);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !gate.load(Ordering::SeqCst) {
                    continue; // dropped: connection reset
                }
                let gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = copy_bidirectional(&mut client, &mut server) => {}
                        _ = async {
                            while gate.load(Ordering::SeqCst) {
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                        } => {}
                    }
                });
            }
        });
        Ok(Self { addr, open })
    }

    fn set_open(&self, open: bool) {
        self.open.store(open, Ordering::SeqCst);
    }
}

/// The host:port of a server URL.
fn server_of(url: &str, default_port: u16) -> Option<SocketAddr> {
    let rest = url.split("://").nth(1)?;
    let host_port = rest.split('/').next()?.rsplit('@').next()?;
    let host_port = if host_port.contains(':') {
        host_port.to_owned()
    } else {
        format!("{host_port}:{default_port}")
    };
    host_port.replace("localhost", "127.0.0.1").parse().ok()
}

/// The database goes away (PostgreSQL, then MariaDB): `get_session` errors
/// with `Unavailable`, the handler answers 503 `DATABASE_UNAVAILABLE` at once
/// (never a panic, never after the pool's acquire timeout), and both recover
/// by themselves when the database is back.
#[tokio::test]
async fn database_outage_is_a_fast_503_and_recovers() -> TestResult {
    for (url, default_port) in [
        (support::postgres_url().await, 5432),
        (support::mysql_url().await, 3306),
    ] {
        let Some(url) = url else { continue };
        outage_through_a_proxy(&url, default_port).await?;
    }
    Ok(())
}

async fn outage_through_a_proxy(url: &str, default_port: u16) -> TestResult {
    drop(support::prepared(url).await);
    let target = server_of(url, default_port).ok_or("cannot read host:port from the test URL")?;
    let proxy = Proxy::start(target).await?;
    let adapter: TestAdapter = TestAdapter::builder(through(url, proxy.addr).ok_or("bad URL")?)
        .connect()
        .await?;
    let dialect = adapter.dialect();

    let hasher = PasswordHasher::with_params(64, 1, 1)?;
    let hash = hasher.hash("correct horse battery")?;
    adapter
        .create_user_with_password(&user("outage", "outage@example.com"), &hash)
        .await?;
    let auth = Auth::builder(adapter)
        .secret("fault test secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .plugin(EmailPassword::new().hasher(hasher))
        .build()?;
    let sign_in = http::Request::post("/api/auth/signin/email")
        .header("content-type", "application/json")
        .body(r#"{"email":"outage@example.com","password":"correct horse battery"}"#.to_owned())?;
    let response = auth.handler(sign_in).await;
    assert_eq!(response.status(), 200, "{dialect:?}");
    let cookie = response.headers()["set-cookie"]
        .to_str()?
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned();
    let session = || {
        http::Request::get("/api/auth/session")
            .header("cookie", &cookie)
            .body(String::new())
            .unwrap_or_else(|_| unreachable!())
    };

    proxy.set_open(false);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let down = auth.handler(session()).await;
    let first = started.elapsed();
    assert_eq!(down.status(), 503, "{dialect:?}");
    let body: serde_json::Value = serde_json::from_slice(down.body())?;
    assert_eq!(body["error"]["code"], "DATABASE_UNAVAILABLE");
    let started = Instant::now();
    let page = http::Request::get("/").header("cookie", &cookie).body(())?;
    assert!(matches!(
        auth.get_session(&page).await,
        Err(nanoauth::Error::Adapter(AdapterError::Unavailable(_)))
    ));
    let second = started.elapsed();
    eprintln!("{dialect:?} down: first 503 in {first:?}, the next in {second:?}");
    // The pool would wait 3 s for a connection; a refused one is found out
    // within tens of milliseconds, and the next request fails at once.
    assert!(first < Duration::from_secs(1), "{dialect:?}: {first:?}");
    assert!(
        second < Duration::from_millis(500),
        "{dialect:?}: {second:?}"
    );

    proxy.set_open(true);
    let mut recovered = false;
    for _ in 0..50 {
        if auth.handler(session()).await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "{dialect:?}: the pool reconnects by itself");
    let body: serde_json::Value = serde_json::from_slice(auth.handler(session()).await.body())?;
    assert_eq!(body["user"]["email"], "outage@example.com");
    Ok(())
}

/// A server that refuses connections, as a stopped database does, is
/// answered `Unavailable` within a fraction of the acquire timeout, on both
/// network databases; needs no server.
#[tokio::test]
async fn refused_connections_fail_fast() -> TestResult {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    for url in [
        format!("postgres://postgres@127.0.0.1:{port}/test"),
        format!("mysql://root@127.0.0.1:{port}/test"),
    ] {
        let adapter: TestAdapter = TestAdapter::builder(url.as_str()).connect_lazy()?;
        for attempt in 0..3 {
            let started = Instant::now();
            let result = adapter.get_user("anyone").await;
            let took = started.elapsed();
            assert!(
                matches!(result, Err(AdapterError::Unavailable(_))),
                "{url}: {result:?}"
            );
            assert!(
                took < Duration::from_millis(500),
                "{url} attempt {attempt}: {took:?}"
            );
        }
    }
    Ok(())
}

/// A pool whose every connection is busy is not an outage: the request
/// queues (up to the acquire timeout) and is served.
#[tokio::test]
async fn a_busy_pool_queues_rather_than_failing() -> TestResult {
    for (url, sleep) in [
        (support::postgres_url().await, "SELECT pg_sleep(0.4)"),
        (support::mysql_url().await, "SELECT SLEEP(0.4)"),
    ] {
        let Some(url) = url else { continue };
        drop(support::prepared(&url).await);
        let adapter: TestAdapter = TestAdapter::builder(url.as_str())
            .max_connections(1)
            .connect()
            .await?;
        let busy = adapter.clone();
        let holder = tokio::spawn(async move { busy.execute_unprepared(sleep).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let queued = adapter.get_user("anyone").await;
        assert!(
            matches!(queued, Ok(None)),
            "{:?}: {queued:?}",
            adapter.dialect()
        );
        assert!(
            started.elapsed() >= Duration::from_millis(200),
            "{:?}: it waited for the busy connection",
            adapter.dialect()
        );
        holder.await??;
    }
    Ok(())
}

/// `url` with its host:port replaced by `proxy`.
fn through(url: &str, proxy: SocketAddr) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let userinfo = authority
        .rsplit_once('@')
        .map(|(user, _)| format!("{user}@"))
        .unwrap_or_default();
    Some(format!("{scheme}://{userinfo}{proxy}/{path}"))
}

/// A verifications table made before tokens could keep data (no `data`
/// column, no migrations table) is brought up to date by `migrate()`, on
/// every database.
#[tokio::test]
async fn migrate_adds_columns_that_older_tables_lack() -> TestResult {
    use nanoauth::utils::token::TokenHash;
    use nanoauth::{VerificationAdapter, VerificationRecord};
    for adapter in support::every_database().await {
        adapter
            .execute_unprepared("ALTER TABLE verifications DROP COLUMN data")
            .await?;
        adapter
            .execute_unprepared("DROP TABLE nanoauth_migrations")
            .await?;
        adapter.migrate().await?;
        adapter.migrate().await?;
        let record = VerificationRecord::new(TokenHash::of("t"), "magic-link", "a@b.example", 1)
            .with_data(r#"{"name":"Ada"}"#);
        adapter.save_verification(&record).await?;
        let back = adapter
            .consume_verification(&record.token_hash, "magic-link")
            .await?;
        assert_eq!(back, Some(record), "{:?}", adapter.dialect());
    }
    Ok(())
}
