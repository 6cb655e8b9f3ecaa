//! The SQL adapter passes the conformance suite on all three databases.

mod support;

mod sqlite {
    nanoauth_testing::adapter_conformance!(setup: crate::support::sqlite());
}

mod sqlite_with_own_names {
    nanoauth_testing::adapter_conformance!(setup: crate::support::sqlite_mapped());
}

mod postgres {
    nanoauth_testing::adapter_conformance!(setup: crate::support::postgres());
}

mod mysql {
    nanoauth_testing::adapter_conformance!(setup: crate::support::mysql());
}
