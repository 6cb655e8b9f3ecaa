//! Secrets as types: redacted in `Debug`, no `Display`, compared in
//! constant time.

use subtle::ConstantTimeEq;

/// A client secret from the provider's console.
///
/// ```
/// use nanoauth_oauth::ClientSecret;
/// let secret = ClientSecret::new("s3cr3t");
/// assert_eq!(format!("{secret:?}"), "ClientSecret([redacted])");
/// ```
#[derive(Clone)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself.
    ///
    /// # Security
    /// Send it only to the provider's token endpoint; never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// An access token from the provider, used once to read the profile.
#[derive(Clone)]
pub(crate) struct AccessToken(pub(crate) String);

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Whether two secrets are equal, in time independent of where they differ.
pub(crate) fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison() {
        assert!(secrets_equal("abc", "abc"));
        assert!(!secrets_equal("abc", "abd"));
        assert!(!secrets_equal("abc", "abcd"));
    }
}
