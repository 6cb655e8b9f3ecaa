//! Secrets at rest: values a plugin must keep but a database dump must not
//! reveal (a TOTP seed, a signing key), encrypted under keys derived from
//! the application's secrets ([`Auth::sealing_keys`](crate::Auth::sealing_keys)).
//!
//! A sealed value is text, `v1.<kid>.<base64url(nonce ‖ ciphertext ‖ tag)>`,
//! made with XChaCha20-Poly1305. `kid` names the key (first 6 bytes of its
//! SHA-256, base64url), so a ring that lists a new key first and old keys
//! after opens values sealed before a rotation.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::{Zeroize as _, Zeroizing};

use crate::utils::token::random_bytes;

/// Why a value could not be sealed, or keys not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SealError {
    /// No keys were given.
    NoSealingKeys,
    /// A secret too short to derive a key from.
    InvalidParameter,
    /// The operating system could not provide a nonce.
    Randomness,
    /// The cipher or key derivation refused its input.
    Crypto,
}

impl fmt::Display for SealError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoSealingKeys => "no sealing keys",
            Self::InvalidParameter => "a secret is too short to derive a sealing key from",
            Self::Randomness => "the operating system could not provide randomness",
            Self::Crypto => "the cipher refused its input",
        })
    }
}

impl std::error::Error for SealError {}

/// The format tag at the start of every sealed value.
const VERSION: &str = "v1";
/// Prepended to the caller's associated data so that a value sealed here
/// cannot be confused with the output of any other use of the same key, nor
/// of a later format version.
const AAD_DOMAIN: &[u8] = b"nanoauth sealed v1\0";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// The shortest secret [`SealingKeys::derive`] accepts, as NanoAuth's core
/// requires of application secrets.
pub const MIN_SECRET_LEN: usize = 32;

/// The keys that seal and open secrets at rest. The first key seals; every
/// key opens.
///
/// NanoAuth's core derives these from the application's secrets with HKDF
/// under a purpose label; [`derive`](Self::derive) does the same for
/// standalone use.
///
/// ```
/// use nanoauth::utils::sealed::SealingKeys;
///
/// let keys = SealingKeys::new(vec![[7u8; 32]])?;
/// let sealed = keys.seal(b"totp seed", b"user:42|totp:v1")?;
/// assert!(sealed.starts_with("v1."));
/// let opened = keys.open(&sealed, b"user:42|totp:v1").unwrap();
/// assert_eq!(opened.as_slice(), b"totp seed");
/// // Another user's row does not open it.
/// assert!(keys.open(&sealed, b"user:43|totp:v1").is_none());
/// # Ok::<(), nanoauth::utils::sealed::SealError>(())
/// ```
pub struct SealingKeys {
    keys: Vec<SealingKey>,
}

struct SealingKey {
    kid: String,
    key: Zeroizing<[u8; 32]>,
}

impl SealingKeys {
    /// A ring of 32-byte keys, newest first.
    ///
    /// ```
    /// use nanoauth::utils::sealed::SealingKeys;
    ///
    /// let keys = SealingKeys::new(vec![[1u8; 32], [2u8; 32]])?;
    /// assert_eq!(keys.kids().count(), 2);
    /// assert!(SealingKeys::new(Vec::new()).is_err());
    /// # Ok::<(), nanoauth::utils::sealed::SealError>(())
    /// ```
    ///
    /// # Errors
    /// [`SealError::NoSealingKeys`] when `keys` is empty.
    pub fn new(mut keys: Vec<[u8; 32]>) -> Result<Self, SealError> {
        let ring = keys.iter().copied().map(Zeroizing::new).collect();
        // The ring keeps wiped-on-drop copies; leave no plain one behind.
        keys.zeroize();
        Self::from_keys(ring)
    }

    /// One key per secret, newest first, each HKDF-SHA-256 of the secret
    /// with `purpose` as the info string (RFC 5869), so keys for different
    /// purposes are independent.
    ///
    /// ```
    /// use nanoauth::utils::sealed::SealingKeys;
    ///
    /// let secret = [9u8; 32];
    /// let keys = SealingKeys::derive(&[&secret], b"nanoauth two-factor seeds")?;
    /// let sealed = keys.seal(b"seed", b"user:1")?;
    /// assert!(keys.open(&sealed, b"user:1").is_some());
    /// # Ok::<(), nanoauth::utils::sealed::SealError>(())
    /// ```
    ///
    /// # Errors
    /// [`SealError::NoSealingKeys`] when `secrets` is empty, and
    /// [`SealError::InvalidParameter`] when a secret is shorter than
    /// [`MIN_SECRET_LEN`] bytes.
    pub fn derive(secrets: &[&[u8]], purpose: &[u8]) -> Result<Self, SealError> {
        let keys = secrets
            .iter()
            .map(|secret| {
                if secret.len() < MIN_SECRET_LEN {
                    return Err(SealError::InvalidParameter);
                }
                let mut key = Zeroizing::new([0u8; 32]);
                Hkdf::<Sha256>::new(None, secret)
                    .expand(purpose, key.as_mut_slice())
                    .map_err(|_| SealError::Crypto)?;
                Ok(key)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_keys(keys)
    }

    fn from_keys(keys: Vec<Zeroizing<[u8; 32]>>) -> Result<Self, SealError> {
        if keys.is_empty() {
            return Err(SealError::NoSealingKeys);
        }
        let keys = keys
            .into_iter()
            .map(|key| SealingKey {
                kid: URL_SAFE_NO_PAD.encode(&Sha256::digest(key.as_slice())[..6]),
                key,
            })
            .collect();
        Ok(Self { keys })
    }

    /// The key ids, sealing key first.
    ///
    /// ```
    /// use nanoauth::utils::sealed::SealingKeys;
    ///
    /// let keys = SealingKeys::new(vec![[1u8; 32]])?;
    /// let sealed = keys.seal(b"x", b"")?;
    /// let kid = keys.kids().next().unwrap();
    /// assert!(sealed.starts_with(&format!("v1.{kid}.")));
    /// # Ok::<(), nanoauth::utils::sealed::SealError>(())
    /// ```
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|key| key.kid.as_str())
    }

    /// Encrypts `plaintext` under the first key with a fresh random nonce.
    ///
    /// `associated_data` is authenticated but not stored: pass the same
    /// bytes to [`open`](Self::open). Make it the owner's user id and the
    /// format version of the plaintext (say `user:42|totp:v1`) so a sealed
    /// value copied to another user's row, or read as another kind of
    /// secret, does not open.
    ///
    /// ```
    /// use nanoauth::utils::sealed::SealingKeys;
    ///
    /// let keys = SealingKeys::new(vec![[3u8; 32]])?;
    /// // Random nonces: sealing twice gives different text.
    /// assert_ne!(keys.seal(b"seed", b"user:1")?, keys.seal(b"seed", b"user:1")?);
    /// # Ok::<(), nanoauth::utils::sealed::SealError>(())
    /// ```
    ///
    /// # Errors
    /// [`SealError::Randomness`] when no nonce can be drawn, and
    /// [`SealError::Crypto`] if the cipher refuses the input (beyond
    /// its 256 GiB message limit).
    pub fn seal(&self, plaintext: &[u8], associated_data: &[u8]) -> Result<String, SealError> {
        let key = self.keys.first().ok_or(SealError::NoSealingKeys)?;
        // 192-bit nonces drawn at random do not collide in practice, which is
        // why the X variant is used: no counter to keep across processes.
        let nonce = random_bytes::<NONCE_LEN>().map_err(|_| SealError::Randomness)?;
        let aad = bound_aad(associated_data);
        let ciphertext = cipher(key)
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Crypto)?;
        let mut body = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&ciphertext);
        Ok(format!(
            "{VERSION}.{}.{}",
            key.kid,
            URL_SAFE_NO_PAD.encode(&body)
        ))
    }

    /// Decrypts a value made by [`seal`](Self::seal) with the same
    /// associated data.
    ///
    /// `None` for anything else: another format or version, broken base64,
    /// a key id not in the ring, other associated data, or any change to
    /// the text (Poly1305 authenticates every byte).
    ///
    /// ```
    /// use nanoauth::utils::sealed::SealingKeys;
    ///
    /// let old = SealingKeys::new(vec![[1u8; 32]])?;
    /// let sealed = old.seal(b"seed", b"user:7")?;
    /// // After rotation: the new key seals, the old one still opens.
    /// let rotated = SealingKeys::new(vec![[2u8; 32], [1u8; 32]])?;
    /// assert_eq!(rotated.open(&sealed, b"user:7").unwrap().as_slice(), b"seed");
    /// assert!(rotated.open("v1.garbage.text", b"user:7").is_none());
    /// # Ok::<(), nanoauth::utils::sealed::SealError>(())
    /// ```
    pub fn open(&self, sealed: &str, associated_data: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut parts = sealed.split('.');
        let (version, kid, body) = (parts.next()?, parts.next()?, parts.next()?);
        if version != VERSION || parts.next().is_some() {
            return None;
        }
        let body = URL_SAFE_NO_PAD.decode(body).ok()?;
        if body.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, ciphertext) = body.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).ok()?;
        let aad = bound_aad(associated_data);
        // Key ids are 48 bits; should two keys of one ring share one, both
        // are tried rather than refusing a value one of them opens.
        self.keys
            .iter()
            .filter(|key| key.kid == kid)
            .find_map(|key| {
                cipher(key)
                    .decrypt(
                        &nonce,
                        Payload {
                            msg: ciphertext,
                            aad: &aad,
                        },
                    )
                    .ok()
            })
            .map(Zeroizing::new)
    }
}

impl fmt::Debug for SealingKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealingKeys")
            .field("kids", &self.kids().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn cipher(key: &SealingKey) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&(*key.key).into())
}

fn bound_aad(associated_data: &[u8]) -> Vec<u8> {
    [AAD_DOMAIN, associated_data].concat()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    const AAD: &[u8] = b"user:42|totp:v1";

    fn ring(keys: &[u8]) -> SealingKeys {
        SealingKeys::new(keys.iter().map(|byte| [*byte; 32]).collect()).unwrap()
    }

    #[test]
    fn round_trips_any_length() {
        let keys = ring(&[1]);
        for len in [0usize, 1, 20, 64, 1000] {
            let plaintext: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let sealed = keys.seal(&plaintext, AAD).unwrap();
            assert_eq!(keys.open(&sealed, AAD).unwrap().as_slice(), plaintext);
        }
    }

    #[test]
    fn the_format_is_versioned_and_url_safe() {
        let keys = ring(&[1]);
        let sealed = keys.seal(b"seed", AAD).unwrap();
        let parts: Vec<&str> = sealed.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "v1");
        assert_eq!(parts[1].len(), 8, "6 bytes of base64url");
        assert_eq!(
            URL_SAFE_NO_PAD.decode(parts[2]).unwrap().len(),
            NONCE_LEN + 4 + TAG_LEN
        );
        assert!(
            sealed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        );
    }

    #[test]
    fn other_associated_data_does_not_open() {
        let keys = ring(&[1]);
        let sealed = keys.seal(b"seed", AAD).unwrap();
        for aad in [
            &b""[..],
            b"user:43|totp:v1",
            b"user:42|totp:v2",
            b"user:42|totp:v1\0",
        ] {
            assert!(keys.open(&sealed, aad).is_none(), "{aad:?}");
        }
    }

    #[test]
    fn any_tampering_is_refused() {
        let keys = ring(&[1]);
        let sealed = keys.seal(b"seed", AAD).unwrap();
        let (prefix, body) = sealed.rsplit_once('.').unwrap();
        let body = URL_SAFE_NO_PAD.decode(body).unwrap();
        // Flip each bit of nonce, ciphertext and tag in turn.
        for index in 0..body.len() {
            for bit in 0..8 {
                let mut tampered = body.clone();
                tampered[index] ^= 1 << bit;
                let text = format!("{prefix}.{}", URL_SAFE_NO_PAD.encode(&tampered));
                assert!(keys.open(&text, AAD).is_none(), "byte {index} bit {bit}");
            }
        }
        // Truncated and extended bodies.
        for cut in [1, TAG_LEN, body.len()] {
            let text = format!(
                "{prefix}.{}",
                URL_SAFE_NO_PAD.encode(&body[..body.len() - cut])
            );
            assert!(keys.open(&text, AAD).is_none(), "cut {cut}");
        }
        let mut longer = body.clone();
        longer.push(0);
        let text = format!("{prefix}.{}", URL_SAFE_NO_PAD.encode(&longer));
        assert!(keys.open(&text, AAD).is_none());
    }

    #[test]
    fn malformed_text_is_refused() {
        let keys = ring(&[1]);
        let sealed = keys.seal(b"seed", AAD).unwrap();
        let kid = keys.kids().next().unwrap().to_owned();
        let body = sealed.rsplit_once('.').unwrap().1.to_owned();
        let cases = [
            String::new(),
            "v1".to_owned(),
            format!("v1.{kid}"),
            format!("v2.{kid}.{body}"),
            format!("V1.{kid}.{body}"),
            format!("v1.{kid}.{body}.extra"),
            format!("v1.{kid}.{body}="),
            format!("v1.{kid}.{body}!"),
            format!("v1.{kid}."),
            format!(" {sealed}"),
            format!("{sealed}\n"),
        ];
        for case in cases {
            assert!(keys.open(&case, AAD).is_none(), "{case:?}");
        }
    }

    #[test]
    fn unknown_key_ids_are_refused() {
        let keys = ring(&[1]);
        let sealed = keys.seal(b"seed", AAD).unwrap();
        assert!(ring(&[2]).open(&sealed, AAD).is_none());
        // The right body under a kid the ring does not have.
        let other_kid = ring(&[2]).kids().next().unwrap().to_owned();
        let body = sealed.rsplit_once('.').unwrap().1;
        let relabelled = format!("v1.{other_kid}.{body}");
        assert!(ring(&[2, 1]).open(&relabelled, AAD).is_none());
    }

    #[test]
    fn rotation_opens_old_values_and_seals_with_the_new_key() {
        let old = ring(&[1]);
        let sealed_before = old.seal(b"seed", AAD).unwrap();
        let rotated = ring(&[2, 1]);
        assert_eq!(
            rotated.open(&sealed_before, AAD).unwrap().as_slice(),
            b"seed"
        );

        let sealed_after = rotated.seal(b"seed", AAD).unwrap();
        let new_kid = ring(&[2]).kids().next().unwrap().to_owned();
        assert!(sealed_after.starts_with(&format!("v1.{new_kid}.")));
        // Once the old key is retired, its values no longer open.
        assert!(old.open(&sealed_after, AAD).is_none());
        assert!(ring(&[2]).open(&sealed_before, AAD).is_none());
    }

    #[test]
    fn derived_keys_depend_on_secret_and_purpose() {
        let secret_a = [0xa5u8; 32];
        let secret_b = [0x5au8; 32];
        let keys = SealingKeys::derive(&[&secret_a], b"two-factor").unwrap();
        let sealed = keys.seal(b"seed", AAD).unwrap();
        let same = SealingKeys::derive(&[&secret_a], b"two-factor").unwrap();
        assert_eq!(same.open(&sealed, AAD).unwrap().as_slice(), b"seed");

        let other_purpose = SealingKeys::derive(&[&secret_a], b"sessions").unwrap();
        assert!(other_purpose.open(&sealed, AAD).is_none());
        let rotated = SealingKeys::derive(&[&secret_b, &secret_a], b"two-factor").unwrap();
        assert!(rotated.open(&sealed, AAD).is_some());
        assert_ne!(rotated.kids().next(), keys.kids().next());
    }

    #[test]
    fn derive_refuses_weak_input() {
        assert_eq!(
            SealingKeys::derive(&[], b"p").unwrap_err(),
            SealError::NoSealingKeys
        );
        assert_eq!(
            SealingKeys::derive(&[&[1u8; 31]], b"p").unwrap_err(),
            SealError::InvalidParameter
        );
    }

    #[test]
    fn debug_shows_key_ids_only() {
        let keys = ring(&[0xab]);
        let debug = format!("{keys:?}");
        assert!(debug.contains(keys.kids().next().unwrap()));
        assert!(!debug.contains("171"), "{debug}");
    }
}
