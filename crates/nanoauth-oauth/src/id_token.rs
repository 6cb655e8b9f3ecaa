//! ID token validation (OpenID Connect Core §3.1.3.7): the signature
//! against the issuer's published keys, then `iss`, `aud`/`azp`, `exp` and
//! `nonce`, each failure with its own error code.

use jsonwebtoken::crypto::CryptoProvider;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::error::OAuthError;
use crate::http::HttpClient;
use crate::provider::Provider;
use crate::secret::secrets_equal;

/// Clock skew tolerated between us and the provider, in seconds.
const LEEWAY: u64 = 60;

/// What a valid ID token must match.
#[derive(Debug)]
pub(crate) struct Expected<'a> {
    /// The issuer from discovery.
    pub(crate) issuer: &'a str,
    /// The JWKS URI from discovery.
    pub(crate) jwks_uri: &'a str,
    /// The nonce this sign-in sent.
    pub(crate) nonce: &'a str,
    /// The current time, Unix seconds.
    pub(crate) now: u64,
}

/// Verifies `token` and returns its claims.
pub(crate) async fn validate(
    provider: &Provider,
    http: &HttpClient,
    token: &str,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, OAuthError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| OAuthError::InvalidIdToken)?;
    // Asymmetric algorithms only: `none` and the HMAC family (which would
    // take a public key as a shared secret) are never accepted.
    if !matches!(
        header.alg,
        Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512
            | Algorithm::ES256
            | Algorithm::ES384
            | Algorithm::EdDSA
    ) {
        return Err(OAuthError::IdTokenSignature);
    }
    let jwk = provider
        .jwks
        .key(http, expected.jwks_uri, header.kid.as_deref())
        .await?;
    if let Some(key_alg) = jwk.common.key_algorithm
        && key_alg.to_string() != format!("{:?}", header.alg)
    {
        return Err(OAuthError::IdTokenSignature);
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| OAuthError::IdTokenSignature)?;
    // jsonwebtoken panics without exactly one crypto backend; refuse
    // instead (only possible if the application enables a second one).
    if CryptoProvider::try_get_default().is_none() {
        return Err(OAuthError::IdTokenSignature);
    }
    // The signature only: the claims are checked below, against our clock,
    // each with its own error.
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
        .map_err(|_| OAuthError::IdTokenSignature)?
        .claims;
    check_claims(provider, &claims, expected)?;
    Ok(claims)
}

/// The claim checks, apart from the signature.
pub(crate) fn check_claims(
    provider: &Provider,
    claims: &Map<String, Value>,
    expected: &Expected<'_>,
) -> Result<(), OAuthError> {
    let issuer = if provider.tenant_issuer {
        // Multi-tenant Microsoft: the issuer names the user's tenant.
        let tid = claims.get("tid").and_then(Value::as_str).unwrap_or("");
        expected.issuer.replace("{tenantid}", tid)
    } else {
        expected.issuer.to_owned()
    };
    if claims.get("iss").and_then(Value::as_str) != Some(issuer.as_str()) {
        return Err(OAuthError::IdTokenIssuer);
    }

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences.contains(&provider.client_id.as_str()) {
        return Err(OAuthError::IdTokenAudience);
    }
    // §3.1.3.7 (4, 5): with several audiences, `azp` must name us.
    let azp = claims.get("azp").and_then(Value::as_str);
    if (audiences.len() > 1 || azp.is_some()) && azp != Some(provider.client_id.as_str()) {
        return Err(OAuthError::IdTokenAudience);
    }

    let exp = claims
        .get("exp")
        .and_then(Value::as_u64)
        .ok_or(OAuthError::InvalidIdToken)?;
    if exp.saturating_add(LEEWAY) <= expected.now {
        return Err(OAuthError::IdTokenExpired);
    }
    if claims
        .get("iat")
        .and_then(Value::as_u64)
        .is_some_and(|iat| iat > expected.now.saturating_add(LEEWAY))
    {
        return Err(OAuthError::InvalidIdToken);
    }

    let nonce = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !secrets_equal(nonce, expected.nonce) {
        return Err(OAuthError::IdTokenNonce);
    }
    match claims.get("sub").and_then(Value::as_str) {
        Some(sub) if !sub.is_empty() => Ok(()),
        _ => Err(OAuthError::InvalidIdToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn check(provider: &Provider, value: Value) -> Result<(), OAuthError> {
        let expected = Expected {
            issuer: "https://id.example",
            jwks_uri: "https://id.example/jwks",
            nonce: "n-0S6_WzA2Mj",
            now: 1_000_000,
        };
        check_claims(provider, &claims(value), &expected)
    }

    fn good() -> Value {
        json!({
            "iss": "https://id.example", "aud": "client", "sub": "248289761001",
            "exp": 1_000_300, "iat": 1_000_000, "nonce": "n-0S6_WzA2Mj"
        })
    }

    fn with(key: &str, value: Value) -> Value {
        let mut claims = good();
        claims[key] = value;
        claims
    }

    #[test]
    fn each_claim_has_its_error() {
        let provider = Provider::oidc("id", "https://id.example", "client");
        assert_eq!(check(&provider, good()), Ok(()));
        assert_eq!(
            check(&provider, with("iss", json!("https://evil.example"))),
            Err(OAuthError::IdTokenIssuer)
        );
        assert_eq!(
            check(&provider, with("aud", json!("other"))),
            Err(OAuthError::IdTokenAudience)
        );
        assert_eq!(
            check(&provider, with("aud", json!(["client", "other"]))),
            Err(OAuthError::IdTokenAudience),
            "several audiences need azp"
        );
        let mut both = with("aud", json!(["client", "other"]));
        both["azp"] = json!("client");
        assert_eq!(check(&provider, both), Ok(()));
        assert_eq!(
            check(&provider, with("exp", json!(999_900))),
            Err(OAuthError::IdTokenExpired)
        );
        assert_eq!(
            check(&provider, with("exp", json!(999_990))),
            Ok(()),
            "within the leeway"
        );
        assert_eq!(
            check(&provider, with("nonce", json!("other"))),
            Err(OAuthError::IdTokenNonce)
        );
        let mut no_nonce = good();
        no_nonce.as_object_mut().map(|c| c.remove("nonce"));
        assert_eq!(check(&provider, no_nonce), Err(OAuthError::IdTokenNonce));
        assert_eq!(
            check(&provider, with("sub", json!(""))),
            Err(OAuthError::InvalidIdToken)
        );
        assert_eq!(
            check(&provider, with("iat", json!(2_000_000))),
            Err(OAuthError::InvalidIdToken)
        );
    }

    #[test]
    fn tenant_issuers_are_filled_from_tid() {
        let provider = Provider::oidc("ms", "https://id.example", "client").tenant_issuer();
        let expected = Expected {
            issuer: "https://login.example/{tenantid}/v2.0",
            jwks_uri: "",
            nonce: "n",
            now: 1_000_000,
        };
        let mut value = good();
        value["iss"] = json!("https://login.example/t1/v2.0");
        value["tid"] = json!("t1");
        value["nonce"] = json!("n");
        assert_eq!(
            check_claims(&provider, &claims(value.clone()), &expected),
            Ok(())
        );
        value["tid"] = json!("t2");
        assert_eq!(
            check_claims(&provider, &claims(value), &expected),
            Err(OAuthError::IdTokenIssuer)
        );
    }
}
