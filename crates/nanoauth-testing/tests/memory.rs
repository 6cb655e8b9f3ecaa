//! The in-memory adapter passes the conformance suite: every capability.

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth_testing::{ConformanceUser, conformance};

conformance!(
    setup: async { Some(MemoryAdapter::<ConformanceUser>::new()) },
    capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
);
