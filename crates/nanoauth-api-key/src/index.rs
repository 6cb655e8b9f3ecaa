//! The keys of an owner that is not a user (an organization, a service):
//! plugin records are listed by their user only, so each such owner has
//! one index record listing its keys, changed by compare-and-swap.
//!
//! The index entry is written before the key's record and removed after
//! it: a crash between the two leaves an entry without a key (skipped and
//! dropped when read), never a working key that no list shows.

use nanoauth::{AdapterError, AuthUser, Error, PluginRecord, RecordAdapter};
use serde::{Deserialize, Serialize};

/// The records namespace of the owners' indexes; a record's key is
/// [`KeyOwner::index_key`](crate::KeyOwner).
pub(crate) const INDEX_NAMESPACE: &str = "api-key.owner";

/// How often a compare-and-swap is tried before answering `Conflict`.
const ATTEMPTS: usize = 8;

/// One key in an owner's index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The key's public id.
    pub(crate) id: String,
    /// Its record's key (the key's SHA-256).
    pub(crate) record: String,
}

#[derive(Default, Serialize, Deserialize)]
struct Index {
    keys: Vec<Entry>,
}

/// The owner's entries, as stored.
pub(crate) async fn entries<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    index_key: &str,
    now: u64,
) -> Result<Vec<Entry>, Error> {
    Ok(
        match adapter.find_record(INDEX_NAMESPACE, index_key, now).await? {
            Some(record) => record.data_as::<Index>()?.keys,
            None => Vec::new(),
        },
    )
}

/// Adds `entry`, first dropping the entries `live` says are gone when the
/// index is full; `TOO_MANY_API_KEYS` when it stays full.
pub(crate) async fn add<U, A, F, Fut>(
    adapter: &A,
    index_key: &str,
    entry: Entry,
    max: usize,
    now: u64,
    live: F,
) -> Result<(), Error>
where
    U: AuthUser,
    A: RecordAdapter<U>,
    F: Fn(Entry) -> Fut,
    Fut: Future<Output = Result<bool, Error>>,
{
    for _ in 0..ATTEMPTS {
        let found = adapter.find_record(INDEX_NAMESPACE, index_key, now).await?;
        let mut index = match &found {
            Some(record) => record.data_as::<Index>()?,
            None => Index::default(),
        };
        if index.keys.len() >= max {
            let mut kept = Vec::with_capacity(index.keys.len());
            for old in index.keys {
                if live(old.clone()).await? {
                    kept.push(old);
                }
            }
            index.keys = kept;
            if index.keys.len() >= max {
                return Err(crate::api::too_many_keys(max));
            }
        }
        index.keys.push(entry.clone());
        let written = match found {
            Some(mut record) => {
                record.set_data(&index)?;
                adapter.update_record(&record, now).await?
            }
            None => {
                let record = PluginRecord::json(INDEX_NAMESPACE, index_key, &index)?;
                match adapter.insert_record(&record, now).await {
                    Ok(()) => true,
                    Err(AdapterError::Conflict) => false,
                    Err(error) => return Err(error.into()),
                }
            }
        };
        if written {
            return Ok(());
        }
    }
    Err(Error::Adapter(AdapterError::Conflict))
}

/// Removes the entries whose id `gone` names (after their records).
pub(crate) async fn remove<U: AuthUser, A: RecordAdapter<U>>(
    adapter: &A,
    index_key: &str,
    gone: &[&str],
    now: u64,
) -> Result<(), Error> {
    for _ in 0..ATTEMPTS {
        let Some(mut record) = adapter.find_record(INDEX_NAMESPACE, index_key, now).await? else {
            return Ok(());
        };
        let mut index: Index = record.data_as()?;
        let before = index.keys.len();
        index
            .keys
            .retain(|entry| !gone.contains(&entry.id.as_str()));
        if index.keys.len() == before {
            return Ok(());
        }
        // An emptied index stays, empty: records have no delete of one
        // version, and a plain delete could drop a key added meanwhile.
        record.set_data(&index)?;
        let written = adapter.update_record(&record, now).await?;
        if written {
            return Ok(());
        }
    }
    Err(Error::Adapter(AdapterError::Conflict))
}
