//! An adapter with only some capabilities proves itself: wrappers around
//! the in-memory adapter that forward `Adapter` (and, for the second,
//! `VerificationAdapter`) and nothing else run the groups their
//! capabilities allow. That this file compiles is half the proof: neither
//! wrapper implements `PasswordAdapter`, `CreateUserAdapter`,
//! `EmailVerificationAdapter` or `AccountAdapter`.

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::utils::token::TokenHash;
use nanoauth::{
    Adapter, AdapterError, CreateUserAdapter, Email, SessionRecord, VerificationAdapter,
    VerificationRecord,
};
use nanoauth_testing::{ConformanceUser, conformance};

/// Users and sessions, no capability: the application writes its users
/// itself (here: `insert_user`, which the suite is given as `store_user`).
struct UsersAndSessions(MemoryAdapter<ConformanceUser>);

impl UsersAndSessions {
    fn new() -> Self {
        Self(MemoryAdapter::new())
    }

    async fn insert_user(&self, user: &ConformanceUser) -> Result<(), AdapterError> {
        self.0.create_user(user).await
    }
}

impl Adapter<ConformanceUser> for UsersAndSessions {
    async fn get_user(&self, id: &str) -> Result<Option<ConformanceUser>, AdapterError> {
        self.0.get_user(id).await
    }

    async fn find_user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<ConformanceUser>, AdapterError> {
        self.0.find_user_by_email(email).await
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.0.save_session(session).await
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        self.0.refresh_session(session).await
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        self.0.validate_token(token_hash).await
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        self.0.delete_session(token_hash).await
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        self.0.list_sessions(user_id).await
    }

    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        self.0.delete_user_sessions(user_id, keep).await
    }

    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        self.0.purge_expired_sessions(now).await
    }
}

/// Users, sessions and single-use tokens: the base plus one capability.
struct WithTokens(UsersAndSessions);

impl Adapter<ConformanceUser> for WithTokens {
    async fn get_user(&self, id: &str) -> Result<Option<ConformanceUser>, AdapterError> {
        self.0.get_user(id).await
    }

    async fn find_user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<ConformanceUser>, AdapterError> {
        self.0.find_user_by_email(email).await
    }

    async fn save_session(&self, session: &SessionRecord) -> Result<(), AdapterError> {
        self.0.save_session(session).await
    }

    async fn refresh_session(&self, session: &SessionRecord) -> Result<bool, AdapterError> {
        self.0.refresh_session(session).await
    }

    async fn validate_token(
        &self,
        token_hash: &TokenHash,
    ) -> Result<Option<SessionRecord>, AdapterError> {
        self.0.validate_token(token_hash).await
    }

    async fn delete_session(&self, token_hash: &TokenHash) -> Result<bool, AdapterError> {
        self.0.delete_session(token_hash).await
    }

    async fn list_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, AdapterError> {
        self.0.list_sessions(user_id).await
    }

    async fn delete_user_sessions(
        &self,
        user_id: &str,
        keep: Option<&TokenHash>,
    ) -> Result<u64, AdapterError> {
        self.0.delete_user_sessions(user_id, keep).await
    }

    async fn purge_expired_sessions(&self, now: u64) -> Result<u64, AdapterError> {
        self.0.purge_expired_sessions(now).await
    }
}

impl VerificationAdapter<ConformanceUser> for WithTokens {
    async fn save_verification(&self, record: &VerificationRecord) -> Result<(), AdapterError> {
        self.0.0.save_verification(record).await
    }

    async fn consume_verification(
        &self,
        token_hash: &TokenHash,
        purpose: &str,
    ) -> Result<Option<VerificationRecord>, AdapterError> {
        self.0.0.consume_verification(token_hash, purpose).await
    }

    async fn purge_expired_verifications(&self, now: u64) -> Result<u64, AdapterError> {
        self.0.0.purge_expired_verifications(now).await
    }
}

mod base_only {
    use super::*;

    conformance!(
        setup: async { Some(UsersAndSessions::new()) },
        capabilities: [],
        store_user: async |adapter: &UsersAndSessions, user: &ConformanceUser| {
            adapter.insert_user(user).await
        },
    );
}

mod base_and_verification {
    use super::*;

    conformance!(
        setup: async { Some(WithTokens(UsersAndSessions::new())) },
        capabilities: [verification],
        store_user: async |adapter: &WithTokens, user: &ConformanceUser| {
            adapter.0.insert_user(user).await
        },
    );
}
