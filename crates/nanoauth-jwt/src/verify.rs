//! Verifying tokens against a JWK Set, offline: what a service does with
//! the JWKS it fetched (the `verify` feature's `JwksVerifier` fetches it).
//!
//! The algorithm is the key's, never the token's alone: each published key
//! says its `alg` (or, for Ed25519 and P-256 keys without one, its curve
//! does), the token's header must name that same algorithm, and only
//! asymmetric algorithms are accepted. So `alg: none`, and HMAC under a
//! public key taken as a shared secret, have nothing to work with.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm as JoseAlgorithm, DecodingKey, Validation};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Tokens longer than this are refused before any decoding.
const MAX_TOKEN_LEN: usize = 8 * 1024;
/// Default clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const DEFAULT_LEEWAY: u64 = 60;

/// Why a token was refused, or a key set could not be read.
///
/// ```
/// use nanoauth_jwt::VerifyError;
/// // Services answer 401 to any of them; the variant is for logs.
/// assert_eq!(VerifyError::Expired.to_string(), "token expired");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Not a JWT this verifier can read: structure, base64, JSON, size, or
    /// a missing or non-integer `exp`.
    Malformed,
    /// No published key has the token's `kid` (or the token has none and
    /// the set has several keys).
    UnknownKey,
    /// The signature does not verify, or the header's `alg` is not the
    /// key's.
    Signature,
    /// `iss` is not the expected issuer.
    Issuer,
    /// `aud` does not name the expected audience.
    Audience,
    /// Past `exp` (beyond the leeway).
    Expired,
    /// Before `nbf`, or issued in the future (beyond the leeway).
    NotYetValid,
    /// Valid, but the claims do not fit the requested type.
    Claims(String),
    /// The key set could not be fetched or read.
    Jwks(String),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Malformed => f.write_str("malformed token"),
            Self::UnknownKey => f.write_str("token signed with an unknown key"),
            Self::Signature => f.write_str("invalid token signature"),
            Self::Issuer => f.write_str("unexpected token issuer"),
            Self::Audience => f.write_str("token not meant for this audience"),
            Self::Expired => f.write_str("token expired"),
            Self::NotYetValid => f.write_str("token not valid yet"),
            Self::Claims(detail) => write!(f, "unexpected token claims: {detail}"),
            Self::Jwks(detail) => write!(f, "key set unavailable: {detail}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// What a token must say: who issued it, for whom, and how much clock
/// skew to allow.
///
/// ```
/// use nanoauth_jwt::Expected;
/// let expected = Expected::new("https://app.example.com", "https://api.example.com").leeway(30);
/// ```
#[derive(Clone, Debug)]
pub struct Expected {
    issuer: String,
    audience: String,
    leeway: u64,
}

impl Expected {
    /// Tokens from `issuer` (their `iss`, exactly) for `audience` (in
    /// their `aud`), with [`DEFAULT_LEEWAY`].
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: DEFAULT_LEEWAY,
        }
    }

    /// Allows `seconds` of clock skew on `exp`, `nbf` and `iat`.
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }
}

/// The claims of a NanoAuth token, for [`PublicKeys::verify`] and
/// `JwksVerifier::verify` (a struct of your own works too).
///
/// ```
/// use nanoauth_jwt::Claims;
/// let claims: Claims = serde_json::from_value(serde_json::json!({
///     "iss": "https://app.example.com", "sub": "user-1", "aud": "https://api.example.com",
///     "iat": 1_700_000_000, "exp": 1_700_000_900, "jti": "abc", "plan": "pro"
/// }))?;
/// assert_eq!(claims.sub, "user-1");
/// assert_eq!(claims.extra["plan"], "pro");
/// assert!(claims.credential.is_none(), "a signed-in user, not an API key");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claims {
    /// The issuer.
    pub iss: String,
    /// The user id.
    pub sub: String,
    /// Issued at, Unix seconds.
    pub iat: u64,
    /// Expires at, Unix seconds.
    pub exp: u64,
    /// A random id of this token.
    pub jti: String,
    /// Present when the token was made from a credential (an API key)
    /// rather than a signed-in session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialClaim>,
    /// Every other claim: `aud` and the application's own.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `credential` claim: which credential a token was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CredentialClaim {
    /// Its kind (`"api-key"`).
    pub kind: String,
    /// Its id (the API key's id, never the key).
    pub id: String,
    /// What it may do: a service should allow no more.
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// The usable keys of a JWK Set.
///
/// ```
/// use nanoauth_jwt::{Expected, PublicKeys, VerifyError};
///
/// // A JWKS fetched by any means (`GET /api/auth/jwks`).
/// let jwks = br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","alg":"EdDSA","use":"sig",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let keys = PublicKeys::from_jwks(jwks)?;
/// assert_eq!(keys.kids().collect::<Vec<_>>(), ["k1"]);
///
/// let expected = Expected::new("https://app.example.com", "https://api.example.com");
/// let refused = keys.verify::<nanoauth_jwt::Claims>("not.a.token", &expected, 1_700_000_000);
/// assert_eq!(refused.unwrap_err(), VerifyError::Malformed);
/// # Ok::<(), VerifyError>(())
/// ```
#[derive(Clone)]
pub struct PublicKeys {
    keys: Vec<VerifyingKey>,
}

#[derive(Clone)]
struct VerifyingKey {
    kid: Option<String>,
    algorithm: JoseAlgorithm,
    key: DecodingKey,
}

impl std::fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.keys
                    .iter()
                    .map(|key| (key.kid.as_deref(), key.algorithm)),
            )
            .finish()
    }
}

impl PublicKeys {
    /// The keys of a JWK Set (`{"keys": [...]}`) that can verify
    /// signatures. Keys for encryption, symmetric keys, keys of an unknown
    /// type, and RSA keys that do not say their `alg` are left out, as
    /// other JWKS clients do.
    ///
    /// # Errors
    /// [`VerifyError::Jwks`] when the text is not a JWK Set.
    pub fn from_jwks(jwks: &[u8]) -> Result<Self, VerifyError> {
        #[derive(Deserialize)]
        struct Set {
            keys: Vec<Value>,
        }
        let set: Set = serde_json::from_slice(jwks)
            .map_err(|error| VerifyError::Jwks(format!("not a JWK Set: {error}")))?;
        let keys = set
            .keys
            .into_iter()
            .filter_map(|value| serde_json::from_value::<Jwk>(value).ok())
            .filter_map(|jwk| {
                let algorithm = signing_algorithm(&jwk)?;
                let key = DecodingKey::from_jwk(&jwk).ok()?;
                Some(VerifyingKey {
                    kid: jwk.common.key_id,
                    algorithm,
                    key,
                })
            })
            .collect();
        Ok(Self { keys })
    }

    /// The key ids, in the set's order.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|key| key.kid.as_deref())
    }

    /// Verifies `token` at `now` (Unix seconds): the signature under the
    /// key its `kid` names, then `iss`, `aud`, `exp`, `nbf` and `iat`;
    /// answers its claims as `T`.
    ///
    /// # Errors
    /// The first check that fails, as a [`VerifyError`].
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        expected: &Expected,
        now: u64,
    ) -> Result<T, VerifyError> {
        let claims = self.verify_signature(token)?;
        check_claims(&claims, expected, now)?;
        serde_json::from_value(Value::Object(claims))
            .map_err(|error| VerifyError::Claims(error.to_string()))
    }

    /// Whether a token with this `kid` has a key here.
    #[cfg_attr(not(feature = "verify"), allow(dead_code))]
    pub(crate) fn has_key_for(&self, kid: Option<&str>) -> bool {
        self.find(kid).is_some()
    }

    fn find(&self, kid: Option<&str>) -> Option<&VerifyingKey> {
        match kid {
            Some(kid) => self.keys.iter().find(|key| key.kid.as_deref() == Some(kid)),
            // Without a `kid` only an unambiguous set will do.
            None => match self.keys.as_slice() {
                [only] => Some(only),
                _ => None,
            },
        }
    }

    /// The signature alone; the claims as they are.
    pub(crate) fn verify_signature(&self, token: &str) -> Result<Map<String, Value>, VerifyError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(VerifyError::Malformed);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Malformed)?;
        let key = self
            .find(header.kid.as_deref())
            .ok_or(VerifyError::UnknownKey)?;
        if header.alg != key.algorithm {
            return Err(VerifyError::Signature);
        }
        // jsonwebtoken panics without exactly one crypto backend; refuse
        // instead (only possible if the application enables a second one).
        if CryptoProvider::try_get_default().is_none() {
            return Err(VerifyError::Signature);
        }
        // Only the key's algorithm; the claims are checked afterwards,
        // against the caller's clock, each with its own error.
        let mut validation = Validation::new(key.algorithm);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature
                | jsonwebtoken::errors::ErrorKind::InvalidAlgorithm
                | jsonwebtoken::errors::ErrorKind::InvalidKeyFormat
                | jsonwebtoken::errors::ErrorKind::InvalidEcdsaKey
                | jsonwebtoken::errors::ErrorKind::InvalidEddsaKey
                | jsonwebtoken::errors::ErrorKind::InvalidRsaKey(_) => VerifyError::Signature,
                _ => VerifyError::Malformed,
            })
    }
}

/// The algorithm a published key is for, if it is one this verifier
/// accepts: asymmetric, meant for signatures, and consistent with the key.
fn signing_algorithm(jwk: &Jwk) -> Option<JoseAlgorithm> {
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|key_use| *key_use != PublicKeyUse::Signature)
    {
        return None;
    }
    let declared = match jwk.common.key_algorithm {
        Some(KeyAlgorithm::EdDSA) => Some(JoseAlgorithm::EdDSA),
        Some(KeyAlgorithm::ES256) => Some(JoseAlgorithm::ES256),
        Some(KeyAlgorithm::ES384) => Some(JoseAlgorithm::ES384),
        Some(KeyAlgorithm::RS256) => Some(JoseAlgorithm::RS256),
        Some(KeyAlgorithm::RS384) => Some(JoseAlgorithm::RS384),
        Some(KeyAlgorithm::RS512) => Some(JoseAlgorithm::RS512),
        Some(KeyAlgorithm::PS256) => Some(JoseAlgorithm::PS256),
        Some(KeyAlgorithm::PS384) => Some(JoseAlgorithm::PS384),
        Some(KeyAlgorithm::PS512) => Some(JoseAlgorithm::PS512),
        // HMAC, encryption algorithms: never for a published key.
        Some(_) => return None,
        None => None,
    };
    let by_key = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(okp) if okp.curve == EllipticCurve::Ed25519 => {
            Some(JoseAlgorithm::EdDSA)
        }
        AlgorithmParameters::EllipticCurve(ec) => match ec.curve {
            EllipticCurve::P256 => Some(JoseAlgorithm::ES256),
            EllipticCurve::P384 => Some(JoseAlgorithm::ES384),
            _ => return None,
        },
        // One RSA key may serve six algorithms: only its `alg` decides.
        AlgorithmParameters::RSA(_) => None,
        _ => return None,
    };
    match (declared, by_key) {
        (Some(declared), Some(by_key)) if declared != by_key => None,
        (Some(declared), _) => {
            let rsa = matches!(jwk.algorithm, AlgorithmParameters::RSA(_));
            let rsa_algorithm = matches!(
                declared,
                JoseAlgorithm::RS256
                    | JoseAlgorithm::RS384
                    | JoseAlgorithm::RS512
                    | JoseAlgorithm::PS256
                    | JoseAlgorithm::PS384
                    | JoseAlgorithm::PS512
            );
            (rsa == rsa_algorithm).then_some(declared)
        }
        (None, by_key) => by_key,
    }
}

fn check_claims(
    claims: &Map<String, Value>,
    expected: &Expected,
    now: u64,
) -> Result<(), VerifyError> {
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer.as_str()) {
        return Err(VerifyError::Issuer);
    }
    let audience_matches = match claims.get("aud") {
        Some(Value::String(audience)) => *audience == expected.audience,
        Some(Value::Array(audiences)) => audiences
            .iter()
            .any(|audience| audience.as_str() == Some(expected.audience.as_str())),
        _ => false,
    };
    if !audience_matches {
        return Err(VerifyError::Audience);
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or(VerifyError::Malformed)?;
    if exp.saturating_add(expected.leeway) <= now {
        return Err(VerifyError::Expired);
    }
    let in_future = |name: &str| -> Result<bool, VerifyError> {
        match claims.get(name) {
            None => Ok(false),
            Some(value) => value
                .as_u64()
                .map(|at| at > now.saturating_add(expected.leeway))
                .ok_or(VerifyError::Malformed),
        }
    };
    if in_future("nbf")? || in_future("iat")? {
        return Err(VerifyError::NotYetValid);
    }
    Ok(())
}

/// Now, in Unix seconds, by the system clock.
#[cfg_attr(not(feature = "verify"), allow(dead_code))]
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    use super::*;

    #[derive(Deserialize)]
    struct Rfc7515 {
        jwk: Value,
        compact: String,
        payload_json: String,
        exp: u64,
    }

    fn keys_of(jwk: &Value) -> PublicKeys {
        PublicKeys::from_jwks(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
    }

    /// Flips one bit of the signature's first byte.
    fn tampered(compact: &str) -> String {
        let (input, signature) = compact.rsplit_once('.').unwrap();
        let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
        bytes[0] ^= 1;
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256): the published JWS
    /// verify under the published keys, give the published payload, and
    /// are refused once changed, under the other example's key, or past
    /// their `exp`.
    #[test]
    fn rfc7515_rs256_and_es256_examples_verify() {
        let a2: Rfc7515 =
            serde_json::from_str(include_str!("../tests/vectors/rfc7515_a2.json")).unwrap();
        let a3: Rfc7515 =
            serde_json::from_str(include_str!("../tests/vectors/rfc7515_a3.json")).unwrap();
        for (example, other) in [(&a2, &a3), (&a3, &a2)] {
            let keys = keys_of(&example.jwk);
            let claims = keys.verify_signature(&example.compact).unwrap();
            let payload: Map<String, Value> = serde_json::from_str(&example.payload_json).unwrap();
            assert_eq!(claims, payload);
            assert_eq!(claims["http://example.com/is_root"], true);

            assert_eq!(
                keys.verify_signature(&tampered(&example.compact)),
                Err(VerifyError::Signature)
            );
            assert_eq!(
                keys_of(&other.jwk).verify_signature(&example.compact),
                Err(VerifyError::Signature),
                "the other example's key and algorithm"
            );

            // The examples have no `aud`: `iss` and `exp` pass before the
            // audience check refuses; past `exp` they are expired.
            let expected = Expected::new("joe", "anyone").leeway(0);
            let before = keys.verify::<Value>(&example.compact, &expected, example.exp - 1);
            assert_eq!(before, Err(VerifyError::Audience));
            let mut with_audience = claims.clone();
            with_audience.insert("aud".into(), "anyone".into());
            assert_eq!(
                check_claims(&with_audience, &expected, example.exp - 1),
                Ok(())
            );
            assert_eq!(
                check_claims(&with_audience, &expected, example.exp),
                Err(VerifyError::Expired)
            );
        }
    }

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn each_claim_has_its_error() {
        let expected = Expected::new("https://app", "https://api").leeway(10);
        let good = json!({
            "iss": "https://app", "aud": "https://api", "sub": "u",
            "iat": 1000, "exp": 1900
        });
        let with = |name: &str, value: Value| {
            let mut changed = claims(good.clone());
            changed.insert(name.into(), value);
            changed
        };
        assert_eq!(check_claims(&claims(good.clone()), &expected, 1000), Ok(()));
        assert_eq!(
            check_claims(&with("iss", json!("https://app/")), &expected, 1000),
            Err(VerifyError::Issuer)
        );
        assert_eq!(
            check_claims(&with("aud", json!("https://other")), &expected, 1000),
            Err(VerifyError::Audience)
        );
        assert_eq!(
            check_claims(&with("aud", json!(["x", "https://api"])), &expected, 1000),
            Ok(())
        );
        assert_eq!(
            check_claims(&claims(good.clone()), &expected, 1909),
            Ok(()),
            "within the leeway"
        );
        assert_eq!(
            check_claims(&claims(good.clone()), &expected, 1910),
            Err(VerifyError::Expired)
        );
        assert_eq!(
            check_claims(&with("exp", json!("1900")), &expected, 1000),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            check_claims(&with("nbf", json!(1011)), &expected, 1000),
            Err(VerifyError::NotYetValid)
        );
        assert_eq!(
            check_claims(&with("iat", json!(1011)), &expected, 1000),
            Err(VerifyError::NotYetValid)
        );
        let mut no_exp = claims(good);
        no_exp.remove("exp");
        assert_eq!(
            check_claims(&no_exp, &expected, 1000),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn only_asymmetric_signature_keys_are_kept() {
        let ed =
            json!({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
        let with = |extra: Value| {
            let mut jwk = ed.clone();
            for (name, value) in claims(extra) {
                jwk[name] = value;
            }
            jwk
        };
        let set = json!({ "keys": [
            with(json!({"kid": "plain"})),
            with(json!({"kid": "enc", "use": "enc"})),
            with(json!({"kid": "hmac-alg", "alg": "HS256"})),
            with(json!({"kid": "wrong-alg", "alg": "ES256"})),
            {"kty": "oct", "kid": "secret", "k": "c2VjcmV0", "alg": "HS256"},
            {"kty": "RSA", "kid": "rsa-no-alg", "n": "AQAB", "e": "AQAB"},
            {"kty": "XYZ", "kid": "unknown"},
            "not even an object",
        ]});
        let keys = PublicKeys::from_jwks(set.to_string().as_bytes()).unwrap();
        assert_eq!(keys.kids().collect::<Vec<_>>(), ["plain"]);
        assert!(PublicKeys::from_jwks(b"[]").is_err());
        assert!(PublicKeys::from_jwks(b"{\"keys\": 1}").is_err());
    }

    /// A token whose header names `none` or HS256 is refused whatever its
    /// signature: the key's algorithm is the only one tried.
    #[test]
    fn algorithms_come_from_the_key() {
        let a3: Rfc7515 =
            serde_json::from_str(include_str!("../tests/vectors/rfc7515_a3.json")).unwrap();
        let keys = keys_of(&a3.jwk);
        let payload = a3.compact.split('.').nth(1).unwrap();
        let header = |alg: &str| URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"{alg}"}}"#));
        for forged in [
            format!("{}.{payload}.", header("none")),
            format!("{}.{payload}.", header("None")),
            format!("{}.{payload}.AAAA", header("HS256")),
            format!(
                "{}.{payload}.{}",
                header("ES384"),
                a3.compact.rsplit('.').next().unwrap()
            ),
        ] {
            let refused = keys.verify_signature(&forged).unwrap_err();
            assert!(
                matches!(refused, VerifyError::Signature | VerifyError::Malformed),
                "{forged}: {refused:?}"
            );
        }
        assert_eq!(
            keys.verify_signature(&"a".repeat(MAX_TOKEN_LEN + 1)),
            Err(VerifyError::Malformed)
        );
    }

    #[test]
    fn kids_pick_the_key_and_an_unknown_kid_is_unknown() {
        let a2: Rfc7515 =
            serde_json::from_str(include_str!("../tests/vectors/rfc7515_a2.json")).unwrap();
        let a3: Rfc7515 =
            serde_json::from_str(include_str!("../tests/vectors/rfc7515_a3.json")).unwrap();
        let both =
            PublicKeys::from_jwks(json!({ "keys": [a2.jwk, a3.jwk] }).to_string().as_bytes())
                .unwrap();
        // The examples have no `kid`: with two keys, which one is unknown.
        assert_eq!(
            both.verify_signature(&a2.compact),
            Err(VerifyError::UnknownKey)
        );
        assert!(!both.has_key_for(None));
        assert!(!both.has_key_for(Some("k")));
    }
}
