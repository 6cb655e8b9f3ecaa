//! What the plugin keeps, as typed plugin records of the core's
//! [`RecordAdapter`]: so every adapter that has records (memory, SQL in
//! three dialects, Redis-backed sessions over either) stores bans, with no
//! table of the plugin's own, and a removed user's ban goes with them.
//!
//! | namespace | key | owner | expires | data |
//! |---|---|---|---|---|
//! | `admin.ban` | the user's id | the user | when the ban ends, or never | [`Ban`] |
//!
//! An expired record is absent for every adapter method, so a ban with an
//! end lifts by itself at that second, with nothing to run.

use nanoauth::{AdapterError, AuthUser, Error, PluginRecord, RecordAdapter, TypedRecords};
use serde::{Deserialize, Serialize};

/// Bans, by user id.
pub const BAN_NAMESPACE: &str = "admin.ban";

/// How often a write that lost a race is tried again.
const RETRIES: usize = 5;

/// A ban: why, by whom, since and until when. The same JSON is written by
/// `nanoauth user ban`, so a ban set from the command line holds here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ban {
    /// Why, shown to the banned user when they try to sign in.
    #[serde(default)]
    pub reason: Option<String>,
    /// The administrator's id (`"cli"` from the command line).
    pub banned_by: String,
    /// When, Unix seconds.
    pub banned_at: u64,
    /// When the ban lifts by itself, Unix seconds; `None`: never.
    #[serde(default)]
    pub expires_at: Option<u64>,
}

/// The live ban of `user_id`, if any (an expired one is none).
///
/// # Errors
/// Adapter failures; a stored ban that is not a [`Ban`].
pub async fn ban_of<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    user_id: &str,
    now: u64,
) -> Result<Option<Ban>, Error> {
    if nanoauth::adapter::check_names(BAN_NAMESPACE, user_id).is_err() {
        return Ok(None);
    }
    Ok(adapter
        .find_typed::<Ban>(BAN_NAMESPACE, user_id, now)
        .await?
        .map(|read| read.value))
}

/// Writes `ban` for `user_id`, over any ban in force: what the plugin's
/// `ban-user` stores, for tools that ban outside a running `Auth` (the
/// `nanoauth user ban` command). It does not revoke sessions: do that too
/// ([`Auth::revoke_user_sessions`](nanoauth::Auth::revoke_user_sessions),
/// or the adapter's `delete_user_sessions` where no `Auth` runs).
///
/// ```
/// use nanoauth::adapter::memory::MemoryAdapter;
/// use nanoauth::{BasicUser, CreateUserAdapter};
/// use nanoauth_admin::{Ban, ban_of, put_ban};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), nanoauth::Error> {
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// adapter.create_user(&BasicUser { id: "u1".into(), email: "a@example.com".into(), name: String::new() }).await?;
/// let ban = Ban { reason: Some("spam".into()), banned_by: "cli".into(), banned_at: 100, expires_at: Some(200) };
/// put_ban(&adapter, "u1", &ban, 100).await?;
/// assert_eq!(ban_of(&adapter, "u1", 150).await?, Some(ban));
/// assert_eq!(ban_of(&adapter, "u1", 200).await?, None, "lifted at its expiry");
/// # Ok(()) }
/// ```
///
/// # Errors
/// Adapter failures; `CONFLICT` when other writes kept winning.
pub async fn put_ban<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    user_id: &str,
    ban: &Ban,
    now: u64,
) -> Result<(), Error> {
    for _ in 0..RETRIES {
        match adapter.find_record(BAN_NAMESPACE, user_id, now).await? {
            Some(mut record) => {
                record.set_data(ban)?;
                record.expires_at = ban.expires_at;
                if adapter.update_record(&record, now).await? {
                    return Ok(());
                }
            }
            None => {
                let mut record = PluginRecord::json(BAN_NAMESPACE, user_id, ban)?.owned_by(user_id);
                if let Some(at) = ban.expires_at {
                    record = record.expiring_at(at);
                }
                match adapter.insert_record(&record, now).await {
                    Ok(()) => return Ok(()),
                    Err(AdapterError::Conflict) => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
    }
    Err(Error::Adapter(AdapterError::Conflict))
}

/// Lifts the ban of `user_id`; `false` when there was none.
///
/// # Errors
/// Adapter failures.
pub async fn lift_ban<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    user_id: &str,
    now: u64,
) -> Result<bool, Error> {
    Ok(adapter.delete_record(BAN_NAMESPACE, user_id, now).await?)
}
