//! The user's profile at the provider, in one shape whatever the provider.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::OAuthError;
use crate::http::HttpClient;
use crate::secret::AccessToken;

/// Who the provider says the user is. The claim mapping of
/// [`OAuth`](crate::OAuth) turns it into the application's sign-up fields.
///
/// ```
/// use nanoauth_oauth::Profile;
/// let mut profile = Profile::new("248289761001");
/// profile.name = Some("Jane Doe".into());
/// assert_eq!(profile.id, "248289761001");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Profile {
    /// The user's stable id at the provider (`sub`).
    pub id: String,
    /// The email address, if shared.
    pub email: Option<String>,
    /// Whether the provider says it verified the email address. Only then
    /// may a sign-in be linked to an existing account by email.
    pub email_verified: bool,
    /// The display name.
    pub name: Option<String>,
    /// A picture URL.
    pub picture: Option<String>,
    /// Every claim or field the provider sent, for custom mappings.
    pub raw: Map<String, Value>,
}

impl Profile {
    /// A profile with only the provider's user id.
    pub fn new(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            ..Self::default()
        }
    }

    /// A profile from standard OpenID Connect claims (Core §5.1).
    pub fn from_claims(claims: &Map<String, Value>) -> Option<Self> {
        let id = claims.get("sub").and_then(Value::as_str)?.to_owned();
        let text = |key: &str| claims.get(key).and_then(Value::as_str).map(str::to_owned);
        // Apple sends `"true"` as a string.
        let email_verified = match claims.get("email_verified") {
            Some(Value::Bool(verified)) => *verified,
            Some(Value::String(verified)) => verified == "true",
            _ => false,
        };
        Some(Self {
            id,
            email: text("email"),
            email_verified,
            name: text("name").or_else(|| text("preferred_username")),
            picture: text("picture"),
            raw: claims.clone(),
        })
    }

    /// Adds what `userinfo` has and the ID token lacked. The userinfo
    /// answer must be about the same user (Core §5.3.2).
    pub(crate) fn complete_from(
        &mut self,
        userinfo: &Map<String, Value>,
    ) -> Result<(), OAuthError> {
        let Some(other) = Self::from_claims(userinfo) else {
            return Err(OAuthError::ProviderError);
        };
        if other.id != self.id {
            return Err(OAuthError::ProviderError);
        }
        if self.email.is_none() {
            self.email = other.email;
            self.email_verified = other.email_verified;
        }
        self.name = self.name.take().or(other.name);
        self.picture = self.picture.take().or(other.picture);
        for (key, value) in userinfo {
            self.raw.entry(key.clone()).or_insert_with(|| value.clone());
        }
        Ok(())
    }
}

/// GitHub: `/user` for the id and name, `/user/emails` for the verified
/// primary address (`/user`'s `email` is the public one, possibly unset,
/// and says nothing about verification).
pub(crate) async fn github(http: &HttpClient, token: &AccessToken) -> Result<Profile, OAuthError> {
    #[derive(Deserialize)]
    struct GitHubEmail {
        email: String,
        primary: bool,
        verified: bool,
    }
    let user: Map<String, Value> = http
        .get_json("https://api.github.com/user", Some(token))
        .await?;
    let id = user
        .get("id")
        .and_then(Value::as_u64)
        .ok_or(OAuthError::ProviderError)?;
    let text = |key: &str| user.get(key).and_then(Value::as_str).map(str::to_owned);
    let emails: Vec<GitHubEmail> = http
        .get_json("https://api.github.com/user/emails", Some(token))
        .await
        .unwrap_or_default();
    let verified = emails
        .iter()
        .find(|e| e.primary && e.verified)
        .or_else(|| emails.iter().find(|e| e.verified));
    Ok(Profile {
        id: id.to_string(),
        email: verified.map(|e| e.email.clone()).or_else(|| text("email")),
        email_verified: verified.is_some(),
        name: text("name").or_else(|| text("login")),
        picture: text("avatar_url"),
        raw: user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn standard_claims() {
        let Value::Object(claims) = json!({
            "sub": "1", "email": "a@b.c", "email_verified": "true", "preferred_username": "ab"
        }) else {
            unreachable!("an object literal")
        };
        let profile = Profile::from_claims(&claims).unwrap_or_default();
        assert_eq!(profile.id, "1");
        assert!(profile.email_verified);
        assert_eq!(profile.name.as_deref(), Some("ab"));
    }
}
