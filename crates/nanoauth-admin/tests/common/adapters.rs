//! Every adapter the plugin runs on, fresh for each test: memory, SQLite,
//! and PostgreSQL and MySQL/MariaDB where `nanoauth_testing::servers`
//! finds them (each test in a schema or database of its own, from
//! `nanoauth_testing::databases`), with the test user type's `role` column
//! added the way an application adds its own. Bans are plugin records and
//! users are listed through `ListUsersAdapter`; `nanoauth-redis` forwards
//! both to the store it wraps (its conformance suite checks that).
//!
//! `on_every_adapter!(case, ...)` turns each `async fn case<A: TestAdapter>
//! (adapter: A)` into one test per adapter: `memory::case`,
//! `sqlite::case`, `postgres::case`, `mysql::case`.

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth_sqlx::SqlAdapter;
use nanoauth_testing::databases;

use super::Person;

pub fn memory() -> MemoryAdapter<Person> {
    MemoryAdapter::new()
}

pub async fn sqlite() -> SqlAdapter<Person> {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("nanoauth-admin");
    migrated(&databases::sqlite_url(&dir)).await
}

/// A fresh schema on the PostgreSQL server, or `None` (the skip printed)
/// when there is none.
pub async fn postgres() -> Option<SqlAdapter<Person>> {
    Some(migrated(&databases::postgres_url().await?).await)
}

/// A fresh database on the MySQL/MariaDB server, or `None` (the skip
/// printed) when there is none.
pub async fn mysql() -> Option<SqlAdapter<Person>> {
    Some(migrated(&databases::mysql_url().await?).await)
}

async fn migrated(url: &str) -> SqlAdapter<Person> {
    let adapter = SqlAdapter::<Person>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    adapter
        .execute_unprepared(
            "ALTER TABLE users ADD COLUMN role VARCHAR(255) NOT NULL DEFAULT 'user'",
        )
        .await
        .unwrap();
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
