//! Every adapter that stores passkeys, fresh for each test: memory,
//! SQLite, and PostgreSQL and MySQL/MariaDB where `nanoauth_testing::servers`
//! finds them (each test in a schema or database of its own). Passkeys are
//! plugin records, so these are the adapters with a `RecordAdapter`;
//! `nanoauth-redis` forwards records to the store it wraps (its own
//! conformance suite checks the forwarding).
//!
//! `on_every_adapter!(case, ...)` turns each `async fn case<A: TestAdapter>
//! (adapter: A)` into one test per adapter: `memory::case`,
//! `sqlite::case`, `postgres::case`, `mysql::case`.

use nanoauth::BasicUser;
use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth_sqlx::SqlAdapter;
use nanoauth_testing::servers;

pub fn memory() -> MemoryAdapter<BasicUser> {
    MemoryAdapter::new()
}

pub async fn sqlite() -> SqlAdapter<BasicUser> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-passkey");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", unique_name()));
    migrated(&format!("sqlite://{}", path.display())).await
}

/// A fresh schema on the PostgreSQL server, or `None` (the skip printed)
/// when there is none.
pub async fn postgres() -> Option<SqlAdapter<BasicUser>> {
    let url = servers::POSTGRES.url()?;
    let schema = unique_name();
    let admin = SqlAdapter::<BasicUser>::connect(&url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    Some(migrated(&format!("{url}{separator}options=-csearch_path%3D{schema}")).await)
}

/// A fresh database on the MySQL/MariaDB server, or `None` (the skip
/// printed) when there is none.
pub async fn mysql() -> Option<SqlAdapter<BasicUser>> {
    let url = servers::MYSQL.url()?;
    let database = unique_name();
    let admin = SqlAdapter::<BasicUser>::connect(&url).await.unwrap();
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database}"))
        .await
        .unwrap();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(base, _)| base);
    Some(migrated(&format!("{base}/{database}")).await)
}

/// Named as the SQL adapter's own tests name theirs, so their clean-up
/// drops what a dead run left behind.
fn unique_name() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let tag: String = nanoauth::utils::token::random_id()
        .unwrap()
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect();
    format!("nanoauth_t_{secs}_{tag}")
}

async fn migrated(url: &str) -> SqlAdapter<BasicUser> {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
}

/// One test per adapter for each named case (see the module's docs).
#[macro_export]
macro_rules! on_every_adapter {
    ($($case:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::common::adapters::memory()).await;
                }
            )+
        }
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case($crate::common::adapters::sqlite().await).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some(adapter) = $crate::common::adapters::postgres().await {
                        super::$case(adapter).await;
                    }
                }
            )+
        }
        mod mysql {
            $(
                #[tokio::test]
                async fn $case() {
                    if let Some(adapter) = $crate::common::adapters::mysql().await {
                        super::$case(adapter).await;
                    }
                }
            )+
        }
    };
}
