//! One pool type over the three drivers, and a macro that runs the same
//! code against whichever is inside.

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::dialect::Dialect;

/// A connection pool of one of the supported databases.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

/// Runs `$body` with `$pool` bound to the concrete sqlx pool. The body is
/// written once and compiled per driver, so the queries stay identical while
/// each driver gets its own concrete types.
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            $crate::pool::Pool::Sqlite($p) => $body,
            $crate::pool::Pool::Postgres($p) => $body,
            $crate::pool::Pool::MySql($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// How long a request waits for a connection before the database counts as
/// unavailable (answered 503): long enough for a burst, short enough that a
/// dead database fails fast.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

impl Pool {
    /// Opens a pool lazily: connections are made on first use, so an
    /// application starts even while its database is still coming up, and a
    /// pool recovers by itself when the database returns.
    pub(crate) fn connect_lazy(
        dialect: Dialect,
        url: &str,
        max_connections: u32,
    ) -> Result<Self, sqlx::Error> {
        Ok(match dialect {
            Dialect::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    // WAL lets readers proceed during a write; NORMAL is
                    // durable across application crashes in WAL mode.
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                Self::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(max_connections)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect_lazy_with(options),
                )
            }
            Dialect::Postgres => Self::Postgres(
                PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .connect_lazy_with(PgConnectOptions::from_str(url)?),
            ),
            Dialect::MySql => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                Self::MySql(
                    MySqlPoolOptions::new()
                        .max_connections(max_connections)
                        .acquire_timeout(ACQUIRE_TIMEOUT)
                        .connect_lazy_with(MySqlConnectOptions::from_str(&url)?),
                )
            }
        })
    }
}
