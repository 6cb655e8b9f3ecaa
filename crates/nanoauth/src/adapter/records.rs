//! Plugin records: one small, general storage capability that any plugin
//! (ours or an outside author's) builds its own state on, so that a new
//! plugin has storage in every adapter without a new table or trait per
//! plugin and adapter.
//!
//! A record is a JSON document under `(namespace, key)`, optionally owned by
//! a user (listed and deleted per user, and gone with the user), optionally
//! expiring, with a version for compare-and-swap. That is enough for
//! per-user settings (a two-factor secret), single-use challenges (delete
//! wins once), per-user lists (trusted devices, passkeys, API keys looked
//! up by a hash as key) and counters updated without lost writes.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::adapter::{Adapter, AdapterError};
use crate::user::AuthUser;

/// Longest namespace accepted, in bytes.
pub const MAX_NAMESPACE_LEN: usize = 64;
/// Longest key accepted, in bytes.
pub const MAX_RECORD_KEY_LEN: usize = 255;

/// A plugin's record.
///
/// `data` is the plugin's own JSON; its `Debug` is redacted, since plugins
/// keep sealed secrets and hashes there.
///
/// ```
/// use nanoauth::adapter::PluginRecord;
/// let record = PluginRecord::new("two-factor", "user-1", r#"{"enabled":true}"#)
///     .owned_by("user-1")
///     .expiring_at(1_700_000_300);
/// assert_eq!(record.version, 0);
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PluginRecord {
    /// The plugin's namespace (`"two-factor"`, `"two-factor.device"`), at
    /// most [`MAX_NAMESPACE_LEN`] bytes. Namespaces never see each other.
    pub namespace: String,
    /// Unique within the namespace, at most [`MAX_RECORD_KEY_LEN`] bytes: a
    /// user id, a token hash, a random id.
    pub key: String,
    /// The user the record belongs to: listed and deleted by user, and
    /// removed when the user is (SQL adapters cascade).
    pub user_id: Option<String>,
    /// The plugin's JSON.
    pub data: String,
    /// Set by the store: 1 when inserted, one more on each update. An
    /// update names the version it read, and fails if another write came
    /// first.
    pub version: u64,
    /// When the record stops existing, in Unix seconds; `None` keeps it.
    pub expires_at: Option<u64>,
}

impl PluginRecord {
    /// A record to insert (version 0; the store sets 1).
    pub fn new(
        namespace: impl Into<String>,
        key: impl Into<String>,
        data: impl Into<String>,
    ) -> Self {
        Self {
            namespace: namespace.into(),
            key: key.into(),
            user_id: None,
            data: data.into(),
            version: 0,
            expires_at: None,
        }
    }

    /// Owned by `user_id`.
    #[must_use]
    pub fn owned_by(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// Expiring at `expires_at` (Unix seconds).
    #[must_use]
    pub fn expiring_at(mut self, expires_at: u64) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Rebuilds a stored record (for adapters).
    pub fn from_storage(
        namespace: String,
        key: String,
        user_id: Option<String>,
        data: String,
        version: u64,
        expires_at: Option<u64>,
    ) -> Self {
        Self {
            namespace,
            key,
            user_id,
            data,
            version,
            expires_at,
        }
    }

    /// A record to insert whose data is `value` as JSON.
    ///
    /// ```
    /// use nanoauth::adapter::PluginRecord;
    /// let record = PluginRecord::json("my-plugin", "user-1", &serde_json::json!({ "on": true }))?;
    /// assert_eq!(record.data, r#"{"on":true}"#);
    /// # Ok::<(), nanoauth::AdapterError>(())
    /// ```
    ///
    /// # Errors
    /// [`AdapterError::Other`] if `value` cannot be serialized.
    pub fn json<T: Serialize + ?Sized>(
        namespace: impl Into<String>,
        key: impl Into<String>,
        value: &T,
    ) -> Result<Self, AdapterError> {
        Ok(Self::new(namespace, key, to_json(value)?))
    }

    /// The data read as `T`.
    ///
    /// # Errors
    /// [`AdapterError::Other`] when the stored JSON is not a `T` (a record
    /// written by another version of the plugin, or damaged).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, AdapterError> {
        serde_json::from_str(&self.data).map_err(|error| {
            AdapterError::other(format!("unreadable {} record: {error}", self.namespace))
        })
    }

    /// Replaces the data with `value` as JSON (for an update).
    ///
    /// # Errors
    /// [`AdapterError::Other`] if `value` cannot be serialized.
    pub fn set_data<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), AdapterError> {
        self.data = to_json(value)?;
        Ok(())
    }

    /// Still there at `now`.
    pub fn is_live(&self, now: u64) -> bool {
        self.expires_at.is_none_or(|expires_at| expires_at > now)
    }

    /// Checks the lengths adapters promise to store.
    ///
    /// # Errors
    /// [`AdapterError::InvalidInput`] for an empty or too long namespace or
    /// key.
    pub fn check(&self) -> Result<(), AdapterError> {
        check_names(&self.namespace, &self.key)
    }
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, AdapterError> {
    serde_json::to_string(value).map_err(AdapterError::other)
}

/// A record's data read as `T`, with the record it came from: its version
/// is what [`TypedRecords::update_typed`] compares against.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Typed<T> {
    /// The data.
    pub value: T,
    /// The record as read.
    pub record: PluginRecord,
}

/// Plugin records as typed values (JSON through serde), on every
/// [`RecordAdapter`]: read, then write back what was read changed,
/// compare-and-swap.
///
/// ```
/// use nanoauth::adapter::{PluginRecord, RecordAdapter, TypedRecords};
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::BasicUser;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::AdapterError> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// adapter.insert_record(&PluginRecord::json("counter", "c", &1u32)?, 0).await?;
/// let read = adapter.find_typed::<u32>("counter", "c", 0).await?.expect("there");
/// assert!(adapter.update_typed(&read, &(read.value + 1), 0).await?);
/// // A second write from the same read loses: someone wrote first.
/// assert!(!adapter.update_typed(&read, &(read.value + 1), 0).await?);
/// # Ok(()) }
/// ```
pub trait TypedRecords<U: AuthUser>: RecordAdapter<U> {
    /// The live record at `(namespace, key)`, its data read as `T`.
    ///
    /// # Errors
    /// Adapter failures; data that is not a `T`.
    fn find_typed<T: DeserializeOwned>(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<Typed<T>>, AdapterError>> + Send {
        let found = self.find_record(namespace, key, now);
        async move {
            let Some(record) = found.await? else {
                return Ok(None);
            };
            Ok(Some(Typed {
                value: record.data_as()?,
                record,
            }))
        }
    }

    /// Writes `value` over what `read` read: `Ok(false)` when another
    /// write came first (read again, or give up).
    ///
    /// # Errors
    /// Adapter failures; a value that cannot be serialized.
    fn update_typed<T: Serialize>(
        &self,
        read: &Typed<T>,
        value: &T,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        let mut record = read.record.clone();
        let encoded = record.set_data(value);
        async move {
            encoded?;
            self.update_record(&record, now).await
        }
    }
}

impl<U: AuthUser, A: RecordAdapter<U>> TypedRecords<U> for A {}

/// Checks a namespace and key as [`PluginRecord::check`] does.
///
/// # Errors
/// [`AdapterError::InvalidInput`] for an empty or too long namespace or key.
pub fn check_names(namespace: &str, key: &str) -> Result<(), AdapterError> {
    if namespace.is_empty()
        || namespace.len() > MAX_NAMESPACE_LEN
        || key.is_empty()
        || key.len() > MAX_RECORD_KEY_LEN
    {
        return Err(AdapterError::InvalidInput(
            "record namespace or key is empty or too long".into(),
        ));
    }
    Ok(())
}

impl std::fmt::Debug for PluginRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginRecord")
            .field("namespace", &self.namespace)
            .field("key", &self.key)
            .field("user_id", &self.user_id)
            .field("data", &crate::email::REDACTED)
            .field("version", &self.version)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Storage for plugin records. Plugins that keep state of their own bound
/// their adapter by this trait; every adapter NanoAuth ships implements
/// it, and the conformance suite (`nanoauth-testing`, capability
/// `records`) checks the behaviour below.
///
/// Times are passed in (`now`, Unix seconds) so that the store never
/// consults a clock of its own: an expired record is treated as absent by
/// every method, whether or not it was purged yet.
pub trait RecordAdapter<U: AuthUser>: Adapter<U> {
    /// Inserts `record` with version 1.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] when a live record has this namespace and
    /// key (an expired one is replaced); atomic with the insert, so of two
    /// concurrent inserts one fails. [`AdapterError::InvalidInput`] for a
    /// namespace or key that [`PluginRecord::check`] refuses. Another error
    /// when `user_id` names no user (SQL adapters).
    fn insert_record(
        &self,
        record: &PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send;

    /// The live record at `(namespace, key)`.
    fn find_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<PluginRecord>, AdapterError>> + Send;

    /// Compare-and-swap: when the stored record at `record`'s namespace and
    /// key is live and has `record.version`, replaces its `data`, `user_id`
    /// and `expires_at` and increments its version; `Ok(true)`. `Ok(false)`
    /// when it changed since it was read, expired or is gone: read again
    /// and retry, or give up.
    fn update_record(
        &self,
        record: &PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// Deletes the record; `Ok(true)` when a live one was deleted. Of
    /// several concurrent deletes exactly one sees `true`: consuming a
    /// single-use record is deleting it.
    fn delete_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send;

    /// The live records of `namespace` owned by `user_id`, in no order.
    fn list_user_records(
        &self,
        namespace: &str,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<PluginRecord>, AdapterError>> + Send;

    /// Deletes every record of `namespace` owned by `user_id`; returns how
    /// many (expired ones may be counted).
    fn delete_user_records(
        &self,
        namespace: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send;

    /// Deletes the records expired at `now`, in every namespace; returns
    /// how many.
    fn purge_expired_records(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send;
}

impl<U: AuthUser, A: RecordAdapter<U>> RecordAdapter<U> for std::sync::Arc<A> {
    fn insert_record(
        &self,
        record: &PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<(), AdapterError>> + Send {
        (**self).insert_record(record, now)
    }

    fn find_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<Option<PluginRecord>, AdapterError>> + Send {
        (**self).find_record(namespace, key, now)
    }

    fn update_record(
        &self,
        record: &PluginRecord,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        (**self).update_record(record, now)
    }

    fn delete_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, AdapterError>> + Send {
        (**self).delete_record(namespace, key, now)
    }

    fn list_user_records(
        &self,
        namespace: &str,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<Vec<PluginRecord>, AdapterError>> + Send {
        (**self).list_user_records(namespace, user_id, now)
    }

    fn delete_user_records(
        &self,
        namespace: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        (**self).delete_user_records(namespace, user_id)
    }

    fn purge_expired_records(
        &self,
        now: u64,
    ) -> impl Future<Output = Result<u64, AdapterError>> + Send {
        (**self).purge_expired_records(now)
    }
}
