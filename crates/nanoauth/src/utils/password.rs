//! Password hashing with Argon2id, stored as PHC strings.
//!
//! These functions are CPU- and memory-bound (about 30 ms and 19 MiB each
//! with the default parameters) and block the calling thread: from async code
//! run them through [`Offload`](crate::Offload), as the email/password plugin
//! does, never directly on an executor's worker thread.
//!
//! ```
//! use nanoauth::utils::password::PasswordHasher;
//!
//! let hasher = PasswordHasher::owasp();
//! let phc = hasher.hash("correct horse battery staple")?;
//! assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
//! assert!(hasher.verify("correct horse battery staple", &phc)?);
//! assert!(!hasher.verify("Tr0ub4dor&3", &phc)?);
//! # Ok::<(), nanoauth::utils::password::PasswordError>(())
//! ```
//!
//! Hashes imported from better-auth (scrypt, `salt:key` in hex) verify only
//! with [`PasswordHasher::accept_better_auth_scrypt`]; new hashes are always
//! Argon2id, and [`PasswordHasher::needs_rehash`] says which stored hashes
//! to replace after a successful verification.

mod better_auth;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq as _;
use unicode_normalization::UnicodeNormalization as _;

/// Bytes of random salt per new hash (the PHC format's recommendation).
const SALT_LEN: usize = 16;

/// Hashes and verifies passwords with Argon2id.
///
/// Passwords are NFKC-normalised first (NIST SP 800-63B §5.1.1.2), so the
/// same password typed on keyboards that compose characters differently
/// still matches.
#[derive(Clone, Debug)]
pub struct PasswordHasher {
    params: Params,
    /// Whether better-auth's scrypt hashes verify too (off unless asked).
    better_auth_scrypt: bool,
}

impl PasswordHasher {
    /// OWASP's recommended Argon2id parameters: m=19456 KiB, t=2, p=1.
    pub fn owasp() -> Self {
        Self {
            params: Params::DEFAULT,
            better_auth_scrypt: false,
        }
    }

    /// Custom parameters: memory in KiB, iterations, parallelism.
    ///
    /// # Errors
    /// [`PasswordError`] when Argon2 refuses the parameters.
    pub fn with_params(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<Self, PasswordError> {
        let params =
            Params::new(memory_kib, iterations, parallelism, None).map_err(|_| PasswordError)?;
        Ok(Self {
            params,
            better_auth_scrypt: false,
        })
    }

    /// Also verifies password hashes imported from better-auth: scrypt
    /// (N = 16384, r = 16, p = 1, 64-byte key) stored as `salt:key` in
    /// lowercase hex, exactly as better-auth 1.x writes them. New hashes are
    /// still Argon2id; replace a better-auth hash once it has verified (see
    /// [`needs_rehash`](Self::needs_rehash)).
    ///
    /// ```
    /// use nanoauth::utils::password::PasswordHasher;
    ///
    /// // Written by better-auth 1.7's own `hashPassword("correct horse battery staple")`.
    /// let imported = "b7d2b8bccd7aa28006441194b492b703:\
    ///     8aa4a68c942893f254973622be25155da753a61817f01163b2959ffbe415f46e\
    ///     cb2f81be9d14ec9416f9a90177632ef5866f61ed0ae07d42eafb13cd52741cf0";
    /// let hasher = PasswordHasher::owasp().accept_better_auth_scrypt();
    /// assert!(hasher.verify("correct horse battery staple", imported)?);
    /// assert!(hasher.needs_rehash(imported));
    /// // Without the opt-in the same string is not a hash at all.
    /// assert!(PasswordHasher::owasp().verify("correct horse battery staple", imported).is_err());
    /// # Ok::<(), nanoauth::utils::password::PasswordError>(())
    /// ```
    ///
    /// # Security
    /// Off by default, so that a stored string that merely looks like
    /// `hex:hex` is never trusted unless the application says its hashes
    /// came from better-auth. A scrypt verification costs about 75 ms and
    /// 16 MiB (Argon2id with the OWASP parameters: about 28 ms).
    pub fn accept_better_auth_scrypt(mut self) -> Self {
        self.better_auth_scrypt = true;
        self
    }

    /// Whether `stored` has the exact shape of a better-auth scrypt hash
    /// (32 lowercase hex characters of salt, a colon, 128 of key): what an
    /// import checks before carrying a hash over, since a hash of any other
    /// shape would never verify.
    pub fn is_better_auth_scrypt(stored: &str) -> bool {
        better_auth::BetterAuthHash::parse(stored).is_some()
    }

    /// Whether this hasher verifies better-auth's scrypt hashes
    /// ([`accept_better_auth_scrypt`](Self::accept_better_auth_scrypt)).
    pub fn accepts_better_auth_scrypt(&self) -> bool {
        self.better_auth_scrypt
    }

    /// Whether `stored` should be replaced by a fresh [`hash`](Self::hash)
    /// after it verified: true for anything that is not an Argon2id PHC
    /// string (an imported better-auth hash).
    pub fn needs_rehash(&self, stored: &str) -> bool {
        !stored.starts_with("$argon2id$")
    }

    /// Hashes `password` with a fresh random salt into a PHC string.
    ///
    /// # Errors
    /// [`PasswordError`] when the random salt or the hash cannot be produced.
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        self.hash_with(password, &mut ArgonMemory::new())
    }

    /// [`hash`](Self::hash), working in `memory` instead of a fresh
    /// allocation (see [`ArgonMemory`]).
    ///
    /// # Errors
    /// As [`hash`](Self::hash).
    pub fn hash_with(
        &self,
        password: &str,
        memory: &mut ArgonMemory,
    ) -> Result<String, PasswordError> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|_| PasswordError)?;
        let mut output = [0u8; Params::DEFAULT_OUTPUT_LEN];
        run_argon2(
            Algorithm::Argon2id,
            Version::V0x13,
            &self.params,
            &normalize(password),
            &salt,
            &mut output,
            memory,
        )?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|_| PasswordError)?,
            salt: Some(Salt::new(&salt).map_err(|_| PasswordError)?),
            hash: Some(Output::new(&output).map_err(|_| PasswordError)?),
        };
        Ok(phc.to_string())
    }

    /// Checks `password` against a PHC string produced by [`hash`](Self::hash).
    /// The parameters are read from the PHC string, so hashes made with older
    /// settings keep verifying.
    ///
    /// With [`accept_better_auth_scrypt`](Self::accept_better_auth_scrypt),
    /// `phc` may also be a better-auth scrypt hash.
    ///
    /// # Errors
    /// [`PasswordError`] when `phc` is not a valid Argon2 PHC string (nor an
    /// accepted better-auth hash); a wrong password is `Ok(false)`.
    pub fn verify(&self, password: &str, phc: &str) -> Result<bool, PasswordError> {
        self.verify_with(password, phc, &mut ArgonMemory::new())
    }

    /// [`verify`](Self::verify), working in `memory` instead of a fresh
    /// allocation (see [`ArgonMemory`]).
    ///
    /// # Errors
    /// As [`verify`](Self::verify).
    pub fn verify_with(
        &self,
        password: &str,
        phc: &str,
        memory: &mut ArgonMemory,
    ) -> Result<bool, PasswordError> {
        if self.better_auth_scrypt
            && let Some(imported) = better_auth::BetterAuthHash::parse(phc)
        {
            return imported.matches(&normalize(password));
        }
        let parsed = PasswordHash::new(phc).map_err(|_| PasswordError)?;
        let algorithm =
            Algorithm::try_from(parsed.algorithm.as_str()).map_err(|_| PasswordError)?;
        let version = match parsed.version {
            Some(version) => Version::try_from(version).map_err(|_| PasswordError)?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).map_err(|_| PasswordError)?;
        let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
            return Err(PasswordError);
        };
        let mut output = [0u8; Output::MAX_LENGTH];
        let output = output.get_mut(..expected.len()).ok_or(PasswordError)?;
        run_argon2(
            algorithm,
            version,
            &params,
            &normalize(password),
            salt,
            output,
            memory,
        )?;
        Ok(bool::from(output.ct_eq(expected.as_bytes())))
    }
}

/// One Argon2 run of `params` over `password` and `salt` into `output`, in
/// `memory`.
fn run_argon2(
    algorithm: Algorithm,
    version: Version,
    params: &Params,
    password: &str,
    salt: &[u8],
    output: &mut [u8],
    memory: &mut ArgonMemory,
) -> Result<(), PasswordError> {
    Argon2::new(algorithm, version, params.clone())
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt,
            output,
            memory.blocks(params.block_count()),
        )
        .map_err(|_| PasswordError)
}

/// The working memory of Argon2 runs, kept between them.
///
/// Each run fills `m_cost` KiB (19 MiB with the OWASP parameters). Allocated
/// afresh per run on whichever thread happens to run it, that memory ends up
/// cached in one allocator arena per thread, and a server under a sign-in
/// burst grows by the arena count times 19 MiB. A caller that runs hashes
/// from a fixed number of slots keeps one `ArgonMemory` per slot instead:
/// the memory is then bounded by the slots and allocated once.
///
/// ```
/// use nanoauth::utils::password::{ArgonMemory, PasswordHasher};
///
/// let hasher = PasswordHasher::with_params(64, 1, 1)?;
/// let mut memory = ArgonMemory::new();
/// let phc = hasher.hash_with("correct horse battery staple", &mut memory)?;
/// assert!(hasher.verify_with("correct horse battery staple", &phc, &mut memory)?);
/// assert_eq!(memory.kib(), 64);
/// # Ok::<(), nanoauth::utils::password::PasswordError>(())
/// ```
#[derive(Default)]
pub struct ArgonMemory {
    blocks: Vec<Block>,
}

impl ArgonMemory {
    /// No memory yet: the first run allocates it.
    pub fn new() -> Self {
        Self::default()
    }

    /// The memory held, in KiB (one Argon2 block each).
    pub fn kib(&self) -> usize {
        self.blocks.len()
    }

    /// `count` blocks, grown to that size if smaller. A run never reads
    /// what the previous one left: Argon2 writes every block before reading
    /// it.
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::new());
        }
        &mut self.blocks[..count]
    }
}

impl std::fmt::Debug for ArgonMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgonMemory")
            .field("kib", &self.kib())
            .finish()
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::owasp()
    }
}

impl PasswordHasher {
    /// A PHC string with this hasher's parameters that no password matches in
    /// practice. Verifying against it costs exactly one Argon2 run, which is
    /// what sign-in does for an unknown email so that its timing matches a
    /// wrong password. Its salt and output are fixed and public: the result
    /// of that verification is thrown away, so nothing rests on them.
    pub fn dummy_hash(&self) -> String {
        format!(
            "$argon2id$v=19$m={},t={},p={}$bmFub2F1dGggZHVtbXk$ZHVtbXkgaGFzaCBvdXRwdXQgb2YgMzIgYnl0ZXMhISE",
            self.params.m_cost(),
            self.params.t_cost(),
            self.params.p_cost()
        )
    }
}

/// NFKC normalisation, applied before hashing and before length checks.
pub fn normalize(password: &str) -> String {
    password.nfkc().collect()
}

/// Hashing or verification failed for a reason other than a wrong password
/// (bad parameters, a corrupt stored hash, no randomness). Carries no detail,
/// so that nothing about a password can leak through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordError;

impl std::fmt::Display for PasswordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("password hashing failed")
    }
}

impl std::error::Error for PasswordError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> Result<PasswordHasher, PasswordError> {
        PasswordHasher::with_params(64, 1, 1)
    }

    #[test]
    fn composed_and_decomposed_forms_match() -> Result<(), PasswordError> {
        let hasher = fast()?;
        let phc = hasher.hash("caf\u{e9}")?; // é as one code point
        assert!(hasher.verify("cafe\u{301}", &phc)?); // e + combining acute
        Ok(())
    }

    #[test]
    fn corrupt_hash_is_an_error_not_a_mismatch() -> Result<(), PasswordError> {
        assert_eq!(fast()?.verify("x", "not a phc string"), Err(PasswordError));
        Ok(())
    }

    #[test]
    fn the_dummy_hash_verifies_as_a_mismatch() -> Result<(), PasswordError> {
        let hasher = fast()?;
        let dummy = hasher.dummy_hash();
        assert!(dummy.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert_eq!(hasher.verify("anything", &dummy), Ok(false));
        assert!(
            PasswordHasher::owasp()
                .dummy_hash()
                .contains("m=19456,t=2,p=1")
        );
        Ok(())
    }

    /// The run in our own memory and the `argon2` crate's own hashing
    /// agree both ways, so hashes stored before this change keep verifying.
    #[test]
    fn hashes_agree_with_the_argon2_crates_own() -> Result<(), PasswordError> {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let params = Params::new(64, 2, 1, None).map_err(|_| PasswordError)?;
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let ours = PasswordHasher::with_params(64, 2, 1)?;
        let mut memory = ArgonMemory::new();

        let stored = theirs
            .hash_password(b"correct horse")
            .map_err(|_| PasswordError)?
            .to_string();
        assert!(ours.verify_with("correct horse", &stored, &mut memory)?);
        assert!(!ours.verify_with("correct horsE", &stored, &mut memory)?);

        let made = ours.hash_with("correct horse", &mut memory)?;
        assert!(made.starts_with("$argon2id$v=19$m=64,t=2,p=1$"));
        let parsed = PasswordHash::new(&made).map_err(|_| PasswordError)?;
        assert!(theirs.verify_password(b"correct horse", &parsed).is_ok());
        assert!(theirs.verify_password(b"wrong", &parsed).is_err());
        // Older parameters in a stored hash: the memory grows to fit them.
        let older = PasswordHasher::with_params(128, 1, 1)?.hash("correct horse")?;
        assert!(ours.verify_with("correct horse", &older, &mut memory)?);
        assert_eq!(memory.kib(), 128);
        Ok(())
    }

    #[test]
    fn salts_differ() -> Result<(), PasswordError> {
        let hasher = fast()?;
        assert_ne!(hasher.hash("same")?, hasher.hash("same")?);
        Ok(())
    }
}
