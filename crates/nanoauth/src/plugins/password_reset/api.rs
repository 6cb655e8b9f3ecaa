//! `auth.password_reset()`: request a link, reset with it.

use std::sync::Arc;

use crate::adapter::{EmailVerificationAdapter, PasswordAdapter, VerificationAdapter};
use crate::auth::Auth;
use crate::error::Error;
use crate::ownership::EmailProof;
use crate::plugins::email_password::EmailPassword;
use crate::plugins::link_mail::LinkRequest;
use crate::user::{AuthUser, Email};
use crate::utils::url;

use super::PasswordReset;

/// The purpose reset tokens are stored under.
const PURPOSE: &str = "reset-password";

impl<U: AuthUser, A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>>
    Auth<U, A>
{
    /// The password-reset plugin's exports.
    pub fn password_reset(&self) -> PasswordResetApi<'_, U, A> {
        PasswordResetApi { auth: self }
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
}

impl<U: AuthUser, A: VerificationAdapter<U> + PasswordAdapter<U> + EmailVerificationAdapter<U>>
    PasswordResetApi<'_, U, A>
{
    fn options(&self) -> Result<(Arc<PasswordReset>, Arc<EmailPassword>), Error> {
        let reset = self
            .auth
            .plugin::<PasswordReset>()
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
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`], adapter and
    /// sending failures.
    pub async fn request(&self, email: &str, redirect_to: &str) -> Result<(), Error> {
        let (options, _) = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let page = self.auth.check_redirect(redirect_to)?;
        let Some(user) = self.auth.adapter().find_user_by_email(&email).await? else {
            options.mail.pretend(self.auth, PURPOSE).await;
            return Ok(());
        };
        // The link goes to the application's page, absolute: mail has no base.
        let page = if page.starts_with('/') {
            format!("{}{page}", self.auth.base_origin())
        } else {
            page
        };
        let mail = LinkRequest {
            purpose: PURPOSE,
            identifier: user.id().to_owned(),
            data: None,
            to: email,
        };
        options
            .mail
            .send(self.auth, mail, move |token| {
                url::with_param(&page, "token", token)
            })
            .await;
        Ok(())
    }

    /// Sets a new password with a reset token, and ends the user's sessions
    /// (unless configured otherwise). Does not sign in.
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
        Ok(())
    }
}
