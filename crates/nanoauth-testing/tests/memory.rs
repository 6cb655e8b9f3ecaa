//! The in-memory adapter passes the conformance suite.

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth_testing::{ConformanceUser, adapter_conformance};

adapter_conformance!(setup: async { Some(MemoryAdapter::<ConformanceUser>::new()) });
