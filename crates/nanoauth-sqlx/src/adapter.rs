//! `SqlAdapter`: the core adapter and every capability, over one pool.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use nanoauth::adapter::{PasswordAdapter, PasswordCredential};
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, AuthUser, Clock, CreateUserAdapter,
    DeleteUserAdapter, Email, EmailVerificationAdapter, SessionAttributes, SessionRecord,
    SystemClock, UpdateUserAdapter, VerificationAdapter, VerificationRecord,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection};

use crate::dialect::{Dialect, is_identifier};
use crate::error::adapter_error;
use crate::fields::struct_fields;
use crate::migrate::MigrationReport;
use crate::migrations::{Migration, migration_sql, migrations};
use crate::pool::{Pool, Timeouts, on_pool};
use crate::row::{RowCells, SqlxRow};
use crate::schema::{PASSWORD_HASH_ALIAS, Schema, Statements};
use crate::values::{Param, bind_params, row_to_object};

/// NanoAuth storage in SQLite, PostgreSQL or MySQL/MariaDB, chosen by the
/// connection URL. Implements [`Adapter`], [`PasswordAdapter`],
/// [`VerificationAdapter`], [`EmailVerificationAdapter`],
/// [`AccountAdapter`], [`RecordAdapter`](nanoauth::RecordAdapter),
/// [`UpdateUserAdapter`] and [`DeleteUserAdapter`] for
/// any user type that serde can turn into an object of columns and back.
///
/// ```no_run
/// use nanoauth::{Auth, BasicUser};
/// use nanoauth::plugins::email_password::EmailPassword;
/// use nanoauth_sqlx::SqlAdapter;
///
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let adapter = SqlAdapter::<BasicUser>::connect("sqlite://auth.db").await?;
/// adapter.migrate().await?;
/// let auth = Auth::builder(adapter)
///     .secret(std::env::var("AUTH_SECRET")?)
///     .base_url("https://example.com")
///     .plugin(EmailPassword::new())
///     .build()?;
/// # Ok(()) }
/// ```
pub struct SqlAdapter<U> {
    pub(crate) pool: Pool,
    pub(crate) dialect: Dialect,
    pub(crate) schema: Arc<Schema>,
    pub(crate) statements: Arc<Statements>,
    _user: PhantomData<fn() -> U>,
}

impl<U> Clone for SqlAdapter<U> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            dialect: self.dialect,
            schema: Arc::clone(&self.schema),
            statements: Arc::clone(&self.statements),
            _user: PhantomData,
        }
    }
}

impl<U> std::fmt::Debug for SqlAdapter<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlAdapter")
            .field("dialect", &self.dialect)
            .field("schema", &self.schema)
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

/// Options for [`SqlAdapter`], from [`SqlAdapter::builder`]. Its `Debug`
/// leaves the database password out of the URL.
#[derive(Clone)]
pub struct SqlAdapterBuilder {
    url: String,
    schema: Schema,
    max_connections: u32,
    timeouts: Timeouts,
}

impl std::fmt::Debug for SqlAdapterBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlAdapterBuilder")
            .field("url", &without_password(&self.url))
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("timeouts", &self.timeouts)
            .finish()
    }
}

/// `url` with the password of its user-info (`scheme://user:password@host`)
/// replaced, for `Debug`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_len);
    // The last `@` ends the user-info: a password may itself contain one.
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:<redacted>@{host}{path}"),
        None => url.to_owned(),
    }
}

impl SqlAdapterBuilder {
    /// Where NanoAuth's tables are, and how user fields map onto columns.
    pub fn schema(mut self, schema: Schema) -> Self {
        self.schema = schema;
        self
    }

    /// The pool size (default 10). On a SQLite file it is also the most read
    /// connections the inline point reads open (see the crate docs); only
    /// as many as there are threads reading are opened.
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// How long a request queues for a connection while every connection of
    /// the pool is in use (default 3 s); then it is answered 503.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let builder = nanoauth_sqlx::SqlAdapter::<nanoauth::BasicUser>::builder("postgres://db/app")
    ///     .acquire_timeout(Duration::from_secs(5));
    /// ```
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.acquire = timeout;
        self
    }

    /// How long one attempt to open a connection may take (default 1 s).
    ///
    /// A database that refuses connections is found out within about 50 ms
    /// whatever this is; this bounds the wait for one that does not answer
    /// at all. Once the database is known to be down, requests are answered
    /// 503 at once while one request at a time checks whether it is back.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let builder = nanoauth_sqlx::SqlAdapter::<nanoauth::BasicUser>::builder("postgres://db/app")
    ///     .connect_timeout(Duration::from_millis(300));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeouts.connect = timeout;
        self
    }

    /// Builds the adapter without connecting: connections are made on first
    /// use, and made again after the database comes back.
    ///
    /// # Errors
    /// [`AdapterError::Other`] for an unsupported or malformed URL or an
    /// invalid schema.
    pub fn connect_lazy<U: DeserializeOwned>(self) -> Result<SqlAdapter<U>, AdapterError> {
        let dialect = Dialect::from_url(&self.url).ok_or_else(|| {
            AdapterError::other("the URL must start with sqlite:, postgres:, mysql: or mariadb:")
        })?;
        self.schema.validate().map_err(AdapterError::other)?;
        let user_fields = struct_fields::<U>();
        if let Some(bad) = user_fields
            .unwrap_or_default()
            .iter()
            .find(|field| !is_identifier(self.schema.column_of(field)))
        {
            return Err(AdapterError::other(format!(
                "user field {bad:?} needs a column mapping (Schema::user_column)"
            )));
        }
        let pool = Pool::connect_lazy(dialect, &self.url, self.max_connections, self.timeouts)
            .map_err(adapter_error)?;
        Ok(SqlAdapter {
            pool,
            dialect,
            statements: Arc::new(Statements::new(dialect, &self.schema, user_fields)),
            schema: Arc::new(self.schema),
            _user: PhantomData,
        })
    }

    /// Builds the adapter and checks the database answers.
    ///
    /// # Errors
    /// As [`connect_lazy`](Self::connect_lazy), and
    /// [`AdapterError::Unavailable`] when the database does not answer.
    pub async fn connect<U: DeserializeOwned>(self) -> Result<SqlAdapter<U>, AdapterError> {
        let adapter = self.connect_lazy()?;
        on_pool!(&adapter.pool, conn => sqlx::query("SELECT 1").execute(&mut *conn).await.map(|_| ()))
            .map_err(adapter_error)?;
        Ok(adapter)
    }
}

pub(crate) fn to_db_time(seconds: u64) -> i64 {
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

pub(crate) fn from_db_time(seconds: i64) -> u64 {
    u64::try_from(seconds).unwrap_or(0)
}

pub(crate) fn sql(statement: &Arc<str>) -> AssertSqlSafe<Arc<str>> {
    // Statements are built from validated identifiers and literal SQL only;
    // every value travels as a bind parameter.
    AssertSqlSafe(Arc::clone(statement))
}

impl<U> SqlAdapter<U> {
    /// Options for an adapter at `url` (`sqlite://auth.db`,
    /// `postgres://user@host/db`, `mysql://root@host/db`).
    pub fn builder(url: impl Into<String>) -> SqlAdapterBuilder {
        SqlAdapterBuilder {
            url: url.into(),
            schema: Schema::default(),
            max_connections: 10,
            timeouts: Timeouts::default(),
        }
    }

    /// Connects with the default schema (see [`SqlAdapterBuilder::connect`]).
    ///
    /// # Errors
    /// An unsupported URL, or a database that does not answer.
    pub async fn connect(url: &str) -> Result<Self, AdapterError>
    where
        U: DeserializeOwned,
    {
        Self::builder(url).connect().await
    }

    /// The database behind this adapter.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The SQL of [`migrate`](Self::migrate), every step after a comment
    /// naming it, for review or for your own migration tool (see
    /// [`migration_sql`](crate::migration_sql)).
    pub fn migration_sql(&self) -> String {
        migration_sql(self.dialect, &self.schema)
    }

    /// The numbered steps of NanoAuth's schema, for this adapter's database
    /// and table names.
    pub fn migrations(&self) -> Vec<Migration> {
        migrations(self.dialect, &self.schema)
    }

    /// Brings NanoAuth's tables up to date: applies each step of
    /// [`migrations`](Self::migrations) the database lacks and records it in
    /// the migrations table ([`Schema::migrations_table`], default
    /// `nanoauth_migrations`: version, name, checksum of the SQL, time).
    ///
    /// - Running it again is a no-op.
    /// - A database made by a NanoAuth from before the migrations table
    ///   (tables there, no migrations table) is recognised: the steps it
    ///   already has are recorded without running them, and the rest applied.
    /// - Several instances may run it at once: one migrates, the others wait
    ///   for it and find nothing to do (SQLite's write lock, PostgreSQL's
    ///   advisory lock, MySQL's `GET_LOCK`).
    /// - On SQLite and PostgreSQL it is all or nothing. MySQL/MariaDB commit
    ///   each DDL statement on their own, so a failure there can leave a step
    ///   half-applied and unrecorded; the error says which statement failed.
    ///
    /// # Errors
    /// The database's refusal, [`AdapterError::Unavailable`], or
    /// [`AdapterError::Other`] with a [`MigrationError`](crate::MigrationError) as its source
    /// (a recorded step whose checksum differs, the lock not obtained).
    pub async fn migrate(&self) -> Result<MigrationReport, AdapterError> {
        crate::migrate::migrate(&self.pool, self.dialect, &self.schema).await
    }

    /// Runs one statement of your own (for example your migration adding
    /// columns to the users table) on the adapter's pool.
    ///
    /// # Errors
    /// The database's refusal, or [`AdapterError::Unavailable`].
    pub async fn execute_unprepared(&self, statement: &str) -> Result<(), AdapterError> {
        on_pool!(&self.pool, conn => sqlx::raw_sql(AssertSqlSafe(statement)).execute(&mut *conn).await.map(|_| ()))
            .map_err(adapter_error)
    }
}

impl<U: AuthUser + DeserializeOwned> SqlAdapter<U> {
    pub(crate) fn user_from_object(
        &self,
        object: serde_json::Map<String, Value>,
    ) -> Result<U, AdapterError> {
        serde_json::from_value(Value::Object(object)).map_err(|error| {
            AdapterError::other(format!("a users row does not fit the user type: {error}"))
        })
    }

    async fn fetch_user(&self, statement: &Arc<str>, key: &str) -> Result<Option<U>, AdapterError> {
        self.point_read(statement, key, |row| {
            Ok(row_to_object(row, 0, &self.schema, ""))
        })
        .await?
        .map(|object| self.user_from_object(object))
        .transpose()
    }

    /// The row that `statement` finds by its one parameter `key`, decoded
    /// with `decode`: on the calling thread where the pool allows it (a
    /// SQLite file, see `sqlite_reads.rs`), else through the pool. The
    /// request path's point reads all go through here.
    async fn point_read<T: Send>(
        &self,
        statement: &Arc<str>,
        key: &str,
        decode: impl Fn(&dyn RowCells) -> Result<T, sqlx::Error> + Send + Sync,
    ) -> Result<Option<T>, AdapterError> {
        if let Some(found) = self.pool.read_inline(statement, key, &decode) {
            return found.map_err(adapter_error);
        }
        on_pool!(&self.pool, conn => async {
            let row = sqlx::query(sql(statement))
                .bind(key)
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|row| decode(&SqlxRow(&row))).transpose()
        }.await)
        .map_err(adapter_error)
    }

    /// Runs a `DELETE .. WHERE expires_at <= ?` with `now`.
    pub(crate) async fn purge(&self, statement: &Arc<str>, now: u64) -> Result<u64, AdapterError> {
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(to_db_time(now))
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected()))
        .map_err(adapter_error)
    }

    /// The user as `(column, parameter)` pairs for an insert.
    /// The `INSERT` of `user` and its parameters, in the dialect.
    pub(crate) fn insert_user_statement(
        &self,
        user: &U,
    ) -> Result<(Arc<str>, Vec<Param>), AdapterError> {
        let (columns, params) = self.user_params(user)?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        Ok((
            Statements::insert_user(self.dialect, &self.schema, &columns).into(),
            params,
        ))
    }

    fn user_params(&self, user: &U) -> Result<(Vec<String>, Vec<Param>), AdapterError> {
        let Value::Object(object) = serde_json::to_value(user).map_err(AdapterError::other)? else {
            return Err(AdapterError::other(
                "the user type must serialize to a JSON object",
            ));
        };
        let mut columns = Vec::with_capacity(object.len());
        let mut params = Vec::with_capacity(object.len());
        for (field, value) in &object {
            let column = self.schema.column_of(field);
            if !is_identifier(column) {
                return Err(AdapterError::other(format!(
                    "user field {field:?} needs a column mapping (Schema::user_column)"
                )));
            }
            if let Some(param) = Param::from_json(value) {
                columns.push(column.to_owned());
                params.push(param);
            }
        }
        Ok((columns, params))
    }
}

/// A statement built at run time, and its parameters in order.
type Statement = (Arc<str>, Vec<Param>);

impl<U: AuthUser + DeserializeOwned> SqlAdapter<U> {
    /// The `UPDATE` of every column of `user` but id and email, and its
    /// parameters (the id last); `None` when there is no such column.
    fn update_user_statement(&self, user: &U) -> Result<Option<Statement>, AdapterError> {
        let Value::Object(object) = serde_json::to_value(user).map_err(AdapterError::other)? else {
            return Err(AdapterError::other(
                "the user type must serialize to a JSON object",
            ));
        };
        let (mut set, mut null, mut params) = (Vec::new(), Vec::new(), Vec::new());
        for (field, value) in &object {
            // The address moves only through `change_email`, with its
            // verified mark; the id never.
            if field == "id" || field == "email" {
                continue;
            }
            let column = self.schema.column_of(field);
            if !is_identifier(column) {
                return Err(AdapterError::other(format!(
                    "user field {field:?} needs a column mapping (Schema::user_column)"
                )));
            }
            // A field that became None is written as NULL, not left as it
            // was (an insert leaves it out instead).
            match Param::from_json(value) {
                Some(param) => {
                    set.push(column);
                    params.push(param);
                }
                None => null.push(column),
            }
        }
        if set.is_empty() && null.is_empty() {
            return Ok(None);
        }
        params.push(Param::Text(user.id().to_owned()));
        let statement = Statements::update_user(self.dialect, &self.schema, &set, &null);
        Ok(Some((statement.into(), params)))
    }
}

/// The token hash stored as hex in column `index` of a `table` row.
fn token_hash_at<R: RowCells + ?Sized>(
    row: &R,
    index: usize,
    table: &str,
) -> Result<TokenHash, sqlx::Error> {
    let hex = row.text(index)?;
    TokenHash::from_hex(hex.trim()).ok_or_else(|| {
        sqlx::Error::Decode(format!("{table}.token_hash is not 64 hex digits").into())
    })
}

/// How many columns a session row has (`SESSION_COLUMNS`).
const SESSION_FIELDS: usize = 10;

fn session_from_row<R: RowCells + ?Sized>(row: &R) -> Result<SessionRecord, sqlx::Error> {
    let token_hash = token_hash_at(row, 0, "sessions")?;
    let attributes = row.optional_text(8)?;
    let attributes = SessionAttributes::from_stored(attributes.as_deref())
        .map_err(|error| sqlx::Error::Decode(format!("sessions.attributes: {error}").into()))?;
    Ok(SessionRecord::new(
        row.text(1)?,
        token_hash,
        row.text(2)?,
        from_db_time(row.int(3)?),
        from_db_time(row.int(4)?),
        from_db_time(row.int(5)?),
        row.optional_text(6)?,
        row.optional_text(7)?,
    )
    .with_attributes(attributes)
    .with_renewable(row.boolean(9)?))
}

fn verification_from_row<R: RowCells + ?Sized>(row: &R) -> Result<VerificationRecord, sqlx::Error> {
    let token_hash = token_hash_at(row, 0, "verifications")?;
    let record = VerificationRecord::new(
        token_hash,
        row.text(1)?,
        row.text(2)?,
        from_db_time(row.int(3)?),
    );
    Ok(match row.optional_text(4)? {
        Some(data) => record.with_data(data),
        None => record,
    })
}

fn account_from_row<R: RowCells + ?Sized>(row: &R) -> Result<AccountRecord, sqlx::Error> {
    Ok(AccountRecord::new(
        row.text(0)?,
        row.text(1)?,
        row.text(2)?,
        from_db_time(row.int(3)?),
    ))
}

/// A user row, and the password hash riding along under
/// [`PASSWORD_HASH_ALIAS`].
fn credential_from_row<R: RowCells + ?Sized>(
    row: &R,
    schema: &Schema,
) -> Result<(serde_json::Map<String, Value>, String), sqlx::Error> {
    let hash = row.text(row.index_of(PASSWORD_HASH_ALIAS)?)?;
    Ok((row_to_object(row, 0, schema, PASSWORD_HASH_ALIAS), hash))
}

impl<U: AuthUser + DeserializeOwned> Adapter<U> for SqlAdapter<U> {
    async fn get_user(&self, id: &str) -> Result<Option<U>, AdapterError> {
        self.fetch_user(&self.statements.get_user, id).await
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<U>, AdapterError> {
        self.fetch_user(&self.statements.find_user_by_email, email.as_str())
            .await
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        let statement = &self.statements.save_session;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(session.token_hash.to_hex())
            .bind(session.id.as_str())
            .bind(session.user_id.as_str())
            .bind(to_db_time(session.created_at))
            .bind(to_db_time(session.updated_at))
            .bind(to_db_time(session.expires_at))
            .bind(session.ip_address.as_deref())
            .bind(session.user_agent.as_deref())
            .bind(session.attributes.to_stored())
            .bind(session.renewable)
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        let statement = &self.statements.refresh_session;
        // Rows matched, not rows changed, on every dialect (sqlx asks MySQL
        // for CLIENT_FOUND_ROWS): a refresh within the same second that
        // writes the same values still finds its session.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(to_db_time(session.updated_at))
            .bind(to_db_time(session.expires_at))
            .bind(session.attributes.to_stored())
            .bind(session.token_hash.to_hex())
            .bind(session.user_id.as_str())
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0))
        .map_err(adapter_error)
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        let hex = token_hash.to_hex();
        self.point_read(&self.statements.validate_token, &hex, |row| {
            session_from_row(row)
        })
        .await
    }

    async fn validate_token_with_user(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<(SessionRecord, U)>, AdapterError> {
        let hex = token_hash.to_hex();
        self.point_read(&self.statements.session_with_user, &hex, |row| {
            let record = session_from_row(row)?;
            Ok((record, row_to_object(row, SESSION_FIELDS, &self.schema, "")))
        })
        .await?
        .map(|(record, user)| Ok((record, self.user_from_object(user)?)))
        .transpose()
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        let statement = &self.statements.delete_session;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(token_hash.to_hex())
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0))
        .map_err(adapter_error)
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        let statement = &self.statements.list_sessions;
        on_pool!(&self.pool, conn => async {
            let rows = sqlx::query(sql(statement)).bind(user_id).fetch_all(&mut *conn).await?;
            rows.iter().map(|row| session_from_row(&SqlxRow(row))).collect::<Result<Vec<_>, _>>()
        }.await)
        .map_err(adapter_error)
    }

    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        let statements = &self.statements;
        on_pool!(&self.pool, conn => match keep {
            Some(keep) => sqlx::query(sql(&statements.delete_sessions_except))
                .bind(user_id)
                .bind(keep.to_hex())
                .execute(&mut *conn)
                .await,
            None => sqlx::query(sql(&statements.delete_all_sessions))
                .bind(user_id)
                .execute(&mut *conn)
                .await,
        }
        .map(|done| done.rows_affected()))
        .map_err(adapter_error)
    }

    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        self.purge(&self.statements.purge_sessions, now).await
    }
}

impl<U: AuthUser + DeserializeOwned> PasswordAdapter<U> for SqlAdapter<U> {
    async fn create_user_with_password(
        &self,
        user: &U,
        password_hash: &str,
    ) -> Result<(), AdapterError> {
        let (columns, params) = self.user_params(user)?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let insert_user: Arc<str> =
            Statements::insert_user(self.dialect, &self.schema, &columns).into();
        let insert_password = &self.statements.insert_password;
        // One transaction: a sign-up that fails half-way leaves no user
        // without a password behind.
        on_pool!(&self.pool, conn => async {
            let mut tx = conn.begin().await?;
            bind_params!(sqlx::query(sql(&insert_user)), &params)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql(insert_password))
                .bind(user.id())
                .bind(password_hash)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }.await)
        .map_err(adapter_error)
    }

    async fn find_password_credential(
        &self,
        email: &Email,
    ) -> Result<Option<PasswordCredential<U>>, AdapterError> {
        self.point_read(&self.statements.find_credential, email.as_str(), |row| {
            credential_from_row(row, &self.schema)
        })
        .await?
        .map(|(object, hash)| {
            Ok(PasswordCredential::new(
                self.user_from_object(object)?,
                hash,
            ))
        })
        .transpose()
    }

    async fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> Result<(), AdapterError> {
        let statement = &self.statements.set_password;
        // The foreign key refuses a password for a user that does not exist.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(user_id)
            .bind(password_hash)
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }
}

impl<U: AuthUser + DeserializeOwned> VerificationAdapter<U> for SqlAdapter<U> {
    async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
        let statement = &self.statements.save_verification;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(record.token_hash.to_hex())
            .bind(record.purpose.as_str())
            .bind(record.identifier.as_str())
            .bind(to_db_time(record.expires_at))
            .bind(record.data.as_deref())
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }

    async fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> Result<Option<VerificationRecord>, AdapterError> {
        let statements = &self.statements;
        let hex = token_hash.to_hex();
        // Read, then delete and count: of concurrent consumers, the database
        // lets exactly one delete the row, and only that one returns it.
        on_pool!(&self.pool, conn => async {
            let row = sqlx::query(sql(&statements.find_verification))
                .bind(hex.as_str())
                .bind(purpose)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let record = verification_from_row(&SqlxRow(&row))?;
            let deleted = sqlx::query(sql(&statements.delete_verification))
                .bind(hex.as_str())
                .bind(purpose)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            Ok::<_, sqlx::Error>((deleted == 1).then_some(record))
        }.await)
        .map_err(adapter_error)
    }

    async fn purge_expired_verifications(&self, now: u64) -> Result<u64, AdapterError> {
        self.purge(&self.statements.purge_verifications, now).await
    }
}

impl<U: AuthUser + DeserializeOwned> CreateUserAdapter<U> for SqlAdapter<U> {
    async fn create_user(&self, user: &U) -> Result<(), AdapterError> {
        let (columns, params) = self.user_params(user)?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let insert_user: Arc<str> =
            Statements::insert_user(self.dialect, &self.schema, &columns).into();
        on_pool!(&self.pool, conn => bind_params!(sqlx::query(sql(&insert_user)), &params)
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }
}

impl<U: AuthUser + DeserializeOwned> EmailVerificationAdapter<U> for SqlAdapter<U> {
    async fn is_email_verified(&self, user_id: &str) -> Result<bool, AdapterError> {
        let statement = &self.statements.is_email_verified;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await
            .map(|row| row.is_some()))
        .map_err(adapter_error)
    }

    async fn set_email_verified(&self, user_id: &str) -> Result<(), AdapterError> {
        let statement = &self.statements.set_email_verified;
        let now = SystemClock.now();
        // The foreign key refuses unknown users.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(user_id)
            .bind(to_db_time(now))
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }

    async fn claim_email(&self, user_id: &str) -> Result<bool, AdapterError> {
        let statements = &self.statements;
        let now = to_db_time(SystemClock.now());
        // The plain insert is the test-and-set: the primary key refuses it
        // when the address was proven already, and the transaction makes
        // the removals one step with it.
        let claimed = on_pool!(&self.pool, conn => async {
            let mut tx = conn.begin().await?;
            let inserted = sqlx::query(sql(&statements.insert_email_verified))
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await;
            match inserted {
                Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                    tx.rollback().await?;
                    return Ok(false);
                }
                Err(error) => return Err(error),
                Ok(_) => {}
            }
            sqlx::query(sql(&statements.delete_password))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql(&statements.delete_accounts))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await.map(|()| true)
        }.await)
        .map_err(adapter_error)?;
        Ok(claimed)
    }
}

impl<U: AuthUser + DeserializeOwned> AccountAdapter<U> for SqlAdapter<U> {
    async fn find_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> Result<Option<AccountRecord>, AdapterError> {
        let statement = &self.statements.find_account;
        on_pool!(&self.pool, conn => async {
            let row = sqlx::query(sql(statement))
                .bind(provider)
                .bind(account_id)
                .fetch_optional(&mut *conn)
                .await?;
            row.map(|row| account_from_row(&SqlxRow(&row))).transpose()
        }.await)
        .map_err(adapter_error)
    }

    async fn link_account(&self, account: &AccountRecord) -> Result<(), AdapterError> {
        let statement = &self.statements.insert_account;
        // The primary key (provider, account_id) refuses a second link as a
        // unique violation (Conflict); the foreign key refuses unknown users.
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(account.provider.as_str())
            .bind(account.account_id.as_str())
            .bind(account.user_id.as_str())
            .bind(to_db_time(account.created_at))
            .execute(&mut *conn)
            .await
            .map(|_| ()))
        .map_err(adapter_error)
    }

    async fn unlink_account(&self, user_id: &str, provider: &str) -> Result<bool, AdapterError> {
        let statement = &self.statements.unlink_account;
        on_pool!(&self.pool, conn => sqlx::query(sql(statement))
            .bind(user_id)
            .bind(provider)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() > 0))
        .map_err(adapter_error)
    }

    async fn list_accounts(&self, user_id: &str) -> Result<Vec<AccountRecord>, AdapterError> {
        let statement = &self.statements.list_accounts;
        on_pool!(&self.pool, conn => async {
            let rows = sqlx::query(sql(statement)).bind(user_id).fetch_all(&mut *conn).await?;
            rows.iter().map(|row| account_from_row(&SqlxRow(row))).collect::<Result<Vec<_>, _>>()
        }.await)
        .map_err(adapter_error)
    }

    async fn create_user_with_account(
        &self,
        user: &U,
        account: &AccountRecord,
    ) -> Result<(), AdapterError> {
        let (columns, params) = self.user_params(user)?;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let insert_user: Arc<str> =
            Statements::insert_user(self.dialect, &self.schema, &columns).into();
        let insert_account = &self.statements.insert_account;
        // One transaction: a taken email or a taken provider account (both
        // unique violations, so Conflict) leaves neither row behind.
        on_pool!(&self.pool, conn => async {
            let mut tx = conn.begin().await?;
            bind_params!(sqlx::query(sql(&insert_user)), &params)
                .execute(&mut *tx)
                .await?;
            sqlx::query(sql(insert_account))
                .bind(account.provider.as_str())
                .bind(account.account_id.as_str())
                .bind(user.id())
                .bind(to_db_time(account.created_at))
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }.await)
        .map_err(adapter_error)
    }
}

impl<U: AuthUser + DeserializeOwned> UpdateUserAdapter<U> for SqlAdapter<U> {
    async fn update_user(&self, user: &U) -> Result<bool, AdapterError> {
        let Some((statement, params)) = self.update_user_statement(user)? else {
            // Nothing but id and email: nothing to write, only to find.
            return Ok(self.get_user(user.id()).await?.is_some());
        };
        // One statement, so no transaction: it matches the row or not
        // (MySQL counts matched rows: sqlx connects with FOUND_ROWS).
        on_pool!(&self.pool, conn => bind_params!(sqlx::query(sql(&statement)), &params)
            .execute(&mut *conn)
            .await
            .map(|done| done.rows_affected() == 1))
        .map_err(adapter_error)
    }

    async fn change_email(&self, user_id: &str, email: &Email) -> Result<bool, AdapterError> {
        let statements = &self.statements;
        let now = to_db_time(SystemClock.now());
        // One transaction: the unique index on email refuses a taken
        // address (Conflict, nothing written), and the verified mark is
        // written with the address or not at all.
        on_pool!(&self.pool, conn => async {
            let mut tx = conn.begin().await?;
            let moved = sqlx::query(sql(&statements.change_email))
                .bind(email.as_str())
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if moved != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query(sql(&statements.set_email_verified))
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await.map(|()| true)
        }.await)
        .map_err(adapter_error)
    }
}

impl<U: AuthUser + DeserializeOwned> DeleteUserAdapter<U> for SqlAdapter<U> {
    async fn delete_user(&self, user_id: &str) -> Result<bool, AdapterError> {
        let statements = &self.statements;
        // Every owned row explicitly, then the user, in one transaction.
        // The foreign keys cascade too, but SQLite enforces them only on
        // connections with `foreign_keys` on, and tables an application
        // created itself may lack them: the deletes do not rely on either.
        on_pool!(&self.pool, conn => async {
            let mut tx = conn.begin().await?;
            for owned in [
                &statements.delete_all_sessions,
                &statements.delete_password,
                &statements.delete_email_verified,
                &statements.delete_accounts,
                &statements.delete_user_records,
            ] {
                sqlx::query(sql(owned)).bind(user_id).execute(&mut *tx).await?;
            }
            let deleted = sqlx::query(sql(&statements.delete_user))
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await.map(|()| deleted == 1)
        }.await)
        .map_err(adapter_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let builder = SqlAdapter::<nanoauth::BasicUser>::builder(
            "postgres://app:s3cr3t@db.internal:5432/auth?sslmode=require",
        );
        let shown = format!("{builder:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("postgres://app:<redacted>@db.internal:5432/auth?sslmode=require"),
            "{shown}"
        );
        assert_eq!(without_password("sqlite://auth.db"), "sqlite://auth.db");
        assert_eq!(
            without_password("mysql://root@127.0.0.1/test"),
            "mysql://root@127.0.0.1/test"
        );
        assert_eq!(
            without_password("mysql://u:p@ss@host/db"),
            "mysql://u:<redacted>@host/db"
        );
    }
}
