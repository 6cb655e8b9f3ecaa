//! The bearer token, as a secret type.

use std::fmt;

/// A session token, for [`Mode::Bearer`](crate::Mode::Bearer).
///
/// Its `Debug` is redacted and it has neither `Display` nor `PartialEq`, so
/// it does not end up in a log or in a timing-sensitive comparison by
/// accident. Persist it with [`expose_secret`](Self::expose_secret) and
/// restore it with [`AuthClientBuilder::token`](crate::AuthClientBuilder::token).
#[derive(Clone)]
pub struct SessionToken(String);

impl SessionToken {
    /// Wraps a token previously obtained from the server.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token text.
    ///
    /// # Security
    /// Whoever holds this is signed in as the user until the session
    /// expires or is revoked. Store it where only the user can read it
    /// (the platform's keychain, a file with mode 0600); never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::SessionToken;

    #[test]
    fn debug_is_redacted() {
        let token = SessionToken::new("eyJhbGciOiJIUzI1NiJ9.secret.sig");
        assert_eq!(format!("{token:?}"), "SessionToken([redacted])");
        assert_eq!(token.expose_secret(), "eyJhbGciOiJIUzI1NiJ9.secret.sig");
    }
}
