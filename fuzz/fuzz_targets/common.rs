//! One `Auth` per fuzzing process: in memory, hashing inline and cheap,
//! rate limits off so every input reaches the code under test.

use std::sync::OnceLock;

use nanoauth::adapter::memory::MemoryAdapter;
use nanoauth::plugins::email_password::EmailPassword;
use nanoauth::rate_limit::RateLimit;
use nanoauth::utils::password::PasswordHasher;
use nanoauth::{Auth, BasicUser, InlineOffload};

pub type FuzzAuth = Auth<BasicUser, MemoryAdapter<BasicUser>>;

pub fn auth() -> &'static FuzzAuth {
    static AUTH: OnceLock<FuzzAuth> = OnceLock::new();
    AUTH.get_or_init(|| {
        let hasher = PasswordHasher::with_params(8, 1, 1).expect("valid params");
        Auth::builder(MemoryAdapter::new())
            .secret("fuzzing secret, thirty-two bytes or more!")
            .base_url("http://localhost:3000")
            .offload(InlineOffload)
            .rate_limit(RateLimit::danger_disabled())
            .plugin(EmailPassword::new().hasher(hasher))
            .build()
            .expect("valid config")
    })
}
