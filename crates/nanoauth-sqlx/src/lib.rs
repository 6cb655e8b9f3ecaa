//! # NanoAuth SQL adapters
//!
//! One adapter, [`SqlAdapter`], for SQLite (the embedded default: a file,
//! created on first use), PostgreSQL and MySQL/MariaDB, chosen by the URL.
//! It implements NanoAuth's [`Adapter`](nanoauth::Adapter) and every
//! capability the shipped plugins need, for your own user type: each field of
//! the user type is a column of the users table (see [`Schema`]).
//!
//! ```no_run
//! use nanoauth_sqlx::SqlAdapter;
//! # use nanoauth::BasicUser;
//! # async fn example() -> Result<(), nanoauth::AdapterError> {
//! let adapter = SqlAdapter::<BasicUser>::connect("sqlite://auth.db?mode=rwc").await?;
//! adapter.migrate().await?; // or print adapter.migration_sql() for your tool
//! # Ok(()) }
//! ```
//!
//! # Features
//! `sqlite` (default), `postgres`, `mysql` (MySQL and MariaDB): the drivers
//! built in. At least one is needed; a URL whose driver was left out is a
//! connection error naming the feature.
//!
//! Built on `sqlx` with runtime (not compile-time checked) queries: the
//! statements are generated from the schema's table names, which compile-time
//! checking cannot know.
//!
//! # SQLite: reads on the calling thread
//! sqlx runs each SQLite connection on a thread of its own, so every query
//! is a hand-off between threads. For a SQLite *file*, the point reads of
//! the request path (a session by token, a user by id or email, a password
//! credential) skip it: they run on a few read-only connections (rusqlite,
//! on the same bundled libsqlite3 as sqlx) on whichever thread asks, which
//! makes a session check several times cheaper. Everything else, every
//! write and transaction included, stays on sqlx's pool. SQLite runs in WAL
//! mode, so these readers and the writer never block each other, and each
//! read sees every write committed before it. A read that would wait for a
//! lock, or finds every read connection in use, goes to the pool instead,
//! so the async runtime is never held up; so do all reads of an in-memory
//! database (`sqlite::memory:`), which no second connection can open. There
//! is nothing to configure: the number of read connections follows
//! [`SqlAdapterBuilder::max_connections`].
// A build with only some drivers leaves the others' helpers unused (the
// connection gate serves servers only): the build with every driver is the
// one linted for dead code.
#![cfg_attr(
    not(all(feature = "sqlite", feature = "postgres", feature = "mysql")),
    allow(dead_code, unused_imports)
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod adapter;
mod dialect;
mod error;
mod fields;
mod import;
mod migrate;
mod migrations;
mod operator;
mod pool;
mod records;
mod row;
mod schema;
mod search;
#[cfg(feature = "sqlite")]
mod sqlite_reads;
mod values;

pub use adapter::{SqlAdapter, SqlAdapterBuilder};
pub use dialect::Dialect;
pub use import::{ImportAccount, ImportOutcome, ImportSkip, ImportUser};
pub use migrate::{LOCK_WAIT_SECS, MigrationError, MigrationReport};
pub use migrations::{Migration, migration_sql, migrations};
pub use schema::Schema;

// The crate's README, compiled as doctests so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDocTests;

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!(
    "nanoauth-sqlx needs at least one of its features `sqlite` (the default), `postgres`, `mysql`"
);
