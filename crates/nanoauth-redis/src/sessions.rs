//! Users in the application's adapter, sessions in Redis.

use std::future::Future;
use std::sync::LazyLock;

use nanoauth::adapter::{PasswordAdapter, PasswordCredential};
use nanoauth::utils::token::TokenHash;
use nanoauth::{Adapter, AdapterError, AuthUser, Email, SessionRecord};
use redis::Script;

use crate::codec::{decode_session, encode_session};
use crate::error::from_redis;
use crate::expiry::expire_at;
use crate::purge::trim_session_indexes;
use crate::store::RedisStore;

// Every write that touches a session and its owner's index is one script, so
// the two can never disagree, whoever else writes at the same time.
static SAVE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("lua/save_session.lua")));
static REFRESH: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/refresh_session.lua")));
static DELETE: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/delete_session.lua")));
static LIST: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/list_sessions.lua")));
static DELETE_USER: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("lua/delete_user_sessions.lua")));

/// An [`Adapter`] that keeps users in another adapter `A` (usually SQL) and
/// sessions, plus single-use verification tokens, in Redis.
///
/// `get_user` and `find_user_by_email` go to `A`; the session methods go to
/// Redis, where each session expires by itself at its `expires_at`. It is a
/// [`PasswordAdapter`], an
/// [`EmailVerificationAdapter`](nanoauth::EmailVerificationAdapter) and an
/// [`AccountAdapter`](nanoauth::AccountAdapter) and a
/// [`RecordAdapter`](nanoauth::RecordAdapter) when `A` is (delegated:
/// these live with the users) and always a
/// [`VerificationAdapter`](nanoauth::VerificationAdapter) (in Redis).
/// [`inner`](Self::inner) reaches `A`'s own methods, for instance from hooks
/// through `auth.adapter().inner()`.
///
/// ```no_run
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::plugins::email_password::EmailPassword;
/// use nanoauth::{Auth, BasicUser};
/// use nanoauth_redis::RedisSessions;
///
/// # #[tokio::main]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Any adapter holds the users; an SQL one in a real application.
/// let users = MemoryAdapter::<BasicUser>::new();
/// let adapter = RedisSessions::connect(users, "redis://127.0.0.1:6379").await?;
/// let auth = Auth::builder(adapter)
///     .secret("a secret of at least thirty-two bytes!!")
///     .base_url("http://localhost:3000")
///     .plugin(EmailPassword::new())
///     .build()?;
/// assert_eq!(auth.adapter().inner().user_count(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct RedisSessions<A> {
    inner: A,
    store: RedisStore,
}

impl<A> RedisSessions<A> {
    /// Connects to the Redis server at `url` with the default key prefix
    /// (`nanoauth:`), keeping users in `inner`.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// use nanoauth::{BasicUser, adapter::memory::MemoryAdapter};
    /// let adapter = nanoauth_redis::RedisSessions::connect(
    ///     MemoryAdapter::<BasicUser>::new(),
    ///     "redis://127.0.0.1:6379",
    /// )
    /// .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`RedisStoreBuilder::connect`](crate::RedisStoreBuilder::connect).
    pub async fn connect(inner: A, url: &str) -> Result<Self, AdapterError> {
        Ok(Self::new(inner, RedisStore::connect(url).await?))
    }

    /// Connects to the Redis Cluster that `nodes` belong to (one reachable
    /// node is enough) with the default key prefix, keeping users in
    /// `inner`. See [`RedisStore::cluster_builder`] for the key layout.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// use nanoauth::{BasicUser, adapter::memory::MemoryAdapter};
    /// let adapter = nanoauth_redis::RedisSessions::connect_cluster(
    ///     MemoryAdapter::<BasicUser>::new(),
    ///     ["redis://10.0.0.1:6379", "redis://10.0.0.2:6379"],
    /// )
    /// .await?;
    /// assert!(adapter.store().is_cluster());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// See [`RedisStoreBuilder::connect`](crate::RedisStoreBuilder::connect).
    pub async fn connect_cluster<I, S>(inner: A, nodes: I) -> Result<Self, AdapterError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Ok(Self::new(inner, RedisStore::connect_cluster(nodes).await?))
    }

    /// Keeps users in `inner` and sessions in `store`, configured with
    /// [`RedisStore::builder`] (key prefix, timeouts).
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// use nanoauth::{BasicUser, adapter::memory::MemoryAdapter};
    /// use nanoauth_redis::{RedisSessions, RedisStore};
    /// let store = RedisStore::builder("redis://127.0.0.1:6379")
    ///     .prefix("myapp:")
    ///     .connect()
    ///     .await?;
    /// let adapter = RedisSessions::new(MemoryAdapter::<BasicUser>::new(), store);
    /// assert_eq!(adapter.store().prefix(), "myapp:");
    /// # Ok(()) }
    /// ```
    pub fn new(inner: A, store: RedisStore) -> Self {
        Self { inner, store }
    }

    /// The adapter that holds the users, with all its own methods.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), nanoauth::AdapterError> {
    /// use nanoauth::{BasicUser, adapter::memory::MemoryAdapter};
    /// let adapter = nanoauth_redis::RedisSessions::connect(
    ///     MemoryAdapter::<BasicUser>::new(),
    ///     "redis://127.0.0.1:6379",
    /// )
    /// .await?;
    /// assert_eq!(adapter.inner().user_count(), 0);
    /// # Ok(()) }
    /// ```
    pub fn inner(&self) -> &A {
        &self.inner
    }

    /// The Redis store, to share its connection with
    /// [`RedisCounters`](crate::RedisCounters).
    ///
    /// ```no_run
    /// # async fn example(adapter: nanoauth_redis::RedisSessions<()>) {
    /// let counters = nanoauth_redis::RedisCounters::new(adapter.store().clone());
    /// # }
    /// ```
    pub fn store(&self) -> &RedisStore {
        &self.store
    }
}

impl<U: AuthUser, A: Adapter<U>> Adapter<U> for RedisSessions<A> {
    fn get_user(&self, id: &str) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send {
        self.inner.get_user(id)
    }

    fn find_user_by_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<U>, AdapterError>> + Send {
        self.inner.find_user_by_email(email)
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        let keys = self.store.keys();
        let mut invocation = SAVE.prepare_invoke();
        invocation
            .key(keys.session(&session.token_hash))
            .key(keys.user_sessions(&session.user_id))
            .arg(encode_session(session)?)
            .arg(expire_at(session.expires_at))
            .arg(session.token_hash.to_hex())
            .arg(&session.user_id)
            .arg(keys.user_sessions_prefix());
        invocation
            .invoke_async::<()>(&mut self.store.connection())
            .await
            .map_err(from_redis)
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        let keys = self.store.keys();
        let mut invocation = REFRESH.prepare_invoke();
        invocation
            .key(keys.session(&session.token_hash))
            .key(keys.user_sessions(&session.user_id))
            .arg(encode_session(session)?)
            .arg(expire_at(session.expires_at))
            .arg(session.token_hash.to_hex())
            .arg(&session.user_id);
        let refreshed: i64 = invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        Ok(refreshed == 1)
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        let json: Option<String> = redis::cmd("GET")
            .arg(self.store.keys().session(token_hash))
            .query_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        json.map(|json| decode_session(&json, Some(token_hash)))
            .transpose()
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        let keys = self.store.keys();
        let mut invocation = DELETE.prepare_invoke();
        invocation
            .key(keys.session(token_hash))
            .arg(token_hash.to_hex())
            .arg(keys.user_sessions_prefix())
            .arg(keys.revocations());
        let deleted: i64 = invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        Ok(deleted == 1)
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        let keys = self.store.keys();
        let mut invocation = LIST.prepare_invoke();
        invocation
            .key(keys.user_sessions(user_id))
            .arg(keys.session_prefix());
        let records: Vec<String> = invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)?;
        let mut sessions = Vec::with_capacity(records.len());
        for json in records {
            let session = decode_session(&json, None)?;
            // The save script keeps each index to its owner's sessions; this
            // only guards against keys written by something else.
            if session.user_id == user_id {
                sessions.push(session);
            }
        }
        Ok(sessions)
    }

    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        let keys = self.store.keys();
        let mut invocation = DELETE_USER.prepare_invoke();
        invocation
            .key(keys.user_sessions(user_id))
            .arg(keys.session_prefix())
            .arg(keep.map(TokenHash::to_hex).unwrap_or_default())
            .arg(keys.revocations())
            .arg(user_id);
        invocation
            .invoke_async(&mut self.store.connection())
            .await
            .map_err(from_redis)
    }

    /// Redis dropped each expired session at its expiry already, on its own
    /// clock; this trims the index entries that still name them and answers
    /// `Ok(0)`: no session was left to delete.
    async fn purge_expired_sessions(&self, _now: u64) -> Result<u64, AdapterError> {
        trim_session_indexes(&self.store).await?;
        Ok(0)
    }
}

impl<U: AuthUser, A: PasswordAdapter<U>> PasswordAdapter<U> for RedisSessions<A> {
    fn create_user_with_password(
        &self,
        user: &U,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.create_user_with_password(user, password_hash)
    }

    fn find_password_credential(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<PasswordCredential<U>>, AdapterError>> + Send {
        self.inner.find_password_credential(email)
    }

    fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.set_password_hash(user_id, password_hash)
    }
}

/// Users live in the inner adapter.
impl<U: AuthUser, A: nanoauth::CreateUserAdapter<U>> nanoauth::CreateUserAdapter<U>
    for RedisSessions<A>
{
    fn create_user(&self, user: &U) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.create_user(user)
    }
}

/// Verified emails live with the users, in the inner adapter.
impl<U: AuthUser, A: nanoauth::EmailVerificationAdapter<U>> nanoauth::EmailVerificationAdapter<U>
    for RedisSessions<A>
{
    fn is_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.is_email_verified(user_id)
    }

    fn set_email_verified(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.set_email_verified(user_id)
    }

    fn claim_email(
        &self,
        user_id: &str,
    ) -> impl std::future::Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.claim_email(user_id)
    }
}

/// Linked provider accounts live with the users, in the inner adapter.
impl<U: AuthUser, A: nanoauth::AccountAdapter<U>> nanoauth::AccountAdapter<U> for RedisSessions<A> {
    fn find_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> impl Future<Output = Result<Option<nanoauth::AccountRecord>, AdapterError>> + Send {
        self.inner.find_account(provider, account_id)
    }

    fn link_account(
        &self,
        account: &nanoauth::AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.link_account(account)
    }

    fn unlink_account(
        &self,
        user_id: &str,
        provider: &str,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.unlink_account(user_id, provider)
    }

    fn list_accounts(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<nanoauth::AccountRecord>, AdapterError>> + Send {
        self.inner.list_accounts(user_id)
    }

    fn create_user_with_account(
        &self,
        user: &U,
        account: &nanoauth::AccountRecord,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.create_user_with_account(user, account)
    }
}

/// Plugin records (a two-factor secret, trusted devices) live with the
/// users, in the inner adapter: they are durable, and a Redis that keeps
/// nothing on disk must not lose them.
impl<U: AuthUser, A: nanoauth::RecordAdapter<U>> nanoauth::RecordAdapter<U> for RedisSessions<A> {
    fn insert_record(
        &self,
        record: &nanoauth::PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.insert_record(record, now)
    }

    fn find_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<nanoauth::PluginRecord>, AdapterError>> + Send {
        self.inner.find_record(namespace, key, now)
    }

    fn update_record(
        &self,
        record: &nanoauth::PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.update_record(record, now)
    }

    fn delete_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.delete_record(namespace, key, now)
    }

    fn list_user_records(
        &self,
        namespace: &str,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<nanoauth::PluginRecord>, AdapterError>> + Send {
        self.inner.list_user_records(namespace, user_id, now)
    }

    fn delete_user_records(
        &self,
        namespace: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        self.inner.delete_user_records(namespace, user_id)
    }

    fn purge_expired_records(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        self.inner.purge_expired_records(now)
    }
}

/// A user and their first records, both in the inner adapter.
impl<U: AuthUser, A: nanoauth::UserRecordsAdapter<U>> nanoauth::UserRecordsAdapter<U>
    for RedisSessions<A>
{
    fn create_user_with_records(
        &self,
        user: &U,
        records: &[nanoauth::PluginRecord],
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        self.inner.create_user_with_records(user, records, now)
    }
}

/// Users are listed by the inner adapter, which stores them.
impl<U: AuthUser, A: nanoauth::ListUsersAdapter<U>> nanoauth::ListUsersAdapter<U>
    for RedisSessions<A>
{
    fn search_users(
        &self,
        query: &nanoauth::adapter::UserQuery,
    ) -> impl Future<Output = Result<Vec<U>, AdapterError>> + Send {
        self.inner.search_users(query)
    }
}

impl<U: AuthUser, A: nanoauth::UpdateUserAdapter<U>> nanoauth::UpdateUserAdapter<U>
    for RedisSessions<A>
{
    fn update_user(&self, user: &U) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.update_user(user)
    }

    fn change_email(
        &self,
        user_id: &str,
        email: &Email,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        self.inner.change_email(user_id, email)
    }
}

impl<U: AuthUser, A: nanoauth::DeleteUserAdapter<U>> nanoauth::DeleteUserAdapter<U>
    for RedisSessions<A>
{
    async fn delete_user(&self, user_id: &str) -> Result<bool, AdapterError> {
        // The user and what `A` keeps of them (password, accounts, plugin
        // records) go in `A`'s transaction; the sessions live here, so
        // they go next, with the revocation announced to every process.
        // Redis and `A` share no transaction: if this second step fails,
        // the sessions left behind point at a user that no longer exists,
        // which every lookup refuses (`validate_token_with_user` finds no
        // user), and they expire.
        let deleted = self.inner.delete_user(user_id).await?;
        Adapter::<U>::delete_user_sessions(self, user_id, None).await?;
        Ok(deleted)
    }
}
