//! One pool type over the three drivers, a macro that runs the same code
//! against whichever is inside, and the gate every connection passes: a
//! database that cannot be reached is answered 503 at once, not after a
//! request has waited out the pool's timeout.

use std::pin::pin;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use nanoauth::adapter::Health;
#[cfg(feature = "mysql")]
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::pool::PoolConnection;
#[cfg(feature = "postgres")]
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
#[cfg(feature = "sqlite")]
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Database};

use crate::dialect::Dialect;
use crate::error::is_unreachable;
use crate::row::RowCells;
#[cfg(feature = "sqlite")]
use crate::sqlite_reads::SqliteReads;

/// A connection pool of one of the supported databases, behind a [`Gate`].
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    pub(crate) kind: PoolKind,
    pub(crate) gate: Arc<Gate>,
    /// SQLite's inline point reads (`sqlite_reads.rs`); `None` for the
    /// other databases and for SQLite in memory.
    #[cfg(feature = "sqlite")]
    pub(crate) sqlite_reads: Option<Arc<SqliteReads>>,
}

/// The driver's own pool: one variant per driver feature built in.
#[derive(Clone, Debug)]
pub(crate) enum PoolKind {
    #[cfg(feature = "sqlite")]
    Sqlite(SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(PgPool),
    #[cfg(feature = "mysql")]
    MySql(MySqlPool),
}

/// Runs `$body` with `$conn` bound to a connection (`&mut` the driver's
/// connection type). The body is written once and compiled per driver, so
/// the queries stay identical while each driver gets its own concrete
/// types. The body evaluates to `Result<_, sqlx::Error>`.
///
/// Connections to a server are taken through the pool's [`Gate`], which
/// also sees the outcome. SQLite's are not: it is a file in this process,
/// with no outage to fail fast on, and a probe connection of the gate's
/// would only contend for the file's lock.
macro_rules! on_pool {
    ($pool:expr, $conn:ident => $body:expr) => {{
        let pool: &$crate::pool::Pool = $pool;
        match &pool.kind {
            #[cfg(feature = "sqlite")]
            $crate::pool::PoolKind::Sqlite(driver) => {
                $crate::pool::with_connection!(driver.acquire().await, $conn => $body)
            }
            #[cfg(feature = "postgres")]
            $crate::pool::PoolKind::Postgres(driver) => pool.gate.observed(
                $crate::pool::with_connection!(pool.gate.acquire(driver).await, $conn => $body),
            ),
            #[cfg(feature = "mysql")]
            $crate::pool::PoolKind::MySql(driver) => pool.gate.observed(
                $crate::pool::with_connection!(pool.gate.acquire(driver).await, $conn => $body),
            ),
        }
    }};
}

/// `$body` with `$conn` bound to the connection `$acquired` gave, or the
/// error it gave.
macro_rules! with_connection {
    ($acquired:expr, $conn:ident => $body:expr) => {
        match $acquired {
            Ok(mut connection) => {
                let $conn = &mut *connection;
                $body
            }
            Err(error) => Err(error),
        }
    };
}
pub(crate) use on_pool;
pub(crate) use with_connection;

/// How long connections may take; set through
/// [`SqlAdapterBuilder`](crate::SqlAdapterBuilder).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeouts {
    /// How long a request queues for a connection of a busy pool.
    pub(crate) acquire: Duration,
    /// How long one attempt to open a connection may take.
    pub(crate) connect: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            // Long enough for a burst, short enough that a client is not
            // left hanging.
            acquire: Duration::from_secs(3),
            // Loopback and same-region servers connect in milliseconds;
            // a second is generous for TLS across a region, and short
            // enough for a 503 before a load balancer gives up.
            connect: Duration::from_secs(1),
        }
    }
}

/// After this long without a connection, the gate asks whether the pool is
/// busy (then the request keeps queueing) or opening a connection to a
/// server that may be gone (then it checks with one connection attempt of
/// its own, so that a refused connection is answered in milliseconds, not
/// after the driver's retries until the acquire timeout).
const SLOW_ACQUIRE: Duration = Duration::from_millis(50);

/// Every connection to a database server is taken through the gate. It keeps the database's
/// [`Health`]: while the database is down, requests fail at once and one at
/// a time probes it; the first connection made again reopens the gate.
#[derive(Debug)]
pub(crate) struct Gate {
    health: Health,
    connect_timeout: Duration,
}

/// What one connection attempt of the gate's own found.
enum Reachability {
    /// The server took the connection.
    Up,
    /// No answer within the connect timeout: slow or gone.
    Silent,
    /// The server refused or dropped it.
    Down(sqlx::Error),
}

impl Gate {
    fn new(connect_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            health: Health::new(),
            connect_timeout,
        })
    }

    /// A connection from `pool`, or an error that the caller answers 503:
    /// at once while the database is known to be down, within about
    /// [`SLOW_ACQUIRE`] when it refuses connections, within the connect
    /// timeout when it does not answer, and within the acquire timeout when
    /// the pool is merely busy.
    pub(crate) async fn acquire<DB: Database>(
        &self,
        pool: &sqlx::Pool<DB>,
    ) -> Result<PoolConnection<DB>, sqlx::Error> {
        if !self.health.is_up() {
            let probe = self.health.probe().ok_or_else(known_down)?;
            match self.try_connect(pool).await {
                Reachability::Up => probe.succeeded(),
                Reachability::Silent => return Err(known_down()),
                Reachability::Down(error) => return Err(error),
            }
        }
        let mut acquire = pin!(pool.acquire());
        let mut checked = false;
        loop {
            // The pool's own acquire timeout ends this loop with
            // `PoolTimedOut`.
            if let Ok(acquired) = tokio::time::timeout(SLOW_ACQUIRE, acquire.as_mut()).await {
                return acquired;
            }
            if !self.health.is_up() {
                return Err(known_down());
            }
            if checked || is_busy(pool) {
                continue;
            }
            // Only one request checks; the others see its verdict in
            // `health` on their next turn.
            if let Some(_probe) = self.health.probe() {
                checked = true;
                // Silent is not down while the pool may still deliver (a
                // loaded machine, a far server): keep queueing, bounded by
                // the acquire timeout.
                if let Reachability::Down(error) = self.try_connect(pool).await {
                    self.health.trip();
                    return Err(error);
                }
            }
        }
    }

    /// Passes `result` on, tripping the health flag when it says the
    /// database could not be reached.
    pub(crate) fn observed<T>(&self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(error) = &result
            && is_unreachable(error)
        {
            self.health.trip();
        }
        result
    }

    /// Opens (and closes) one connection outside the pool: whether the
    /// server takes connections at all.
    async fn try_connect<DB: Database>(&self, pool: &sqlx::Pool<DB>) -> Reachability {
        let options = pool.connect_options();
        match tokio::time::timeout(self.connect_timeout, options.connect()).await {
            Ok(Ok(connection)) => {
                // A polite goodbye; the answer is known either way.
                let _ = connection.close().await;
                Reachability::Up
            }
            Ok(Err(error)) => Reachability::Down(error),
            Err(_) => Reachability::Silent,
        }
    }
}

/// Every connection is taken and none is idle: a request waits its turn.
fn is_busy<DB: Database>(pool: &sqlx::Pool<DB>) -> bool {
    pool.num_idle() == 0 && pool.size() >= pool.options().get_max_connections()
}

/// The error of a request refused because the database is known to be
/// down; an I/O error, so it is answered 503 like the outage itself.
fn known_down() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::new(
        std::io::ErrorKind::ConnectionRefused,
        "the database could not be reached a moment ago; another request is checking again",
    ))
}

/// The error of a URL whose driver this build left out.
fn without_driver(dialect: Dialect) -> sqlx::Error {
    let feature = match dialect {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
        Dialect::MySql => "mysql",
    };
    sqlx::Error::Configuration(
        format!("nanoauth-sqlx was built without its `{feature}` feature").into(),
    )
}

impl Pool {
    /// Runs the point read `sql` (one parameter, `key`) inline on this
    /// thread where the database allows (SQLite on a file: see
    /// `sqlite_reads.rs`), decoding its first row with `decode`.
    ///
    /// `None`: no inline path here, or it declined this read; run it on the
    /// pool.
    pub(crate) fn read_inline<T>(
        &self,
        sql: &str,
        key: &str,
        decode: impl FnOnce(&dyn RowCells) -> Result<T, sqlx::Error>,
    ) -> Option<Result<Option<T>, sqlx::Error>> {
        #[cfg(feature = "sqlite")]
        if let Some(reads) = &self.sqlite_reads {
            return reads.read(sql, key, decode);
        }
        let _ = (sql, key, decode);
        None
    }

    /// Opens a pool lazily: connections are made on first use, so an
    /// application starts even while its database is still coming up, and a
    /// pool recovers by itself when the database returns.
    pub(crate) fn connect_lazy(
        dialect: Dialect,
        url: &str,
        max_connections: u32,
        timeouts: Timeouts,
    ) -> Result<Self, sqlx::Error> {
        let kind = match dialect {
            #[cfg(feature = "sqlite")]
            Dialect::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    // WAL lets readers proceed during a write; NORMAL is
                    // durable across application crashes in WAL mode.
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true);
                PoolKind::Sqlite(
                    SqlitePoolOptions::new()
                        .max_connections(max_connections)
                        .acquire_timeout(timeouts.acquire)
                        .connect_lazy_with(options),
                )
            }
            #[cfg(feature = "postgres")]
            Dialect::Postgres => PoolKind::Postgres(
                PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(timeouts.acquire)
                    .connect_lazy_with(PgConnectOptions::from_str(url)?),
            ),
            #[cfg(feature = "mysql")]
            Dialect::MySql => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                PoolKind::MySql(
                    MySqlPoolOptions::new()
                        .max_connections(max_connections)
                        .acquire_timeout(timeouts.acquire)
                        .connect_lazy_with(MySqlConnectOptions::from_str(&url)?),
                )
            }
            #[allow(unreachable_patterns)]
            missing => return Err(without_driver(missing)),
        };
        // As many read connections as the pool has connections: a read
        // that finds them all taken goes to the pool.
        #[cfg(feature = "sqlite")]
        #[allow(unreachable_patterns)]
        let sqlite_reads = match &kind {
            PoolKind::Sqlite(pool) => SqliteReads::new(
                url,
                &pool.connect_options(),
                usize::try_from(max_connections).unwrap_or(1),
            )
            .map(Arc::new),
            _ => None,
        };
        Ok(Self {
            kind,
            gate: Gate::new(timeouts.connect),
            #[cfg(feature = "sqlite")]
            sqlite_reads,
        })
    }
}
