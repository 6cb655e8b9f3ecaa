//! An in-memory adapter, for tests, examples and prototypes.

use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::de::DeserializeOwned;

use crate::adapter::UserQuery;
use crate::adapter::{
    AccountAdapter, AccountRecord, Adapter, AdapterError, CreateUserAdapter, DeleteUserAdapter,
    EmailVerificationAdapter, ListUsersAdapter, PasswordAdapter, PasswordCredential, PluginRecord,
    RecordAdapter, UpdateUserAdapter, UserRecordsAdapter, VerificationAdapter, VerificationRecord,
};
use crate::session::SessionRecord;
use crate::user::{AuthUser, Email};
use crate::utils::token::TokenHash;

/// Keeps users, password hashes and sessions in process memory. Everything
/// is lost when the process ends; every capability of the shipped plugins is
/// implemented, so it stands in for a real database in tests.
///
/// ```
/// use nanoauth::BasicUser;
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// let adapter = MemoryAdapter::<BasicUser>::new();
/// assert_eq!(adapter.user_count(), 0);
/// ```
#[derive(Debug)]
pub struct MemoryAdapter<U> {
    state: RwLock<State<U>>,
}

#[derive(Debug)]
struct State<U> {
    users: HashMap<String, U>,
    /// Normalised email to user id: the unique index.
    by_email: HashMap<String, String>,
    passwords: HashMap<String, String>,
    sessions: HashMap<TokenHash, SessionRecord>,
    verifications: HashMap<TokenHash, VerificationRecord>,
    verified_emails: std::collections::HashSet<String>,
    /// `(provider, account_id)` to the linked account: the unique index.
    accounts: HashMap<(String, String), AccountRecord>,
    /// Plugin records by `(namespace, key)`.
    records: HashMap<(String, String), PluginRecord>,
}

impl<U: AuthUser> State<U> {
    /// Inserts a user unless its email or id is taken: the unique indexes.
    fn insert_user(&mut self, user: &U) -> Result<(), AdapterError> {
        if self.by_email.contains_key(user.email()) || self.users.contains_key(user.id()) {
            return Err(AdapterError::Conflict);
        }
        let id = user.id().to_owned();
        self.by_email.insert(user.email().to_owned(), id.clone());
        self.users.insert(id, user.clone());
        Ok(())
    }

    /// `Conflict` when a live record has `record`'s key.
    fn check_record_free(&self, record: &PluginRecord, now: u64) -> Result<(), AdapterError> {
        let key = (record.namespace.clone(), record.key.clone());
        if self
            .records
            .get(&key)
            .is_some_and(|stored| stored.is_live(now))
        {
            return Err(AdapterError::Conflict);
        }
        Ok(())
    }

    /// Stores `record` as new (version 1), over an expired one.
    fn put_record(&mut self, record: &PluginRecord) {
        let mut stored = record.clone();
        stored.version = 1;
        self.records
            .insert((record.namespace.clone(), record.key.clone()), stored);
    }
}

impl<U> MemoryAdapter<U> {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            state: RwLock::new(State {
                users: HashMap::new(),
                by_email: HashMap::new(),
                passwords: HashMap::new(),
                sessions: HashMap::new(),
                verifications: HashMap::new(),
                verified_emails: std::collections::HashSet::new(),
                accounts: HashMap::new(),
                records: HashMap::new(),
            }),
        }
    }

    /// How many users are stored.
    pub fn user_count(&self) -> usize {
        self.read().users.len()
    }

    /// How many sessions are stored (expired ones included).
    pub fn session_count(&self) -> usize {
        self.read().sessions.len()
    }

    /// How many single-use tokens are stored (expired ones included).
    ///
    /// ```
    /// use nanoauth::BasicUser;
    /// use nanoauth::adapter::memory::MemoryAdapter;
    ///
    /// assert_eq!(MemoryAdapter::<BasicUser>::new().verification_count(), 0);
    /// ```
    pub fn verification_count(&self) -> usize {
        self.read().verifications.len()
    }

    // A panic while holding the lock cannot leave the maps inconsistent
    // (each write is a single insert or remove), so a poisoned lock is
    // still safe to use.
    fn read(&self) -> RwLockReadGuard<'_, State<U>> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State<U>> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<U> Default for MemoryAdapter<U> {
    fn default() -> Self {
        Self::new()
    }
}

impl<U: AuthUser> Adapter<U> for MemoryAdapter<U> {
    async fn get_user(&self, id: &str) -> Result<Option<U>, AdapterError> {
        Ok(self.read().users.get(id).cloned())
    }

    async fn find_user_by_email(&self, email: &Email) -> Result<Option<U>, AdapterError> {
        let state = self.read();
        Ok(state
            .by_email
            .get(email.as_str())
            .and_then(|id| state.users.get(id))
            .cloned())
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.write()
            .sessions
            .insert(session.token_hash, session.clone());
        Ok(())
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        // Under the write lock a delete also takes: gone stays gone.
        match self.write().sessions.get_mut(&session.token_hash) {
            Some(stored) if stored.user_id == session.user_id => {
                stored.updated_at = session.updated_at;
                stored.expires_at = session.expires_at;
                stored.attributes = session.attributes.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        Ok(self.read().sessions.get(token_hash).cloned())
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        Ok(self.write().sessions.remove(token_hash).is_some())
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        Ok(self
            .read()
            .sessions
            .values()
            .filter(|session| session.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        let mut state = self.write();
        let before = state.sessions.len();
        state
            .sessions
            .retain(|hash, session| session.user_id != user_id || Some(hash) == keep);
        Ok((before - state.sessions.len()) as u64)
    }

    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        let mut state = self.write();
        let before = state.sessions.len();
        state.sessions.retain(|_, session| session.expires_at > now);
        Ok((before - state.sessions.len()) as u64)
    }
}

impl<U: AuthUser> CreateUserAdapter<U> for MemoryAdapter<U> {
    async fn create_user(&self, user: &U) -> Result<(), AdapterError> {
        self.write().insert_user(user)
    }
}

impl<U: AuthUser> ListUsersAdapter<U> for MemoryAdapter<U> {
    async fn search_users(&self, query: &UserQuery) -> Result<Vec<U>, AdapterError> {
        let state = self.read();
        let mut found: Vec<&U> = state
            .users
            .values()
            .filter(|user| {
                // The `name` field, when the user type has one, read the way
                // a database column would be: from the user's JSON.
                let name = serde_json::to_value(*user).ok().and_then(|value| {
                    value
                        .get("name")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                });
                query.matches(user.email(), name.as_deref())
            })
            .collect();
        found.sort_by(|a, b| a.email().cmp(b.email()));
        Ok(found
            .into_iter()
            .take(query.limit as usize)
            .cloned()
            .collect())
    }
}

impl<U: AuthUser> EmailVerificationAdapter<U> for MemoryAdapter<U> {
    async fn is_email_verified(&self, user_id: &str) -> Result<bool, AdapterError> {
        Ok(self.read().verified_emails.contains(user_id))
    }

    async fn set_email_verified(&self, user_id: &str) -> Result<(), AdapterError> {
        let mut state = self.write();
        if !state.users.contains_key(user_id) {
            return Err(AdapterError::other("no user with this id"));
        }
        state.verified_emails.insert(user_id.to_owned());
        Ok(())
    }

    async fn claim_email(&self, user_id: &str) -> Result<bool, AdapterError> {
        // One write lock: the check and every removal are one step.
        let mut state = self.write();
        if !state.users.contains_key(user_id) {
            return Err(AdapterError::other("no user with this id"));
        }
        if !state.verified_emails.insert(user_id.to_owned()) {
            return Ok(false);
        }
        state.passwords.remove(user_id);
        state
            .accounts
            .retain(|_, account| account.user_id != user_id);
        Ok(true)
    }
}

/// `user` with its serialized `"email"` field set to `email`: the user type
/// is opaque here, so the address moves through its JSON form, under the
/// field name SQL adapters map to the `email` column too.
fn with_email<U: AuthUser + DeserializeOwned>(user: &U, email: &str) -> Result<U, AdapterError> {
    let mut fields = serde_json::to_value(user).map_err(AdapterError::other)?;
    let Some(object) = fields.as_object_mut() else {
        return Err(AdapterError::other(
            "the user type must serialize to an object",
        ));
    };
    if !object.contains_key("email") {
        return Err(AdapterError::other("the user type has no `email` field"));
    }
    object.insert("email".to_owned(), email.into());
    serde_json::from_value(fields).map_err(AdapterError::other)
}

impl<U: AuthUser + DeserializeOwned> UpdateUserAdapter<U> for MemoryAdapter<U> {
    async fn update_user(&self, user: &U) -> Result<bool, AdapterError> {
        let mut state = self.write();
        let Some(stored) = state.users.get_mut(user.id()) else {
            return Ok(false);
        };
        // Every field but the address, which only `change_email` moves.
        *stored = with_email(user, stored.email())?;
        Ok(true)
    }

    async fn change_email(&self, user_id: &str, email: &Email) -> Result<bool, AdapterError> {
        // One write lock: the uniqueness check, the move and the verified
        // mark are one step.
        let mut state = self.write();
        let Some(stored) = state.users.get(user_id) else {
            return Ok(false);
        };
        match state.by_email.get(email.as_str()) {
            Some(owner) if owner != user_id => return Err(AdapterError::Conflict),
            _ => {}
        }
        let old = stored.email().to_owned();
        let moved = with_email(stored, email.as_str())?;
        state.by_email.remove(&old);
        state
            .by_email
            .insert(email.as_str().to_owned(), user_id.to_owned());
        state.users.insert(user_id.to_owned(), moved);
        state.verified_emails.insert(user_id.to_owned());
        Ok(true)
    }
}

impl<U: AuthUser> DeleteUserAdapter<U> for MemoryAdapter<U> {
    async fn delete_user(&self, user_id: &str) -> Result<bool, AdapterError> {
        // One write lock around every removal: all or nothing.
        let mut state = self.write();
        let Some(user) = state.users.remove(user_id) else {
            return Ok(false);
        };
        state.by_email.remove(user.email());
        state.passwords.remove(user_id);
        state.verified_emails.remove(user_id);
        state
            .sessions
            .retain(|_, session| session.user_id != user_id);
        state
            .accounts
            .retain(|_, account| account.user_id != user_id);
        state
            .records
            .retain(|_, record| record.user_id.as_deref() != Some(user_id));
        Ok(true)
    }
}

impl<U: AuthUser> VerificationAdapter<U> for MemoryAdapter<U> {
    async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
        self.write()
            .verifications
            .insert(record.token_hash, record.clone());
        Ok(())
    }

    async fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> Result<Option<VerificationRecord>, AdapterError> {
        // Check and remove under one write lock: exactly one caller wins.
        let mut state = self.write();
        match state.verifications.get(token_hash) {
            Some(record) if record.purpose == purpose => Ok(state.verifications.remove(token_hash)),
            _ => Ok(None),
        }
    }

    async fn purge_expired_verifications(&self, now: u64) -> Result<u64, AdapterError> {
        let mut state = self.write();
        let before = state.verifications.len();
        state
            .verifications
            .retain(|_, record| record.expires_at > now);
        Ok((before - state.verifications.len()) as u64)
    }
}

impl<U: AuthUser> AccountAdapter<U> for MemoryAdapter<U> {
    async fn find_account(
        &self,
        provider: &str,
        account_id: &str,
    ) -> Result<Option<AccountRecord>, AdapterError> {
        let key = (provider.to_owned(), account_id.to_owned());
        Ok(self.read().accounts.get(&key).cloned())
    }

    async fn link_account(&self, account: &AccountRecord) -> Result<(), AdapterError> {
        let mut state = self.write();
        if !state.users.contains_key(&account.user_id) {
            return Err(AdapterError::other("no user with this id"));
        }
        let key = (account.provider.clone(), account.account_id.clone());
        if state.accounts.contains_key(&key) {
            return Err(AdapterError::Conflict);
        }
        state.accounts.insert(key, account.clone());
        Ok(())
    }

    async fn unlink_account(&self, user_id: &str, provider: &str) -> Result<bool, AdapterError> {
        let mut state = self.write();
        let before = state.accounts.len();
        state
            .accounts
            .retain(|_, account| account.user_id != user_id || account.provider != provider);
        Ok(state.accounts.len() < before)
    }

    async fn list_accounts(&self, user_id: &str) -> Result<Vec<AccountRecord>, AdapterError> {
        Ok(self
            .read()
            .accounts
            .values()
            .filter(|account| account.user_id == user_id)
            .cloned()
            .collect())
    }

    async fn create_user_with_account(
        &self,
        user: &U,
        account: &AccountRecord,
    ) -> Result<(), AdapterError> {
        // One write lock around both checks and both inserts.
        let mut state = self.write();
        let key = (account.provider.clone(), account.account_id.clone());
        if state.by_email.contains_key(user.email())
            || state.users.contains_key(user.id())
            || state.accounts.contains_key(&key)
        {
            return Err(AdapterError::Conflict);
        }
        let id = user.id().to_owned();
        let account = AccountRecord {
            user_id: id.clone(),
            ..account.clone()
        };
        state.by_email.insert(user.email().to_owned(), id.clone());
        state.users.insert(id, user.clone());
        state.accounts.insert(key, account);
        Ok(())
    }
}

impl<U: AuthUser> PasswordAdapter<U> for MemoryAdapter<U> {
    async fn create_user_with_password(
        &self,
        user: &U,
        password_hash: &str,
    ) -> Result<(), AdapterError> {
        // One write lock around both inserts: no user without a password.
        let mut state = self.write();
        state.insert_user(user)?;
        state
            .passwords
            .insert(user.id().to_owned(), password_hash.to_owned());
        Ok(())
    }

    async fn find_password_credential(
        &self,
        email: &Email,
    ) -> Result<Option<PasswordCredential<U>>, AdapterError> {
        let state = self.read();
        let Some(id) = state.by_email.get(email.as_str()) else {
            return Ok(None);
        };
        Ok(state
            .users
            .get(id)
            .zip(state.passwords.get(id))
            .map(|(user, hash)| PasswordCredential::new(user.clone(), hash.clone())))
    }

    async fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> Result<(), AdapterError> {
        let mut state = self.write();
        if !state.users.contains_key(user_id) {
            return Err(AdapterError::other("no user with this id"));
        }
        state
            .passwords
            .insert(user_id.to_owned(), password_hash.to_owned());
        Ok(())
    }
}

impl<U: AuthUser> UserRecordsAdapter<U> for MemoryAdapter<U> {
    async fn create_user_with_records(
        &self,
        user: &U,
        records: &[PluginRecord],
        now: u64,
    ) -> Result<(), AdapterError> {
        // Every check before the first write, under one write lock: all or
        // nothing.
        let mut state = self.write();
        let mut keys = std::collections::HashSet::new();
        for record in records {
            record.check()?;
            if record
                .user_id
                .as_deref()
                .is_some_and(|owner| owner != user.id())
            {
                return Err(AdapterError::other("a record of another user"));
            }
            if !keys.insert((&record.namespace, &record.key)) {
                return Err(AdapterError::Conflict);
            }
            state.check_record_free(record, now)?;
        }
        state.insert_user(user)?;
        for record in records {
            state.put_record(record);
        }
        Ok(())
    }
}

impl<U: AuthUser> RecordAdapter<U> for MemoryAdapter<U> {
    async fn insert_record(&self, record: &PluginRecord, now: u64) -> Result<(), AdapterError> {
        record.check()?;
        let mut state = self.write();
        if let Some(user_id) = &record.user_id
            && !state.users.contains_key(user_id)
        {
            return Err(AdapterError::other("no user with this id"));
        }
        state.check_record_free(record, now)?;
        state.put_record(record);
        Ok(())
    }

    async fn find_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> Result<Option<PluginRecord>, AdapterError> {
        Ok(self
            .read()
            .records
            .get(&(namespace.to_owned(), key.to_owned()))
            .filter(|record| record.is_live(now))
            .cloned())
    }

    async fn update_record(&self, record: &PluginRecord, now: u64) -> Result<bool, AdapterError> {
        record.check()?;
        let mut state = self.write();
        let key = (record.namespace.clone(), record.key.clone());
        match state.records.get_mut(&key) {
            Some(stored) if stored.is_live(now) && stored.version == record.version => {
                stored.data.clone_from(&record.data);
                stored.user_id.clone_from(&record.user_id);
                stored.expires_at = record.expires_at;
                stored.version += 1;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn delete_record(
        &self,
        namespace: &str,
        key: &str,
        now: u64,
    ) -> Result<bool, AdapterError> {
        let removed = self
            .write()
            .records
            .remove(&(namespace.to_owned(), key.to_owned()));
        Ok(removed.is_some_and(|record| record.is_live(now)))
    }

    async fn list_user_records(
        &self,
        namespace: &str,
        user_id: &str,
        now: u64,
    ) -> Result<Vec<PluginRecord>, AdapterError> {
        Ok(self
            .read()
            .records
            .values()
            .filter(|record| {
                record.namespace == namespace
                    && record.user_id.as_deref() == Some(user_id)
                    && record.is_live(now)
            })
            .cloned()
            .collect())
    }

    async fn delete_user_records(
        &self,
        namespace: &str,
        user_id: &str,
    ) -> Result<u64, AdapterError> {
        let mut state = self.write();
        let before = state.records.len();
        state.records.retain(|_, record| {
            !(record.namespace == namespace && record.user_id.as_deref() == Some(user_id))
        });
        Ok((before - state.records.len()) as u64)
    }

    async fn purge_expired_records(&self, now: u64) -> Result<u64, AdapterError> {
        let mut state = self.write();
        let before = state.records.len();
        state.records.retain(|_, record| record.is_live(now));
        Ok((before - state.records.len()) as u64)
    }
}
