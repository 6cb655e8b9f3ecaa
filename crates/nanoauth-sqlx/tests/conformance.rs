//! The SQL adapter passes the conformance suite on all three databases.

mod support;

mod sqlite {
    nanoauth_testing::conformance!(
        setup: crate::support::sqlite(),
        capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
    );
}

mod sqlite_with_own_names {
    nanoauth_testing::conformance!(
        setup: crate::support::sqlite_mapped(),
        capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
    );
}

mod postgres {
    nanoauth_testing::conformance!(
        setup: crate::support::postgres(),
        capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
    );
}

mod mysql {
    nanoauth_testing::conformance!(
        setup: crate::support::mysql(),
        capabilities: [password, create_user, verification, email_verification, accounts, records, user_records, update_user, delete_user, list_users],
    );
}
