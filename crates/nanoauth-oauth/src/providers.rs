//! Ready providers: a few lines of configuration each over the generic
//! [`Provider`]. Register the callback URL
//! `{base_url}{base_path}/callback/{id}` (for example
//! `https://example.com/api/auth/callback/github`) at the provider.
//!
//! | function | id | kind | profile and email |
//! |---|---|---|---|
//! | [`google`] | `google` | OpenID Connect (discovery) | ID token; `email_verified` from Google |
//! | [`github`] | `github` | OAuth 2.0 | `/user`, and `/user/emails` for the verified primary address |
//! | [`microsoft`] | `microsoft` | OpenID Connect (discovery, per tenant) | ID token; emails are never treated as verified |
//! | [`discord`] | `discord` | OAuth 2.0 | `/users/@me` with its `verified` flag |
//! | [`gitlab`] | `gitlab` | OpenID Connect (discovery) | ID token |
//! | [`apple`] | `apple` | OpenID Connect (discovery) | ID token |
//! | [`Provider::oidc`] | yours | any OpenID Connect issuer by URL | ID token, then userinfo |

use serde_json::Value;

use crate::profile::Profile;
use crate::provider::Provider;

/// Google (accounts.google.com), scopes `openid email profile`.
///
/// ```
/// let google = nanoauth_oauth::providers::google("id.apps.googleusercontent.com", "secret");
/// assert_eq!(google.id(), "google");
/// ```
pub fn google(client_id: &str, client_secret: &str) -> Provider {
    Provider::oidc("google", "https://accounts.google.com", client_id).client_secret(client_secret)
}

/// GitHub (OAuth apps and GitHub apps), scopes `read:user user:email`.
///
/// GitHub answers token errors with `200 {"error": ...}`; that is handled.
/// The email is the primary *verified* address from `/user/emails`.
///
/// ```
/// let github = nanoauth_oauth::providers::github("Iv1.8a61f9b3a7aba766", "secret");
/// assert!(!github.is_oidc());
/// ```
pub fn github(client_id: &str, client_secret: &str) -> Provider {
    Provider::oauth2(
        "github",
        client_id,
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
        "https://api.github.com/user",
        |_| None,
    )
    .github_source()
    .client_secret(client_secret)
    .scopes(["read:user", "user:email"])
}

/// Microsoft Entra ID (work, school and personal accounts). `tenant` is
/// your tenant id or domain for a single-tenant app, or `common`,
/// `organizations` or `consumers`; for those the ID token's issuer is
/// matched with its own tenant (`tid`).
///
/// Entra ID does not say whether an email is verified (any tenant's admin
/// sets any address), so these addresses are never taken as verified: the
/// sign-ins are never linked to an existing account by email, and accounts
/// they create stay unclaimed until their address is proven otherwise.
///
/// ```
/// let microsoft = nanoauth_oauth::providers::microsoft("common", "client-id", "secret");
/// assert_eq!(microsoft.id(), "microsoft");
/// ```
pub fn microsoft(tenant: &str, client_id: &str, client_secret: &str) -> Provider {
    let issuer = format!("https://login.microsoftonline.com/{tenant}/v2.0");
    Provider::oidc("microsoft", &issuer, client_id)
        .client_secret(client_secret)
        .tenant_issuer()
        .distrust_email_verified()
}

/// Discord, scopes `identify email`.
///
/// ```
/// let discord = nanoauth_oauth::providers::discord("1234567890", "secret");
/// assert_eq!(discord.id(), "discord");
/// ```
pub fn discord(client_id: &str, client_secret: &str) -> Provider {
    Provider::oauth2(
        "discord",
        client_id,
        "https://discord.com/oauth2/authorize",
        "https://discord.com/api/oauth2/token",
        "https://discord.com/api/users/@me",
        discord_profile,
    )
    .client_secret(client_secret)
    .scopes(["identify", "email"])
}

fn discord_profile(me: &Value) -> Option<Profile> {
    let text = |key: &str| me.get(key).and_then(Value::as_str).map(str::to_owned);
    let mut profile = Profile::new(text("id")?);
    profile.email = text("email");
    profile.email_verified = me.get("verified").and_then(Value::as_bool) == Some(true);
    profile.name = text("global_name").or_else(|| text("username"));
    profile.raw = me.as_object().cloned().unwrap_or_default();
    Some(profile)
}

/// GitLab.com, scopes `openid email profile`. For a self-managed GitLab use
/// [`gitlab_at`].
///
/// ```
/// let gitlab = nanoauth_oauth::providers::gitlab("app-id", "secret");
/// assert!(gitlab.is_oidc());
/// ```
pub fn gitlab(client_id: &str, client_secret: &str) -> Provider {
    gitlab_at("https://gitlab.com", client_id, client_secret)
}

/// A self-managed GitLab at `url`.
pub fn gitlab_at(url: &str, client_id: &str, client_secret: &str) -> Provider {
    Provider::oidc("gitlab", url, client_id).client_secret(client_secret)
}

/// Sign in with Apple, scope `openid` (see the limitation below).
/// `client_secret` is the ES256 JWT you sign with your Apple key (it
/// expires after at most six months: rotate it).
///
/// # Limitation
/// Apple sends the email address only when the `email` scope is asked for,
/// and then only by `response_mode=form_post`, a form POST to the callback
/// that the core does not accept yet (request bodies must be JSON). Until
/// it does, Apple sign-ins carry no email, so they can link to a signed-in
/// user (`POST /link/apple`) but not create accounts (`EMAIL_REQUIRED`).
///
/// ```
/// let apple = nanoauth_oauth::providers::apple("com.example.web", "eyJhbGciOiJFUzI1NiJ9...");
/// assert!(apple.is_oidc());
/// ```
pub fn apple(client_id: &str, client_secret: &str) -> Provider {
    Provider::oidc("apple", "https://appleid.apple.com", client_id)
        .client_secret(client_secret)
        .scopes(["openid"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn discord_profiles() {
        let me = json!({"id": "80351110224678912", "username": "nelly", "global_name": "Nelly",
            "email": "nelly@discord.com", "verified": true});
        let profile = discord_profile(&me).unwrap_or_default();
        assert_eq!(profile.id, "80351110224678912");
        assert!(profile.email_verified);
        assert_eq!(profile.name.as_deref(), Some("Nelly"));
        assert!(discord_profile(&json!({"username": "x"})).is_none());
    }
}
