//! Every adapter that stores organizations, fresh for each test: memory,
//! SQLite, and PostgreSQL and MySQL/MariaDB where `nanoauth_testing::servers`
//! finds them (each test in a schema or database of its own, from
//! `nanoauth_testing::databases`). Organizations are
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
use nanoauth_testing::databases;

pub fn memory() -> MemoryAdapter<BasicUser> {
    MemoryAdapter::new()
}

pub async fn sqlite() -> SqlAdapter<BasicUser> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-organization");
    migrated(&databases::sqlite_url(&dir)).await
}

/// A fresh schema on the PostgreSQL server, or `None` (the skip printed)
/// when there is none.
pub async fn postgres() -> Option<SqlAdapter<BasicUser>> {
    Some(migrated(&databases::postgres_url().await?).await)
}

/// A fresh database on the MySQL/MariaDB server, or `None` (the skip
/// printed) when there is none.
pub async fn mysql() -> Option<SqlAdapter<BasicUser>> {
    Some(migrated(&databases::mysql_url().await?).await)
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
