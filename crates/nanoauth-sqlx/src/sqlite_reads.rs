//! SQLite point reads on the calling thread, without sqlx's worker threads.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands it
//! every query over a channel: a session check of a few microseconds of
//! SQLite costs two thread wake-ups and context switches, which is most of
//! its time under load. The short reads of the request path (a session by
//! its token hash, a user by id or email, a password credential) go
//! instead through a few read-only connections of this module, opened on
//! the same database file and used inline by whichever thread asks.
//!
//! Why this is correct beside sqlx's pool, which does every write:
//! - The adapter runs SQLite in WAL mode: readers never block the writer and
//!   the writer never blocks readers.
//! - Each read is one statement in autocommit mode; its read transaction
//!   ends when the statement is reset (the rows are dropped before the
//!   connection is given back), so the next read starts a new one and sees
//!   every write committed before it. No read transaction stays open.
//! - The connections have `query_only` on, and a busy timeout of zero: a
//!   read that would wait for a lock (rare in WAL mode: a checkpoint that
//!   truncates, recovery) is not waited for on the async runtime's thread,
//!   it is handed to sqlx's pool instead ([`SqliteReads::read`] answers
//!   `None`). So is a read that finds every connection in use, and one that
//!   meets any other driver error: the pool's answer, row or error, is then
//!   the one returned, with the errors it has always given.
//! - An in-memory database (`sqlite::memory:`, `mode=memory`) cannot be
//!   opened by a second connection outside sqlx's shared cache, nor can a
//!   database behind a custom VFS or opened `immutable` be opened the same
//!   way: there is no inline path for them and every read goes to the pool.

use std::cell::Cell as ThreadCell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use sqlx::sqlite::SqliteConnectOptions;
use std::borrow::Cow;

use crate::row::{Cell, RowCells};

/// How long after a failed open no connection is opened again: a database
/// that cannot be opened (not created yet, no permission) costs a failed
/// `open` per second, not one per request.
const REOPEN_AFTER: Duration = Duration::from_secs(1);

/// How many statements each connection keeps prepared: the handful of point
/// reads, with room to spare.
const STATEMENT_CACHE: usize = 16;

/// A few read-only connections to one SQLite database file, each used by one
/// thread at a time.
pub(crate) struct SqliteReads {
    path: PathBuf,
    flags: OpenFlags,
    /// Opened on first use; emptied after a driver error, reopened on the
    /// next read.
    slots: Box<[Mutex<Option<Connection>>]>,
    /// Milliseconds after `start` before which no connection is opened.
    open_after: AtomicU64,
    start: Instant,
    #[cfg(test)]
    pub(crate) counts: Counts,
}

/// How many reads took each path, for the tests that prove which one a
/// database gets.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) inline: AtomicU64,
    pub(crate) fallback: AtomicU64,
}

impl std::fmt::Debug for SqliteReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteReads")
            .field("path", &self.path)
            .field("connections", &self.slots.len())
            .finish_non_exhaustive()
    }
}

impl SqliteReads {
    /// Read connections for the database at `url` (which sqlx parsed into
    /// `options`), at most `connections` of them; `None` when the database
    /// cannot be opened by a connection outside sqlx's (in memory, a custom
    /// VFS, immutable).
    pub(crate) fn new(
        url: &str,
        options: &SqliteConnectOptions,
        connections: usize,
    ) -> Option<Self> {
        Some(Self {
            path: options.get_filename().to_path_buf(),
            flags: open_flags(url)?,
            slots: (0..connections.max(1)).map(|_| Mutex::new(None)).collect(),
            open_after: AtomicU64::new(0),
            start: Instant::now(),
            #[cfg(test)]
            counts: Counts::default(),
        })
    }

    /// Runs `sql` with the one parameter `key` and decodes its first row
    /// with `decode`, on this thread.
    ///
    /// `None` when the read should go to sqlx's pool instead: every
    /// connection is in use, none can be opened, the database is locked, or
    /// the driver failed. `Some` holds the row (or its absence) or the
    /// error decoding it.
    pub(crate) fn read<T>(
        &self,
        sql: &str,
        key: &str,
        decode: impl FnOnce(&dyn RowCells) -> Result<T, sqlx::Error>,
    ) -> Option<Result<Option<T>, sqlx::Error>> {
        let Some(mut slot) = self.free_slot() else {
            self.count_fallback();
            return None;
        };
        if slot.is_none() {
            *slot = self.open();
        }
        let Some(connection) = slot.as_ref() else {
            self.count_fallback();
            return None;
        };
        match query(connection, sql, key, decode) {
            Ok(found) => {
                #[cfg(test)]
                self.counts.inline.fetch_add(1, Ordering::Relaxed);
                Some(found)
            }
            Err(error) => {
                // A busy database is a moment's state; anything else (a file
                // replaced, an I/O error) gets a fresh connection next time.
                if error.sqlite_error_code() != Some(ErrorCode::DatabaseBusy) {
                    *slot = None;
                }
                self.count_fallback();
                None
            }
        }
    }

    fn count_fallback(&self) {
        #[cfg(test)]
        self.counts.fallback.fetch_add(1, Ordering::Relaxed);
    }

    /// A slot no other thread is using. Each thread starts at a slot of its
    /// own, so that threads seldom meet and each finds its connection (and
    /// that connection's page cache) where it left it.
    fn free_slot(&self) -> Option<MutexGuard<'_, Option<Connection>>> {
        static NEXT_HOME: AtomicUsize = AtomicUsize::new(0);
        thread_local! {
            static HOME: ThreadCell<Option<usize>> = const { ThreadCell::new(None) };
        }
        let home = HOME.with(|home| {
            home.get().unwrap_or_else(|| {
                let assigned = NEXT_HOME.fetch_add(1, Ordering::Relaxed);
                home.set(Some(assigned));
                assigned
            })
        });
        let count = self.slots.len();
        (0..count).find_map(|step| {
            let slot = &self.slots[(home + step) % count];
            match slot.try_lock() {
                Ok(guard) => Some(guard),
                // A thread panicked while reading: its connection may be in
                // the middle of a statement, so it is dropped and reopened.
                Err(TryLockError::Poisoned(poisoned)) => {
                    let mut guard = poisoned.into_inner();
                    *guard = None;
                    slot.clear_poison();
                    Some(guard)
                }
                Err(TryLockError::WouldBlock) => None,
            }
        })
    }

    /// A new read connection, or `None` (and no attempt for a while) when
    /// the database cannot be opened.
    fn open(&self) -> Option<Connection> {
        let now = self.elapsed_ms();
        if now < self.open_after.load(Ordering::Relaxed) {
            return None;
        }
        let opened = Connection::open_with_flags(&self.path, self.flags).and_then(|connection| {
            connection.busy_timeout(Duration::ZERO)?;
            connection.pragma_update(None, "query_only", true)?;
            connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
            Ok(connection)
        });
        match opened {
            Ok(connection) => Some(connection),
            Err(_) => {
                let retry = now.saturating_add(duration_ms(REOPEN_AFTER));
                self.open_after.store(retry, Ordering::Relaxed);
                None
            }
        }
    }

    fn elapsed_ms(&self) -> u64 {
        duration_ms(self.start.elapsed())
    }
}

/// How a read connection opens the database of `url`, read as sqlx reads
/// it (`sqlite://path?mode=..&..`); `None` for a database a second
/// connection cannot open.
fn open_flags(url: &str) -> Option<OpenFlags> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
    if database == ":memory:" || database.is_empty() {
        return None;
    }
    let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_PRIVATE_CACHE;
    for pair in params.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (key, value) {
            ("mode", "memory") | ("vfs", _) | ("immutable", _) => return None,
            ("mode", "ro") => flags |= OpenFlags::SQLITE_OPEN_READ_ONLY,
            _ => {}
        }
    }
    if !flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY) {
        // Read-write (never create: sqlx's pool creates the file) so that a
        // reader can set up the WAL index like any other connection;
        // `query_only` keeps it from writing.
        flags |= OpenFlags::SQLITE_OPEN_READ_WRITE;
    }
    Some(flags)
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Runs one point read. The outer error is the driver's (the read goes to
/// the pool instead); the inner one is decoding the row.
fn query<T>(
    connection: &Connection,
    sql: &str,
    key: &str,
    decode: impl FnOnce(&dyn RowCells) -> Result<T, sqlx::Error>,
) -> rusqlite::Result<Result<Option<T>, sqlx::Error>> {
    let mut statement = connection.prepare_cached(sql)?;
    let mut rows = statement.query([key])?;
    let Some(row) = rows.next()? else {
        return Ok(Ok(None));
    };
    Ok(decode(&InlineRow::new(row)).map(Some))
    // `rows` is dropped here, resetting the statement: the read
    // transaction ends before the connection is given back.
}

/// A row of an inline read, as the crate's decoders read rows.
struct InlineRow<'r, 's> {
    row: &'r rusqlite::Row<'s>,
    /// Each column's name and declared type, read once per row.
    columns: Vec<rusqlite::Column<'r>>,
}

impl<'r, 's> InlineRow<'r, 's> {
    fn new(row: &'r rusqlite::Row<'s>) -> Self {
        let statement: &'r rusqlite::Statement<'s> = row.as_ref();
        Self {
            row,
            columns: statement.columns(),
        }
    }

    fn value(&self, index: usize) -> Result<ValueRef<'_>, sqlx::Error> {
        self.row
            .get_ref(index)
            .map_err(|error| column_error(index, error))
    }
}

/// A column that does not decode, as sqlx reports one.
fn column_error(
    index: usize,
    source: impl std::error::Error + Send + Sync + 'static,
) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: index.to_string(),
        source: Box::new(source),
    }
}

/// A value of the wrong storage class for the column's use.
fn mismatch(index: usize, value: ValueRef<'_>, wanted: &str) -> sqlx::Error {
    column_error(
        index,
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("expected {wanted}, found {}", value.data_type()),
        ),
    )
}

impl RowCells for InlineRow<'_, '_> {
    fn width(&self) -> usize {
        self.columns.len()
    }

    fn column_name(&self, index: usize) -> Cow<'_, str> {
        self.columns
            .get(index)
            .map_or(Cow::Borrowed(""), |column| Cow::Borrowed(column.name()))
    }

    fn declared_type(&self, index: usize) -> Cow<'_, str> {
        self.columns
            .get(index)
            .and_then(rusqlite::Column::decl_type)
            .map_or(Cow::Borrowed(""), |declared| {
                Cow::Owned(declared.to_ascii_uppercase())
            })
    }

    /// By storage class, as sqlx decodes SQLite values; a boolean from an
    /// integer or a real, as sqlx's SQLite `bool` does.
    fn cell(&self, index: usize, boolean: bool) -> Option<Cell> {
        Some(match self.value(index).ok()? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) if boolean => Cell::Bool(i != 0),
            ValueRef::Real(f) if boolean => Cell::Bool(f != 0.0),
            ValueRef::Integer(i) => Cell::Int(i),
            ValueRef::Real(f) => Cell::Real(f),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                Cell::Text(std::str::from_utf8(bytes).ok()?.to_owned())
            }
        })
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, sqlx::Error> {
        match self.value(index)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) => std::str::from_utf8(bytes)
                .map(|text| Some(text.to_owned()))
                .map_err(|error| column_error(index, error)),
            other => Err(mismatch(index, other, "TEXT")),
        }
    }

    fn int(&self, index: usize) -> Result<i64, sqlx::Error> {
        match self.value(index)? {
            ValueRef::Integer(i) => Ok(i),
            other => Err(mismatch(index, other, "INTEGER")),
        }
    }

    fn boolean(&self, index: usize) -> Result<bool, sqlx::Error> {
        match self.value(index)? {
            ValueRef::Integer(i) => Ok(i != 0),
            other => Err(mismatch(index, other, "BOOLEAN")),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use nanoauth::adapter::PasswordAdapter;
    use nanoauth::utils::token::{TokenHash, random_id, random_token};
    use nanoauth::{Adapter, BasicUser, Email, SessionRecord};

    use super::*;
    use crate::SqlAdapter;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRz$aGFzaGhhc2hoYXNoaGFzaGhhc2g";

    fn file_url() -> String {
        nanoauth_testing::databases::sqlite_url(
            &std::env::temp_dir().join("nanoauth-sqlite-reads-tests"),
        )
    }

    async fn migrated(url: &str) -> SqlAdapter<BasicUser> {
        let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
        adapter.migrate().await.unwrap();
        adapter
    }

    fn reads(adapter: &SqlAdapter<BasicUser>) -> &SqliteReads {
        adapter
            .pool
            .sqlite_reads
            .as_deref()
            .expect("a file database has inline reads")
    }

    fn counts(adapter: &SqlAdapter<BasicUser>) -> (u64, u64) {
        let counts = &reads(adapter).counts;
        (
            counts.inline.load(Ordering::Relaxed),
            counts.fallback.load(Ordering::Relaxed),
        )
    }

    async fn user_with_password(adapter: &SqlAdapter<BasicUser>) -> BasicUser {
        let id = random_id().unwrap();
        let user = BasicUser {
            id: id.clone(),
            email: Email::parse(&format!("{}@example.com", id.to_lowercase()))
                .unwrap()
                .into(),
            name: "Reader".into(),
        };
        adapter
            .create_user_with_password(&user, HASH)
            .await
            .unwrap();
        user
    }

    fn session_of(user: &BasicUser) -> SessionRecord {
        SessionRecord::new(
            random_id().unwrap(),
            TokenHash::of(&random_token().unwrap()),
            user.id.clone(),
            1_000,
            1_000,
            u64::from(u32::MAX),
            None,
            Some("inline".into()),
        )
    }

    /// Every point read of the request path takes the inline path on a
    /// file database, and answers what the pool wrote.
    #[tokio::test]
    async fn a_file_database_is_read_inline() {
        let adapter = migrated(&file_url()).await;
        let user = user_with_password(&adapter).await;
        let session = session_of(&user);
        adapter.save_session(&session).await.unwrap();
        let before = counts(&adapter);

        let (found, found_user) = adapter
            .validate_token_with_user(&session.token_hash)
            .await
            .unwrap()
            .expect("the session just saved");
        assert_eq!(found, session);
        assert_eq!(found_user, user);
        assert_eq!(
            adapter.validate_token(&session.token_hash).await.unwrap(),
            Some(session.clone())
        );
        assert_eq!(
            adapter.get_user(&user.id).await.unwrap(),
            Some(user.clone())
        );
        let email = Email::parse(user.email.as_str()).unwrap();
        assert_eq!(
            adapter.find_user_by_email(&email).await.unwrap(),
            Some(user.clone())
        );
        let credential = adapter
            .find_password_credential(&email)
            .await
            .unwrap()
            .expect("a password was stored");
        assert_eq!(credential.user, user);
        assert_eq!(credential.password_hash, HASH);
        assert_eq!(adapter.get_user("no such id").await.unwrap(), None);

        let (inline, fallback) = counts(&adapter);
        assert_eq!(inline - before.0, 6, "every read inline");
        assert_eq!(fallback, before.1, "none through the pool");
    }

    /// A read sees each write of the pool committed before it, while other
    /// tasks write: no read transaction outlives its read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn inline_reads_see_writes_at_once_under_concurrent_writers() {
        let adapter = Arc::new(migrated(&file_url()).await);
        let user = user_with_password(&adapter).await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let adapter = Arc::clone(&adapter);
                let user = user.clone();
                tokio::spawn(async move {
                    for _ in 0..25 {
                        let session = session_of(&user);
                        adapter.save_session(&session).await.unwrap();
                        let (found, _) = adapter
                            .validate_token_with_user(&session.token_hash)
                            .await
                            .unwrap()
                            .expect("a saved session is found at once");
                        assert_eq!(found, session);
                        assert!(adapter.delete_session(&session.token_hash).await.unwrap());
                        assert_eq!(
                            adapter.validate_token(&session.token_hash).await.unwrap(),
                            None,
                            "a deleted session is gone at once"
                        );
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let (inline, _) = counts(&adapter);
        // A read finding every connection taken goes to the pool; with ten
        // connections and four threads, nearly all are inline.
        assert!(inline >= 400 - 8, "{inline} of 400 reads inline");
    }

    /// A read that finds every read connection taken goes to the pool, and
    /// answers the same.
    #[tokio::test]
    async fn a_read_with_no_free_connection_goes_to_the_pool() {
        let adapter = migrated(&file_url()).await;
        let user = user_with_password(&adapter).await;
        let before = counts(&adapter);
        let taken: Vec<_> = reads(&adapter)
            .slots
            .iter()
            .map(|slot| slot.lock().unwrap())
            .collect();
        assert_eq!(adapter.get_user(&user.id).await.unwrap(), Some(user));
        drop(taken);
        let (inline, fallback) = counts(&adapter);
        assert_eq!((inline, fallback), (before.0, before.1 + 1));
    }

    /// A row that does not decode is the same error on both paths.
    #[tokio::test]
    async fn a_bad_row_is_the_same_error_inline_and_on_the_pool() {
        let adapter = migrated(&file_url()).await;
        let user = user_with_password(&adapter).await;
        let session = session_of(&user);
        adapter.save_session(&session).await.unwrap();
        adapter
            .execute_unprepared("UPDATE sessions SET created_at = 'soon'")
            .await
            .unwrap();
        let inline = adapter
            .validate_token(&session.token_hash)
            .await
            .unwrap_err();
        let taken: Vec<_> = reads(&adapter)
            .slots
            .iter()
            .map(|slot| slot.lock().unwrap())
            .collect();
        let pooled = adapter
            .validate_token(&session.token_hash)
            .await
            .unwrap_err();
        drop(taken);
        assert!(
            matches!(inline, nanoauth::AdapterError::Other(_)),
            "{inline:?}"
        );
        assert!(
            matches!(pooled, nanoauth::AdapterError::Other(_)),
            "{pooled:?}"
        );
    }

    #[test]
    fn only_files_get_read_connections() {
        for url in [
            "sqlite::memory:",
            "sqlite://:memory:",
            "sqlite://?mode=memory",
            "sqlite://app.db?mode=memory&cache=shared",
            "sqlite://app.db?vfs=unix-dotfile",
            "sqlite://app.db?immutable=1",
        ] {
            assert_eq!(open_flags(url), None, "{url}");
        }
        let flags = open_flags("sqlite://data/app.db?mode=rwc").unwrap();
        assert!(flags.contains(OpenFlags::SQLITE_OPEN_READ_WRITE));
        assert!(!flags.contains(OpenFlags::SQLITE_OPEN_CREATE));
        let flags = open_flags("sqlite:app.db?mode=ro").unwrap();
        assert!(flags.contains(OpenFlags::SQLITE_OPEN_READ_ONLY));
        assert!(!flags.contains(OpenFlags::SQLITE_OPEN_READ_WRITE));
    }

    /// An in-memory database has no second connection: no inline path, and
    /// every read goes to the pool.
    #[tokio::test]
    async fn an_in_memory_database_is_read_through_the_pool() {
        for url in ["sqlite::memory:", "sqlite://:memory:"] {
            let adapter = migrated(url).await;
            assert!(adapter.pool.sqlite_reads.is_none(), "{url}");
            let user = user_with_password(&adapter).await;
            let session = session_of(&user);
            adapter.save_session(&session).await.unwrap();
            let (found, found_user) = adapter
                .validate_token_with_user(&session.token_hash)
                .await
                .unwrap()
                .expect("the session just saved");
            assert_eq!((found, found_user), (session, user));
        }
    }

    /// A database file that is not there yet is left to the pool (which
    /// creates it), and read inline once it is.
    #[tokio::test]
    async fn a_database_not_yet_created_is_read_once_it_is() {
        let url = file_url();
        let adapter = SqlAdapter::<BasicUser>::builder(&url)
            .connect_lazy::<BasicUser>()
            .unwrap();
        let reads = reads(&adapter);
        assert!(reads.read("SELECT 1", "", |_| Ok(())).is_none());
        adapter.migrate().await.unwrap();
        // Opening is not tried again within a second of the failure.
        reads.open_after.store(0, Ordering::Relaxed);
        let user = user_with_password(&adapter).await;
        assert_eq!(adapter.get_user(&user.id).await.unwrap(), Some(user));
        assert!(counts(&adapter).0 >= 1);
    }
}
