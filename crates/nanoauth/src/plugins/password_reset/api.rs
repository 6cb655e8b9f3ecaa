//! `auth.password_reset()`: request a link, reset with it.

use std::sync::Arc;

use crate::Auth;
use crate::EmailProof;
use crate::Error;
use crate::adapter::{EmailVerificationAdapter, PasswordAdapter, VerificationAdapter};
use crate::plugins::email_password::EmailPassword;
use crate::plugins::link_mail::LinkRequest;
use crate::utils::token::{self, TokenHash};
use crate::utils::url;
use crate::{AuthUser, Email};

use super::PasswordReset;

/// The purpose reset tokens are stored under.
const PURPOSE: &str = "reset-password";

impl<U: AuthUser, A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>>
    Auth<U, A>
{
    /// The password-reset plugin's exports.
    pub fn password_reset(&self) -> PasswordResetApi<'_, U, A> {
        PasswordResetApi {
            auth: self,
            plugin: self.plugin::<PasswordReset>(),
        }
    }
}

/// The exports of [`PasswordReset`], from [`Auth::password_reset`].
#[derive(Debug)]
pub struct PasswordResetApi<
    'a,
    U: AuthUser,
    A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>,
> {
    auth: &'a Auth<U, A>,
    /// Looked up once, when the exports are asked for; endpoints pass
    /// their own.
    plugin: Option<Arc<PasswordReset>>,
}

impl<'a, U: AuthUser, A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>>
    PasswordResetApi<'a, U, A>
{
    /// The exports bound to `plugin`: what its endpoints use, so they never
    /// look it up.
    pub(super) fn bound(auth: &'a Auth<U, A>, plugin: Arc<PasswordReset>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    /// This plugin, and the password rules and hasher of `EmailPassword`,
    /// which it declares as a dependency (so an `Auth` serving its routes
    /// has it).
    fn options(&self) -> Result<(&PasswordReset, Arc<EmailPassword>), Error> {
        let reset = self
            .plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("password-reset"))?;
        let passwords = self
            .auth
            .plugin::<EmailPassword>()
            .ok_or(Error::PluginNotEnabled("email-password"))?;
        Ok((reset, passwords))
    }

    /// Emails a reset link to `email` if it has an account; does nothing
    /// (and says nothing) otherwise.
    ///
    /// The link keeps a fingerprint of the account's password as it is now
    /// (the SHA-256 of its stored hash), read in the background after the
    /// answer: once the password changes (any reset, a change, a take-over
    /// that removed it), every link issued before no longer works.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`], adapter
    /// failures of the lookup. Sending failures are
    /// [`Event::EmailNotSent`](crate::Event::EmailNotSent) events.
    pub async fn request(&self, email: &str, redirect_to: &str) -> Result<(), Error> {
        let (options, _) = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let page = self.auth.check_redirect(redirect_to)?;
        let user = self.auth.adapter().find_user_by_email(&email).await?;
        // The link goes to the application's page, absolute: mail has no base.
        let page = if page.starts_with('/') {
            format!("{}{page}", self.auth.base_origin())
        } else {
            page
        };
        let (auth, to) = (self.auth.clone(), email.clone());
        // The password is read after the answer, with the token and the
        // mail, and for every address, known or not: the work after the
        // answer is alike too.
        let decide = async move {
            let fingerprint = current_fingerprint(&auth, &to)
                .await
                .map_err(|error| error.to_string())?;
            let data = ResetData { fingerprint }.to_json();
            Ok(user.map(|user| LinkRequest {
                purpose: PURPOSE,
                identifier: user.id().to_owned(),
                data: Some(data),
                to,
            }))
        };
        options
            .mail
            .send_if(self.auth, email, PURPOSE, decide, move |token| {
                url::with_param(&page, "token", token)
            })
            .await;
        Ok(())
    }

    /// Sets a new password with a reset token, and ends the user's sessions
    /// (unless configured otherwise). Does not sign in. Emits
    /// [`Event::PasswordReset`](crate::Event::PasswordReset).
    ///
    /// The link proves the address ([`EmailProof::SignIn`]): on an account
    /// whose address was never proven, the reset also ends every session
    /// and unlinks every provider account, whatever the options, since
    /// whoever set them up never proved the address.
    ///
    /// # Errors
    /// [`Error::InvalidToken`], [`Error::TokenExpired`], the password length
    /// errors, adapter failures.
    pub async fn reset(&self, token: &str, new_password: &str) -> Result<(), Error> {
        let (options, passwords) = self.options()?;
        // Check the password first: a too-short one must not burn the token.
        passwords.check_length(new_password)?;
        let record = self.auth.consume_token(token, PURPOSE).await?;
        let user = self
            .auth
            .adapter()
            .get_user(&record.identifier)
            .await?
            .ok_or(Error::InvalidToken)?;
        // A link issued before the password last changed is spent, and
        // answered like an unknown one. (A link without a fingerprint was
        // issued before links carried one: refused too.)
        let issued_for = record.data.as_deref().and_then(ResetData::from_json);
        let email = Email::parse(user.email()).ok_or(Error::InvalidToken)?;
        let now = current_fingerprint(self.auth, &email).await?;
        if !issued_for.is_some_and(|data| {
            token::constant_time_eq(data.fingerprint.as_bytes(), now.as_bytes())
        }) {
            return Err(Error::InvalidToken);
        }
        let hash = passwords.hash(self.auth.offload(), new_password).await?;
        self.auth.prove_email(&user, EmailProof::SignIn).await?;
        self.auth
            .adapter()
            .set_password_hash(&record.identifier, &hash)
            .await?;
        if !options.keep_sessions {
            self.auth
                .revoke_user_sessions(&record.identifier, None)
                .await?;
        }
        self.auth.emit(crate::Event::PasswordReset { user }).await;
        Ok(())
    }
}

/// What a reset link keeps with its token.
#[derive(serde::Serialize, serde::Deserialize)]
struct ResetData {
    /// [`credential_fingerprint`] of the account when the link was issued.
    fingerprint: String,
}

impl ResetData {
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn from_json(data: &str) -> Option<Self> {
        serde_json::from_str(data).ok()
    }
}

/// Hashed in place of a password hash for an account without one: no PHC
/// string reads like this, so its fingerprint never equals one of a hash.
/// (Hashed rather than kept as it is, so that every address costs the same
/// work.)
const NO_PASSWORD: &str = "no password";

/// A fingerprint of a user's credential state: the SHA-256 (hex) of their
/// stored password hash, or of a fixed marker when they have none. Every
/// new hash has a fresh salt, so setting any password (even the same one)
/// changes it, and so does removing the password.
fn credential_fingerprint(password_hash: Option<&str>) -> String {
    TokenHash::of(password_hash.unwrap_or(NO_PASSWORD)).to_hex()
}

/// The [`credential_fingerprint`] of the account at `email`, as stored now.
async fn current_fingerprint<U: AuthUser, A: PasswordAdapter<U>>(
    auth: &Auth<U, A>,
    email: &Email,
) -> Result<String, Error> {
    let credential = auth.adapter().find_password_credential(email).await?;
    Ok(credential_fingerprint(
        credential.as_ref().map(|c| c.password_hash.as_str()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_change_with_the_stored_hash() {
        let before = credential_fingerprint(Some("$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"));
        let after = credential_fingerprint(Some("$argon2id$v=19$m=64,t=1,p=1$b3RoZXI$aGFzaA"));
        assert_ne!(before, after);
        assert_ne!(before, credential_fingerprint(None));
        assert_eq!(before.len(), 64);
        let data = ResetData {
            fingerprint: before.clone(),
        };
        assert_eq!(
            ResetData::from_json(&data.to_json()).map(|d| d.fingerprint),
            Some(before)
        );
    }
}
