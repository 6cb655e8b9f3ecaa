//! Email and password sign-up and sign-in.
//!
//! | Method | Path | Body | Answer |
//! |---|---|---|---|
//! | POST | `/signup/email` | `{email, password, ...AuthUser::SignUp}` | `{user, token}` + cookie |
//! | POST | `/signin/email` | `{email, password}` | `{user, token}` + cookie |
//! | POST | `/change-password` | `{currentPassword, newPassword, revokeOtherSessions?}` | `{"success":true}` (signed in; other sessions revoked unless `false`) |
//!
//! Passwords are hashed with Argon2id (OWASP parameters) on the
//! [`Offload`](crate::Offload), never on an executor thread. Their length is
//! checked before hashing (8 to 128 characters by default); any Unicode is
//! accepted and there are no composition rules (NIST SP 800-63B §5.1.1.2).
//! A wrong password and an unknown email give the same answer after the same
//! work: unknown emails are verified against a dummy hash.
//!
//! Wrong passwords at `/signin/email` and `/change-password` count toward
//! the `"password"` [`Lockout`](crate::rate_limit::Lockout) of the client on
//! that email (unknown emails too): 10 failures in 10 minutes by default,
//! after which that client is refused on that email until the window ends.
//! A right password clears the client's failures at sign-in.
//!
//! Needs an adapter with the [`PasswordAdapter`] capability:
//!
//! ```compile_fail,E0277
//! // `Sessionless` stores sessions but no passwords, so this does not compile.
//! # use nanoauth::{Adapter, AdapterError, Auth, BasicUser, Email, SessionRecord};
//! # use nanoauth::utils::token::TokenHash;
//! # struct Sessionless;
//! # impl Adapter<BasicUser> for Sessionless {
//! #     async fn get_user(&self, _: &str) -> Result<Option<BasicUser>, AdapterError> { Ok(None) }
//! #     async fn find_user_by_email(&self, _: &Email) -> Result<Option<BasicUser>, AdapterError> { Ok(None) }
//! #     async fn save_session(&self, _: &SessionRecord) -> Result<(), AdapterError> { Ok(()) }
//! #     async fn refresh_session(&self, _: &SessionRecord) -> Result<bool, AdapterError> { Ok(false) }
//! #     async fn validate_token(&self, _: &TokenHash) -> Result<Option<SessionRecord>, AdapterError> { Ok(None) }
//! #     async fn delete_session(&self, _: &TokenHash) -> Result<bool, AdapterError> { Ok(false) }
//! #     async fn list_sessions(&self, _: &str) -> Result<Vec<SessionRecord>, AdapterError> { Ok(vec![]) }
//! #     async fn delete_user_sessions(&self, _: &str, _: Option<&TokenHash>) -> Result<u64, AdapterError> { Ok(0) }
//! #     async fn purge_expired_sessions(&self, _: u64) -> Result<u64, AdapterError> { Ok(0) }
//! # }
//! use nanoauth::plugins::email_password::EmailPassword;
//!
//! let auth = Auth::builder(Sessionless)
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new()) // error: `Sessionless: PasswordAdapter<BasicUser>` is not satisfied
//!     .build();
//! ```
//!
//! The same code with an adapter that has the capability compiles:
//!
//! ```
//! use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
//! use nanoauth::plugins::email_password::EmailPassword;
//!
//! let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
//!     .secret("a secret of at least thirty-two bytes!!")
//!     .base_url("http://localhost:3000")
//!     .plugin(EmailPassword::new())
//!     .build();
//! assert!(auth.is_ok());
//! ```

mod api;
mod endpoints;
mod hashing;

use std::sync::Arc;

// The capability lives with the others in `adapter/`; this path stays for
// code written before the move.
pub use crate::adapter::{PasswordAdapter, PasswordCredential};
pub use api::EmailPasswordApi;

use hashing::HashQueue;

use crate::AuthUser;
use crate::Plugin;
use crate::utils::password::PasswordHasher;
use crate::{Endpoint, PluginEndpoints};

/// The email/password plugin and its options.
#[derive(Debug, Clone)]
pub struct EmailPassword {
    min_password_len: usize,
    max_password_len: usize,
    hasher: PasswordHasher,
    /// Verified against when the email is unknown, so that both cases cost
    /// one Argon2 run with the same parameters.
    dummy_hash: Arc<str>,
    /// Where hashes wait and run: see
    /// [`max_concurrent_hashes`](Self::max_concurrent_hashes) and
    /// [`max_waiting_hashes`](Self::max_waiting_hashes).
    hashing: HashQueue,
    /// The line's length as set, so that the two settings compose in either
    /// order (`None`: the default per slot).
    max_waiting_hashes: Option<usize>,
}

impl EmailPassword {
    /// Defaults: passwords of 8 to 128 characters, Argon2id m=19456 KiB,
    /// t=2, p=1.
    pub fn new() -> Self {
        let hasher = PasswordHasher::owasp();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            min_password_len: 8,
            max_password_len: 128,
            dummy_hash: hasher.dummy_hash().into(),
            hasher,
            hashing: HashQueue::new(cores),
            max_waiting_hashes: None,
        }
    }

    /// How many passwords may be hashed (or verified) at once (default: one
    /// per CPU core). More concurrent sign-ins wait their turn, instead of
    /// each taking a thread and 19 MiB of Argon2 memory and starving every
    /// other request of CPU: throughput is the cores' either way.
    ///
    /// ```
    /// use nanoauth::plugins::email_password::EmailPassword;
    ///
    /// let plugin = EmailPassword::new().max_concurrent_hashes(4);
    /// ```
    pub fn max_concurrent_hashes(mut self, hashes: usize) -> Self {
        self.hashing = match self.max_waiting_hashes {
            Some(waiting) => HashQueue::with_limits(hashes, waiting),
            None => HashQueue::new(hashes),
        };
        self
    }

    /// How many requests may wait for a hashing slot (default: 64 per
    /// slot, about two seconds of waiting at the default parameters). Past
    /// it, sign-ups, sign-ins and password changes are refused at once
    /// with `503 SERVER_BUSY` and `Retry-After: 1`, before any work is done,
    /// rather than queueing without limit.
    ///
    /// ```
    /// use nanoauth::plugins::email_password::EmailPassword;
    ///
    /// // Two hashes at a time, at most 20 requests waiting for them.
    /// let plugin = EmailPassword::new()
    ///     .max_concurrent_hashes(2)
    ///     .max_waiting_hashes(20);
    /// ```
    pub fn max_waiting_hashes(mut self, waiting: usize) -> Self {
        self.max_waiting_hashes = Some(waiting);
        self.hashing = HashQueue::with_limits(self.hashing.slots(), waiting);
        self
    }

    /// The shortest password accepted at sign-up, in characters of the
    /// NFKC-normalised password (what is hashed).
    pub fn min_password_len(mut self, chars: usize) -> Self {
        self.min_password_len = chars;
        self
    }

    /// The longest password accepted, in characters of the NFKC-normalised
    /// password (what is hashed). Bounds the hashing work a request can
    /// cause.
    pub fn max_password_len(mut self, chars: usize) -> Self {
        self.max_password_len = chars;
        self
    }

    /// Replaces the password hasher (for instance cheaper parameters in
    /// tests). Keeps [`accept_better_auth_hashes`](Self::accept_better_auth_hashes)
    /// if it was asked for, in either order.
    pub fn hasher(mut self, hasher: PasswordHasher) -> Self {
        self.dummy_hash = hasher.dummy_hash().into();
        self.hasher = if self.hasher.accepts_better_auth_scrypt() {
            hasher.accept_better_auth_scrypt()
        } else {
            hasher
        };
        self
    }

    /// Also accepts password hashes imported from better-auth (scrypt,
    /// `salt:key` in hex; see `nanoauth import better-auth`), and replaces
    /// each with an Argon2id hash at the user's first successful sign-in.
    ///
    /// ```
    /// use nanoauth::plugins::email_password::EmailPassword;
    ///
    /// let plugin = EmailPassword::new().accept_better_auth_hashes();
    /// ```
    ///
    /// # Security
    /// Off by default: without it such a string is not a password hash and
    /// sign-in fails with an internal error. Unknown emails still cost one
    /// Argon2 run (about 28 ms), but an account whose better-auth hash has
    /// not been replaced costs one scrypt run (about 75 ms), plus the
    /// Argon2 rehash when the password is right. That difference tells
    /// whoever can time sign-ins that the address has an account which has
    /// not signed in since the import; once every such user has signed in
    /// (or the remaining hashes are reset) it is gone.
    pub fn accept_better_auth_hashes(mut self) -> Self {
        self.hasher = self.hasher.accept_better_auth_scrypt();
        self
    }
}

impl EmailPassword {
    /// Refuses a new password outside the configured length, in characters.
    pub(crate) fn check_length(&self, password: &str) -> Result<(), crate::Error> {
        let length = password_len(password);
        if length < self.min_password_len {
            return Err(crate::Error::PasswordTooShort {
                min: self.min_password_len,
            });
        }
        if length > self.max_password_len {
            return Err(crate::Error::PasswordTooLong {
                max: self.max_password_len,
            });
        }
        Ok(())
    }

    /// Whether a presented password (at sign-in, or the current one when
    /// changing it) is longer than any password this plugin accepts.
    pub(crate) fn too_long(&self, password: &str) -> bool {
        password_len(password) > self.max_password_len
    }

    /// Hashes a new password on the `Auth`'s offload, off the async runtime,
    /// through the hashing queue.
    pub(crate) async fn hash(
        &self,
        offload: &dyn crate::Offload,
        password: &str,
    ) -> Result<String, crate::Error> {
        let hasher = self.hasher.clone();
        let password = password.to_owned();
        self.hashing
            .submit(offload, move |memory| hasher.hash_with(&password, memory))
            .await?
            .map_err(crate::Error::internal)
    }

    /// Whether `stored`, which has just verified, should be replaced by an
    /// Argon2id hash (an imported better-auth hash).
    pub(crate) fn needs_rehash(&self, stored: &str) -> bool {
        self.hasher.needs_rehash(stored)
    }

    /// Checks `password` against `stored` (or, with no stored hash, spends
    /// the same effort on the dummy hash and answers no), through the
    /// hashing queue.
    pub(crate) async fn verify(
        &self,
        offload: &dyn crate::Offload,
        password: &str,
        stored: Option<String>,
    ) -> Result<bool, crate::Error> {
        let hasher = self.hasher.clone();
        let dummy = Arc::clone(&self.dummy_hash);
        let password = password.to_owned();
        self.hashing
            .submit(offload, move |memory| match stored {
                Some(hash) => hasher.verify_with(&password, &hash, memory),
                // The same work as a real verification; the answer is "no"
                // anyway.
                None => hasher.verify_with(&password, &dummy, memory).map(|_| false),
            })
            .await?
            .map_err(crate::Error::internal)
    }
}

/// A password's length as the limits count it: characters of its NFKC form,
/// which is what is hashed. Counting the raw input would let `e` + combining
/// acute, twice the characters of `é`, pass a minimum that its hashed form
/// does not meet. The body limit bounds the normalisation work.
fn password_len(password: &str) -> usize {
    crate::utils::password::normalize(password).chars().count()
}

impl Default for EmailPassword {
    fn default() -> Self {
        Self::new()
    }
}

impl<U: AuthUser, A: PasswordAdapter<U>> Plugin<U, A> for EmailPassword {
    fn name(&self) -> &'static str {
        "email-password"
    }

    fn endpoints(self: Arc<Self>) -> Vec<Endpoint<U, A>> {
        let on = PluginEndpoints::of(&self);
        let routes = vec![
            on.sign_up("email", endpoints::sign_up),
            on.post("/signin/email", endpoints::sign_in),
            on.post("/change-password", endpoints::change_password),
        ];
        #[cfg(feature = "openapi")]
        let routes = routes.into_iter().map(endpoints::describe).collect();
        routes
    }
}
