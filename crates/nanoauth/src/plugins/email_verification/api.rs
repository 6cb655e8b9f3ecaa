//! `auth.email_verification()`: send a link, verify it.

use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::auth::Auth;
use crate::error::Error;
use crate::user::{AuthUser, Email};
use crate::utils::url;

use super::EmailVerification;

/// The purpose verification tokens are stored under.
const PURPOSE: &str = "verify-email";

impl<U, A> Auth<U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    /// The email-verification plugin's exports.
    pub fn email_verification(&self) -> EmailVerificationApi<'_, U, A> {
        EmailVerificationApi { auth: self }
    }
}

/// The exports of [`EmailVerification`], from [`Auth::email_verification`].
#[derive(Debug)]
pub struct EmailVerificationApi<'a, U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    auth: &'a Auth<U, A>,
}

impl<U, A> EmailVerificationApi<'_, U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    fn options(&self) -> Result<&EmailVerification, Error> {
        self.auth
            .plugin::<EmailVerification>()
            .ok_or(Error::PluginNotEnabled("email-verification"))
    }

    /// Emails a verification link to `email` if it has an unverified
    /// account; does nothing (and says nothing) otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`], adapter and
    /// sending failures.
    pub async fn send(&self, email: &str, callback_url: &str) -> Result<(), Error> {
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let callback = self.auth.check_redirect(callback_url)?;
        match self.auth.adapter().find_user_by_email(&email).await? {
            Some(user) => self.send_to_user(&user, &callback).await,
            None => self.options()?.mail.pretend(self.auth, PURPOSE).await,
        }
    }

    /// Emails `user` a verification link, unless already verified.
    pub(crate) async fn send_to_user(&self, user: &U, callback: &str) -> Result<(), Error> {
        let options = self.options()?;
        if self.auth.adapter().is_email_verified(user.id()).await? {
            return Ok(());
        }
        let email = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        let auth = self.auth;
        options
            .mail
            .send(auth, PURPOSE, user.id(), None, &email, |token| {
                format!(
                    "{}{}/verify-email?token={token}&callbackURL={}",
                    auth.base_origin(),
                    auth.base_path(),
                    url::encode(callback)
                )
            })
            .await
    }

    /// Consumes a verification token and marks its user's email verified.
    ///
    /// # Errors
    /// [`Error::InvalidToken`], [`Error::TokenExpired`], adapter failures.
    pub async fn verify(&self, token: &str) -> Result<U, Error> {
        self.options()?;
        let record = self.auth.consume_token(token, PURPOSE).await?;
        let user = self
            .auth
            .adapter()
            .get_user(&record.identifier)
            .await?
            .ok_or(Error::InvalidToken)?;
        self.auth.adapter().set_email_verified(user.id()).await?;
        self.auth
            .emit(crate::Event::EmailProven { user: user.clone() })
            .await;
        Ok(user)
    }
}
