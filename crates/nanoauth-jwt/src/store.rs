//! Where the signing keys live: plugin records, one per rotation
//! generation, created under the store's uniqueness constraint, private
//! keys sealed; the published public keys in one more record; and the
//! current key cached in the plugin.
//!
//! - `jwt.key` / `<alg>.<rotate_every>.<n>`: the key of generation `n =
//!   floor(now / rotate_every)`: its public JWK in clear, its PKCS#8 sealed
//!   under [`Auth::sealing_keys`]. It expires when its last token does. Of
//!   concurrent first uses, one `insert_record` wins and the others read its
//!   key (`AdapterError::Conflict`), so there is one key per generation
//!   whatever the number of servers.
//! - `jwt.jwks` / `published`: the public keys that may still have live
//!   tokens, each with the time its last token expires. A key is added
//!   here (compare-and-swap) before anything is signed with it, by
//!   whichever server first loads it, so a verifier can always find the key
//!   of a token it is shown. The JWKS is read from this record alone, so
//!   keys made under an earlier configuration (another algorithm or
//!   schedule) stay published until their tokens expire.

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use nanoauth::utils::sealed::SealingKeys;
use nanoauth::{AdapterError, Auth, AuthUser, Error, PluginRecord, RecordAdapter};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::algorithm::Algorithm;
use crate::key::{self, PublicJwk, SigningKey};

/// Signing keys, one record per generation.
pub(crate) const KEYS: &str = "jwt.key";
/// The published public keys: one record.
pub(crate) const PUBLISHED: &str = "jwt.jwks";
const PUBLISHED_KEY: &str = "published";
/// The purpose the sealing keys are derived for: never shared with another
/// use of the application secrets.
const SEALING_PURPOSE: &str = "nanoauth-jwt signing key v1";
/// A key stays published this long after its last token's `exp`, for
/// verifiers whose clocks run behind ours.
pub(crate) const PUBLISH_LEEWAY: u64 = 120;
/// Compare-and-swap attempts before giving up: only concurrent first uses
/// and rotations race here.
const RETRIES: usize = 8;
/// More live keys than this means servers that cannot open each other's
/// keys (different secrets) and keep replacing them: refused, loudly,
/// rather than growing the JWKS without end.
const MAX_PUBLISHED: usize = 64;

/// When keys are made and how long their tokens live.
#[derive(Clone, Copy, Debug)]
pub(crate) struct KeyPolicy {
    pub(crate) algorithm: Algorithm,
    /// Token lifetime, seconds (at least 1).
    pub(crate) lifetime: u64,
    /// Rotation period, seconds (at least 1).
    pub(crate) rotate_every: u64,
}

/// One rotation generation under a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Generation {
    /// The record key: algorithm, period and number, so a change of either
    /// starts a new key rather than reusing one made under other rules.
    pub(crate) id: String,
    /// Its key signs until then (exclusive).
    pub(crate) signs_until: u64,
    /// Its key's tokens are all expired by then, plus leeway.
    pub(crate) published_until: u64,
}

impl KeyPolicy {
    pub(crate) fn generation(&self, now: u64) -> Generation {
        let number = now / self.rotate_every;
        let signs_until = number.saturating_add(1).saturating_mul(self.rotate_every);
        Generation {
            id: format!("{}.{}.{number}", self.algorithm.name(), self.rotate_every),
            signs_until,
            published_until: self.published_until(signs_until),
        }
    }

    fn published_until(&self, signs_until: u64) -> u64 {
        signs_until
            .saturating_add(self.lifetime)
            .saturating_add(PUBLISH_LEEWAY)
    }
}

/// A signing key as stored.
#[derive(Serialize, Deserialize)]
struct StoredKey {
    jwk: PublicJwk,
    /// The PKCS#8 document, sealed (`SealingKeys::seal`).
    private: String,
    created_at: u64,
}

/// The published public keys.
#[derive(Default, Serialize, Deserialize)]
struct Published {
    keys: Vec<PublishedKey>,
}

#[derive(Serialize, Deserialize)]
struct PublishedKey {
    jwk: PublicJwk,
    /// Published until then (exclusive).
    until: u64,
}

/// The key that signs now.
#[derive(Debug)]
pub(crate) struct CurrentKey {
    pub(crate) generation: Generation,
    pub(crate) key: SigningKey,
}

/// The plugin's cache of the current key.
#[derive(Debug, Default)]
pub(crate) struct KeyStore {
    current: ArcSwapOption<CurrentKey>,
    /// One load per server at a time: requests that find the cache stale
    /// together wait for one storage round instead of each making one.
    loading: Mutex<()>,
}

impl KeyStore {
    /// The key for `now`'s generation: from the cache while that
    /// generation lasts, else loaded (or made) and published first.
    pub(crate) async fn current<U: AuthUser, A: RecordAdapter<U>>(
        &self,
        auth: &Auth<U, A>,
        policy: &KeyPolicy,
        now: u64,
    ) -> Result<Arc<CurrentKey>, Error> {
        let generation = policy.generation(now);
        if let Some(current) = self.cached(&generation) {
            return Ok(current);
        }
        let _loading = self.loading.lock().await;
        if let Some(current) = self.cached(&generation) {
            return Ok(current);
        }
        let key = load_or_create(auth, policy, &generation, now).await?;
        publish(auth, key.jwk(), generation.published_until, now).await?;
        let current = Arc::new(CurrentKey { generation, key });
        self.current.store(Some(Arc::clone(&current)));
        Ok(current)
    }

    /// The cached key if it is `generation`'s: a key is never served past
    /// its generation.
    fn cached(&self, generation: &Generation) -> Option<Arc<CurrentKey>> {
        self.current
            .load_full()
            .filter(|current| current.generation.id == generation.id)
    }
}

/// The public keys published at `now`, the newest first.
pub(crate) async fn published<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    now: u64,
) -> Result<Vec<PublicJwk>, Error> {
    let record = auth
        .adapter()
        .find_record(PUBLISHED, PUBLISHED_KEY, now)
        .await?;
    let published: Published = match &record {
        Some(record) => record.data_as()?,
        None => Published::default(),
    };
    Ok(published
        .keys
        .into_iter()
        .filter(|key| key.until > now)
        .map(|key| key.jwk)
        .collect())
}

async fn load_or_create<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    policy: &KeyPolicy,
    generation: &Generation,
    now: u64,
) -> Result<SigningKey, Error> {
    let sealing = auth
        .sealing_keys(SEALING_PURPOSE)
        .map_err(Error::internal)?;
    let adapter = auth.adapter();
    for _ in 0..RETRIES {
        let Some(mut record) = adapter.find_record(KEYS, &generation.id, now).await? else {
            let (key, stored) = new_key(auth, &sealing, policy.algorithm, generation, now).await?;
            let record = PluginRecord::json(KEYS, generation.id.clone(), &stored)?
                .expiring_at(generation.published_until);
            match adapter.insert_record(&record, now).await {
                Ok(()) => return Ok(key),
                // Another request or server made this generation's key
                // first: read theirs.
                Err(AdapterError::Conflict) => continue,
                Err(error) => return Err(error.into()),
            }
        };
        let stored: StoredKey = record.data_as()?;
        if let Some(key) = open(&sealing, &stored, &generation.id, policy.algorithm) {
            return Ok(key);
        }
        // Sealed under a secret this server does not have (one dropped from
        // the list, or a server not yet given the new one): the public key
        // stays published, so its tokens still verify, and a new key takes
        // over the generation instead of every request failing.
        let (key, replacement) = new_key(auth, &sealing, policy.algorithm, generation, now).await?;
        record.set_data(&replacement)?;
        if adapter.update_record(&record, now).await? {
            return Ok(key);
        }
    }
    Err(Error::Adapter(AdapterError::Conflict))
}

async fn new_key<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    sealing: &SealingKeys,
    algorithm: Algorithm,
    generation: &Generation,
    now: u64,
) -> Result<(SigningKey, StoredKey), Error> {
    // RSA generation takes long enough to stall an executor thread.
    let (key, pkcs8) = nanoauth::run_blocking(auth.offload(), move || key::generate(algorithm))
        .await?
        .map_err(Error::internal)?;
    let private = sealing
        .seal(&pkcs8, &associated_data(&generation.id, key.kid()))
        .map_err(Error::internal)?;
    let stored = StoredKey {
        jwk: key.jwk().clone(),
        private,
        created_at: now,
    };
    Ok((key, stored))
}

/// The stored key, if this server's secrets open it and it is what the
/// record says it is.
fn open(
    sealing: &SealingKeys,
    stored: &StoredKey,
    generation: &str,
    algorithm: Algorithm,
) -> Option<SigningKey> {
    let pkcs8 = sealing.open(
        &stored.private,
        &associated_data(generation, &stored.jwk.kid),
    )?;
    key::from_pkcs8(algorithm, &pkcs8)
        .ok()
        .filter(|key| key.jwk() == &stored.jwk)
}

/// Binds a sealed private key to its record and key id: one copied into
/// another record, or paired with another public key, does not open.
fn associated_data(generation: &str, kid: &str) -> Vec<u8> {
    format!("nanoauth-jwt|{KEYS}|{generation}|{kid}").into_bytes()
}

/// Adds `jwk` to the published keys until `until` (or later, if it is
/// already there for longer), dropping keys whose tokens have all expired.
async fn publish<U: AuthUser, A: RecordAdapter<U>>(
    auth: &Auth<U, A>,
    jwk: &PublicJwk,
    until: u64,
    now: u64,
) -> Result<(), Error> {
    let adapter = auth.adapter();
    for _ in 0..RETRIES {
        let record = adapter.find_record(PUBLISHED, PUBLISHED_KEY, now).await?;
        let mut published: Published = match &record {
            Some(record) => record.data_as()?,
            None => Published::default(),
        };
        if published
            .keys
            .iter()
            .any(|key| key.jwk.kid == jwk.kid && key.until >= until)
        {
            return Ok(());
        }
        published
            .keys
            .retain(|key| key.until > now && key.jwk.kid != jwk.kid);
        if published.keys.len() >= MAX_PUBLISHED {
            return Err(Error::internal(std::io::Error::other(
                "nanoauth-jwt: too many live signing keys; do all servers share the same secrets?",
            )));
        }
        // Newest first: by the end of publication, and among keys of one
        // period (a replaced key), the one added last.
        published.keys.insert(
            0,
            PublishedKey {
                jwk: jwk.clone(),
                until,
            },
        );
        published
            .keys
            .sort_by_key(|key| std::cmp::Reverse(key.until));
        let written = match record {
            Some(mut record) => {
                record.set_data(&published)?;
                adapter.update_record(&record, now).await?
            }
            None => match adapter
                .insert_record(
                    &PluginRecord::json(PUBLISHED, PUBLISHED_KEY, &published)?,
                    now,
                )
                .await
            {
                Ok(()) => true,
                Err(AdapterError::Conflict) => false,
                Err(error) => return Err(error.into()),
            },
        };
        if written {
            return Ok(());
        }
    }
    Err(Error::Adapter(AdapterError::Conflict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations_follow_the_schedule() {
        let policy = KeyPolicy {
            algorithm: Algorithm::EdDsa,
            lifetime: 900,
            rotate_every: 1000,
        };
        let first = policy.generation(5_000);
        assert_eq!(first.id, "EdDSA.1000.5");
        assert_eq!(first.signs_until, 6_000);
        assert_eq!(first.published_until, 6_000 + 900 + PUBLISH_LEEWAY);
        assert_eq!(policy.generation(5_999), first);
        assert_eq!(policy.generation(6_000).id, "EdDSA.1000.6");
        let other = KeyPolicy {
            algorithm: Algorithm::Es256,
            ..policy
        };
        assert_eq!(other.generation(5_000).id, "ES256.1000.5");
        // No overflow at the end of time.
        assert_eq!(policy.generation(u64::MAX).published_until, u64::MAX);
    }
}
