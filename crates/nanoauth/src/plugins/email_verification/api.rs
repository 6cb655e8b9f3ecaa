//! `auth.email_verification()`: send a link, verify it.

use std::sync::Arc;

use crate::Auth;
use crate::EmailProof;
use crate::Error;
use crate::adapter::{EmailVerificationAdapter, VerificationAdapter};
use crate::plugins::link_mail::LinkRequest;
use crate::utils::url;
use crate::{AuthUser, Email};

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
        EmailVerificationApi {
            auth: self,
            plugin: self.plugin::<EmailVerification>(),
        }
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
    /// Looked up once, when the exports are asked for; endpoints pass
    /// their own.
    plugin: Option<Arc<EmailVerification>>,
}

impl<'a, U, A> EmailVerificationApi<'a, U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    /// The exports bound to `plugin`: what its endpoints use, so they never
    /// look it up.
    pub(super) fn bound(auth: &'a Auth<U, A>, plugin: Arc<EmailVerification>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn options(&self) -> Result<&EmailVerification, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("email-verification"))
    }

    /// Emails a verification link to `email` if it has an unverified
    /// account; does nothing (and says nothing) otherwise.
    ///
    /// The answer waits for one lookup by email, whatever the address; the
    /// rest (is it verified already? the token, the mail) happens after it,
    /// in the background, so that neither the answer nor its timing tells
    /// an unknown, an unverified and a verified address apart.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`], adapter
    /// failures of the lookup. Sending failures are
    /// [`Event::EmailNotSent`](crate::Event::EmailNotSent) events.
    pub async fn send(&self, email: &str, callback_url: &str) -> Result<(), Error> {
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let callback = self.auth.check_redirect(callback_url)?;
        let user = self.auth.adapter().find_user_by_email(&email).await?;
        self.mail_link(email, user, &callback).await
    }

    /// Emails `user` a verification link, unless already verified.
    pub(crate) async fn send_to_user(&self, user: &U, callback: &str) -> Result<(), Error> {
        let email = Email::parse(user.email()).ok_or(Error::InvalidEmail)?;
        self.mail_link(email, Some(user.clone()), callback).await
    }

    /// Mails `user` (whose address is `to`) a link in the background if
    /// their address is not verified yet; otherwise, and without a user,
    /// does the same work for no mail.
    async fn mail_link(&self, to: Email, user: Option<U>, callback: &str) -> Result<(), Error> {
        let options = self.options()?;
        let auth = self.auth.clone();
        let recipient = to.clone();
        // Asked for every address, known or not (no user id matches ""), so
        // that the work after the answer is alike too.
        let decide = async move {
            let id = user.as_ref().map_or("", |user| user.id());
            let verified = auth
                .adapter()
                .is_email_verified(id)
                .await
                .map_err(|error| error.to_string())?;
            Ok(user.filter(|_| !verified).map(|user| LinkRequest {
                purpose: PURPOSE,
                identifier: user.id().to_owned(),
                data: None,
                to: recipient,
            }))
        };
        let base = format!("{}{}", self.auth.base_origin(), self.auth.base_path());
        let callback = url::encode(callback);
        options
            .mail
            .send_if(self.auth, to, PURPOSE, decide, move |token| {
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
