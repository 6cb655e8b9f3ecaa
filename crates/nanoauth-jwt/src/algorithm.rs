//! Which signature new keys make.

use serde::{Deserialize, Serialize};

/// The signature algorithm of the signing keys (RFC 7518 §3, RFC 8037).
///
/// Every key is made for one algorithm and published with it (the JWK's
/// `alg`), so a verifier never has to trust a token's header for it.
///
/// ```
/// use nanoauth_jwt::{Algorithm, Jwt};
///
/// assert_eq!(Algorithm::default(), Algorithm::EdDsa);
/// assert_eq!(Algorithm::Es256.name(), "ES256");
/// let plugin = Jwt::<nanoauth::BasicUser>::new().algorithm(Algorithm::Rs256);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Algorithm {
    /// Ed25519 (`EdDSA`, RFC 8037): small keys and signatures, fast,
    /// deterministic, no nonce to get wrong. The default.
    #[default]
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// ECDSA on P-256 with SHA-256 (`ES256`), for verifiers without Ed25519.
    #[serde(rename = "ES256")]
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 and 2048-bit keys (`RS256`), for
    /// verifiers that know nothing else. Slowest to sign and generate.
    #[serde(rename = "RS256")]
    Rs256,
}

impl Algorithm {
    /// The JOSE name (`"EdDSA"`, `"ES256"`, `"RS256"`), as in a JWK's and a
    /// token header's `alg`.
    pub fn name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Rs256 => "RS256",
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn names_are_the_jose_names_both_ways() {
        for algorithm in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256] {
            let json = serde_json::to_string(&algorithm).unwrap();
            assert_eq!(json, format!("\"{}\"", algorithm.name()));
            assert_eq!(serde_json::from_str::<Algorithm>(&json).unwrap(), algorithm);
        }
    }
}
