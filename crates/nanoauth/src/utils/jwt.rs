//! HS256 JSON Web Tokens (RFC 7519 over RFC 7515), and nothing else.
//!
//! The algorithm is pinned: a token whose header names any `alg` other than
//! exactly `HS256` is refused before its signature is looked at, so the
//! classic `none` and algorithm-confusion attacks have nothing to work with.
//! Parsing is strict: exactly three unpadded base64url segments in canonical
//! form, JSON objects for header and claims, integer `exp`/`nbf`.
//!
//! ```
//! use nanoauth::utils::jwt::{self, Hs256Key, Validation};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, PartialEq, Debug)]
//! struct Claims { sub: String, exp: u64 }
//!
//! let key = Hs256Key::new(*b"an example key that is 32 bytes!").with_kid("k1");
//! let token = jwt::encode(&Claims { sub: "alice".into(), exp: 2_000 }, &key)?;
//!
//! let claims: Claims = jwt::decode(&token, &[key], &Validation::at(1_000))?;
//! assert_eq!(claims.sub, "alice");
//! # Ok::<(), nanoauth::utils::jwt::JwtError>(())
//! ```

mod claims;

use std::borrow::Cow;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Tokens longer than this are refused before any decoding work.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Default clock skew allowed on `exp` and `nbf`, in seconds.
pub const DEFAULT_LEEWAY_SECS: u64 = 30;

/// An HMAC-SHA-256 key, with an optional key id written to the `kid` header.
///
/// Give each key in a rotation its own `kid`, so that verification picks the
/// right key directly.
#[derive(Clone)]
pub struct Hs256Key {
    kid: Option<String>,
    /// HMAC already keyed: each use clones it instead of hashing the key
    /// into the inner and outer pads again (a third of a verification).
    keyed: Hmac<Sha256>,
}

impl Hs256Key {
    /// A key from raw bytes. Use at least 32 random bytes (RFC 7518 §3.2).
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        // HMAC takes keys of any length (RFC 2104 §3), so this cannot fail.
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.into())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        Self { kid: None, keyed }
    }

    /// Sets the key id written to and matched against the `kid` header.
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// The key id, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.keyed.clone()
    }
}

impl std::fmt::Debug for Hs256Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hs256Key")
            .field("kid", &self.kid)
            .field("key", &"[redacted]")
            .finish()
    }
}

/// What [`decode`] checks besides the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validation {
    /// The current time in seconds since the Unix epoch (injected, so tests
    /// and known-answer vectors can use any clock).
    pub now: u64,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway: u64,
    /// Refuse tokens without an `exp` claim.
    pub require_exp: bool,
}

impl Validation {
    /// Validation at time `now` with the default leeway, `exp` required.
    pub fn at(now: u64) -> Self {
        Self {
            now,
            leeway: DEFAULT_LEEWAY_SECS,
            require_exp: true,
        }
    }

    /// Sets the leeway in seconds.
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Sets whether a missing `exp` is refused.
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }
}

/// Why a token was refused. Deliberately coarse: callers answer every one of
/// them the same way to clients, the variants exist for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwtError {
    /// Longer than [`MAX_TOKEN_LEN`].
    TooLong,
    /// Not three canonical base64url segments of JSON objects.
    Malformed,
    /// The header names an algorithm other than `HS256`, or critical
    /// extensions we do not understand.
    UnsupportedAlgorithm,
    /// No configured key matches the header's `kid`.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// `exp` or `nbf` is not an integer, or `exp` is missing when required.
    InvalidClaims,
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    NotYetValid,
    /// The claims could not be serialized (encoding only).
    Encode,
}

impl std::fmt::Display for JwtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TooLong => "token too long",
            Self::Malformed => "malformed token",
            Self::UnsupportedAlgorithm => "unsupported token algorithm",
            Self::UnknownKey => "unknown signing key",
            Self::BadSignature => "bad token signature",
            Self::InvalidClaims => "invalid time claims",
            Self::Expired => "token expired",
            Self::NotYetValid => "token not yet valid",
            Self::Encode => "claims could not be encoded",
        })
    }
}

impl std::error::Error for JwtError {}

#[derive(Serialize)]
struct HeaderOut<'a> {
    alg: &'static str,
    typ: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
}

/// Borrowed from the decoded header where it has no escapes (it never
/// has): reading it allocates nothing.
#[derive(Deserialize)]
struct HeaderIn<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(default, borrow)]
    kid: Option<Cow<'a, str>>,
    /// RFC 7515 §4.1.11: a recipient must refuse critical extensions it does
    /// not understand, and we understand none.
    #[serde(default)]
    crit: Option<serde::de::IgnoredAny>,
}

impl<'a> HeaderIn<'a> {
    /// The header as [`encode`] writes it is recognised without a JSON
    /// parse (the same answer, a fifth of the work); any other is parsed.
    fn read(bytes: &'a [u8]) -> Result<Self, JwtError> {
        const PREFIX: &[u8] = br#"{"alg":"HS256","typ":"JWT","kid":""#;
        let kid = bytes
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.strip_suffix(br#""}"#))
            // Nothing to unescape, and no quote that could end the string
            // early: exactly the text the parser would have returned.
            .filter(|kid| kid.iter().all(|&b| b != b'"' && b != b'\\' && b >= 0x20))
            .and_then(|kid| std::str::from_utf8(kid).ok());
        match kid {
            Some(kid) => Ok(Self {
                alg: Cow::Borrowed("HS256"),
                kid: Some(Cow::Borrowed(kid)),
                crit: None,
            }),
            None => json_object(bytes),
        }
    }
}

/// Signs `claims` with `key`, writing `kid` to the header when the key has one.
///
/// # Errors
/// [`JwtError::Encode`] if `claims` cannot be serialized to JSON.
pub fn encode<C: Serialize>(claims: &C, key: &Hs256Key) -> Result<String, JwtError> {
    let header = HeaderOut {
        alg: "HS256",
        typ: "JWT",
        kid: key.kid(),
    };
    let header = serde_json::to_vec(&header).map_err(|_| JwtError::Encode)?;
    let payload = serde_json::to_vec(claims).map_err(|_| JwtError::Encode)?;
    let mut token = String::with_capacity((header.len() + payload.len()) * 4 / 3 + 48);
    URL_SAFE_NO_PAD.encode_string(header, &mut token);
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut token);
    let mut mac = key.mac();
    mac.update(token.as_bytes());
    let signature = mac.finalize().into_bytes();
    token.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut token);
    Ok(token)
}

/// Verifies `token` against `keys` and returns its claims.
///
/// When the header has a `kid`, only the key with that id is tried; without
/// one, every key without an id is tried (each in constant time).
///
/// # Errors
/// The first check that fails, in this order: length, shape, algorithm, key,
/// signature, time claims, then deserialization into `C` as
/// [`JwtError::Malformed`].
pub fn decode<C: DeserializeOwned>(
    token: &str,
    keys: &[Hs256Key],
    validation: &Validation,
) -> Result<C, JwtError> {
    decode_in(token, keys, validation, &mut ClaimsBuffer::new())
}

/// Where [`decode_in`] decodes a token's claims, so that the claims can
/// borrow their strings from it instead of allocating them.
pub(crate) type ClaimsBuffer = Buffer<PAYLOAD_STACK_LEN>;

/// [`decode`], with the claims decoded into `buffer` and deserialized from
/// there: `C` may borrow from it (a session check reads its claims without
/// allocating).
pub(crate) fn decode_in<'b, C: Deserialize<'b>>(
    token: &str,
    keys: &[Hs256Key],
    validation: &Validation,
    buffer: &'b mut ClaimsBuffer,
) -> Result<C, JwtError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(JwtError::TooLong);
    }
    let mut segments = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::Malformed);
    };

    // Segments are decoded into buffers on the stack (a session token's
    // fit with room to spare); only an unusually large one takes the heap.
    let mut header_buffer = Buffer::<HEADER_STACK_LEN>::new();
    let header = HeaderIn::read(header_buffer.decode(header_b64)?)?;
    if header.alg != "HS256" {
        return Err(JwtError::UnsupportedAlgorithm);
    }
    if header.crit.is_some() {
        return Err(JwtError::UnsupportedAlgorithm);
    }

    let mut signature_buffer = Buffer::<SIGNATURE_STACK_LEN>::new();
    let signature = signature_buffer.decode(signature_b64)?;
    let signed = &token[..header_b64.len() + 1 + payload_b64.len()];
    let mut candidates = keys
        .iter()
        .filter(|key| key.kid() == header.kid.as_deref())
        .peekable();
    if candidates.peek().is_none() {
        return Err(JwtError::UnknownKey);
    }
    let verified = candidates.any(|key| {
        let mut mac = key.mac();
        mac.update(signed.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(signature).is_ok()
    });
    if !verified {
        return Err(JwtError::BadSignature);
    }

    claims::read(buffer.decode(payload_b64)?, validation)
}

/// Stack room for a decoded header: `{"alg":"HS256","typ":"JWT","kid":…}`
/// with any reasonable key id.
const HEADER_STACK_LEN: usize = 192;
/// Stack room for a decoded signature: an HMAC-SHA-256 tag is 32 bytes.
const SIGNATURE_STACK_LEN: usize = 48;
/// Stack room for decoded claims: a session token's are about 150 bytes.
const PAYLOAD_STACK_LEN: usize = 768;

/// Where one segment is decoded: `N` bytes on the stack, or the heap for a
/// segment that does not fit.
pub(crate) struct Buffer<const N: usize> {
    stack: [u8; N],
    heap: Vec<u8>,
}

impl<const N: usize> Buffer<N> {
    pub(crate) fn new() -> Self {
        Self {
            stack: [0; N],
            heap: Vec::new(),
        }
    }

    /// Strict base64url: no padding, no `+` or `/`, no non-zero trailing
    /// bits (the engine's defaults), and never empty.
    fn decode(&mut self, segment: &str) -> Result<&[u8], JwtError> {
        if segment.is_empty() {
            return Err(JwtError::Malformed);
        }
        if base64::decoded_len_estimate(segment.len()) <= N {
            let len = URL_SAFE_NO_PAD
                .decode_slice(segment, &mut self.stack)
                .map_err(|_| JwtError::Malformed)?;
            return Ok(&self.stack[..len]);
        }
        self.heap = URL_SAFE_NO_PAD
            .decode(segment)
            .map_err(|_| JwtError::Malformed)?;
        Ok(&self.heap)
    }
}

/// Parses a JSON object. Serde's derived structs would also accept an array
/// in field order, which a JOSE header or claim set never is.
fn json_object<'b, T: Deserialize<'b>>(bytes: &'b [u8]) -> Result<T, JwtError> {
    if !is_object(bytes) {
        return Err(JwtError::Malformed);
    }
    serde_json::from_slice(bytes).map_err(|_| JwtError::Malformed)
}

/// Whether the first non-blank byte opens an object.
fn is_object(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    fn key() -> Hs256Key {
        Hs256Key::new(*b"0123456789abcdef0123456789abcdef").with_kid("k1")
    }

    #[test]
    fn round_trip_with_kid() -> Result<(), JwtError> {
        let claims = Claims {
            sub: "u1".into(),
            exp: 100,
        };
        let token = encode(&claims, &key())?;
        let back: Claims = decode(&token, &[key()], &Validation::at(50))?;
        assert_eq!(back, claims);
        Ok(())
    }

    #[test]
    fn rotation_picks_key_by_kid() -> Result<(), JwtError> {
        let old = Hs256Key::new(*b"old key old key old key old key!").with_kid("old");
        let token = encode(
            &Claims {
                sub: "u".into(),
                exp: 10,
            },
            &old,
        )?;
        let _: Claims = decode(&token, &[key(), old], &Validation::at(0))?;
        let err = decode::<Claims>(&token, &[key()], &Validation::at(0));
        assert_eq!(err, Err(JwtError::UnknownKey));
        Ok(())
    }

    #[test]
    fn leeway_applies_to_exp() -> Result<(), JwtError> {
        let token = encode(
            &Claims {
                sub: "u".into(),
                exp: 100,
            },
            &key(),
        )?;
        let _: Claims = decode(&token, &[key()], &Validation::at(129))?;
        let late = decode::<Claims>(&token, &[key()], &Validation::at(131));
        assert_eq!(late, Err(JwtError::Expired));
        Ok(())
    }
}
