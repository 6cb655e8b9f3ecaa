//! `auth.magic_link()`: send a link, verify it.

use crate::adapter::VerificationAdapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::session::{ClientInfo, SignedIn};
use crate::user::{AuthUser, Email};
use crate::utils::url;

use super::MagicLink;

/// The purpose magic-link tokens are stored under.
pub(crate) const PURPOSE: &str = "magic-link";

impl<U: AuthUser, A: VerificationAdapter<U>> Auth<U, A> {
    /// The magic-link plugin's exports.
    pub fn magic_link(&self) -> MagicLinkApi<'_, U, A> {
        MagicLinkApi { auth: self }
    }
}

/// The exports of [`MagicLink`], from [`Auth::magic_link`].
#[derive(Debug)]
pub struct MagicLinkApi<'a, U: AuthUser, A: VerificationAdapter<U>> {
    auth: &'a Auth<U, A>,
}

impl<U: AuthUser, A: VerificationAdapter<U>> MagicLinkApi<'_, U, A> {
    fn options(&self) -> Result<&MagicLink, Error> {
        self.auth
            .plugin::<MagicLink>()
            .ok_or(Error::PluginNotEnabled("magic-link"))
    }

    /// Emails a sign-in link to `email` if it has an account; does nothing
    /// (and says nothing) otherwise, so the answer reveals no account.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`] for a
    /// `callback_url` off the trusted origins, adapter and sending failures.
    pub async fn send(&self, email: &str, callback_url: &str) -> Result<(), Error> {
        let options = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let callback = self.auth.check_redirect(callback_url)?;
        let Some(user) = self.auth.adapter().find_user_by_email(&email).await? else {
            return Ok(());
        };
        let auth = self.auth;
        options
            .mail
            .send(auth, PURPOSE, user.id(), &email, |token| {
                format!(
                    "{}{}/magic/verify?token={token}&callbackURL={}",
                    auth.base_origin(),
                    auth.base_path(),
                    url::encode(&callback)
                )
            })
            .await
    }

    /// Consumes a link's token and signs its user in.
    ///
    /// # Errors
    /// [`Error::InvalidToken`], [`Error::TokenExpired`], adapter failures.
    pub async fn verify(&self, token: &str, client: ClientInfo) -> Result<SignedIn<U>, Error> {
        self.options()?;
        let record = self.auth.consume_token(token, PURPOSE).await?;
        let user = self
            .auth
            .adapter()
            .get_user(&record.identifier)
            .await?
            .ok_or(Error::InvalidToken)?;
        self.auth.create_session(user, client).await
    }
}
