//! `auth.email_verification()`: send a link, verify it.

use std::sync::Arc;

use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::auth::Auth;
use crate::error::Error;
use crate::ownership::EmailProof;
use crate::plugins::link_mail::LinkRequest;
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
    fn options(&self) -> Result<Arc<EmailVerification>, Error> {
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
            None => {
                self.options()?.mail.pretend(self.auth, PURPOSE).await;
                Ok(())
            }
        }
    }

    /// Emails `user` a verification link, unless already verified.
    pub(crate) async fn send_to_user(&self, user: &U, callback: &str) -> Result<(), Error> {
        let options = self.options()?;
        if self.auth.adapter().is_email_verified(user.id()).await? {
            // Nothing to send; cost what sending costs all the same.
            options.mail.pretend(self.auth, PURPOSE).await;
            return Ok(());
        }
        let email = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        let base = format!("{}{}", self.auth.base_origin(), self.auth.base_path());
        let callback = url::encode(callback);
        let mail = LinkRequest {
            purpose: PURPOSE,
            identifier: user.id().to_owned(),
            data: None,
            to: email,
        };
        options
            .mail
            .send(self.auth, mail, move |token| {
                format!("{base}/verify-email?token={token}&callbackURL={callback}")
            })
            .await;
        Ok(())
    }

    /// Consumes a verification token and marks its user's email verified.
    /// It confirms the sign-up that sent it ([`EmailProof::Confirmation`]):
    /// the account keeps its password and sessions.
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
        self.auth
            .prove_email(&user, EmailProof::Confirmation)
            .await?;
        Ok(user)
    }
}
