//! `auth.magic_link()`: send a link, verify it.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::Auth;
use crate::EmailProof;
use crate::Error;
use crate::Event;
use crate::adapter::{
    AdapterError, CreateUserAdapter, EmailVerificationAdapter, VerificationAdapter,
};
use crate::plugins::link_mail::LinkRequest;
use crate::utils::{token, url};
use crate::{AuthUser, Email, NewUser};
use crate::{ClientInfo, SignInMethod, SignInOutcome};

use super::MagicLink;

/// The purpose magic-link tokens are stored under.
pub(crate) const PURPOSE: &str = "magic-link";

/// The most sign-up fields a link keeps, as JSON: a profile, not a payload.
const MAX_SIGN_UP_FIELDS: usize = 4096;

impl<U: AuthUser, A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>>
    Auth<U, A>
{
    /// The magic-link plugin's exports.
    pub fn magic_link(&self) -> MagicLinkApi<'_, U, A> {
        MagicLinkApi {
            auth: self,
            plugin: self.plugin::<MagicLink>(),
        }
    }
}

/// The exports of [`MagicLink`], from [`Auth::magic_link`].
#[derive(Debug)]
pub struct MagicLinkApi<
    'a,
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
> {
    auth: &'a Auth<U, A>,
    /// Looked up once, when the exports are asked for; endpoints pass
    /// their own.
    plugin: Option<Arc<MagicLink>>,
}

impl<
    'a,
    U: AuthUser,
    A: VerificationAdapter<U> + CreateUserAdapter<U> + EmailVerificationAdapter<U>,
> MagicLinkApi<'a, U, A>
{
    /// The exports bound to `plugin`: what its endpoints use, so they never
    /// look it up.
    pub(super) fn bound(auth: &'a Auth<U, A>, plugin: Arc<MagicLink>) -> Self {
        Self {
            auth,
            plugin: Some(plugin),
        }
    }

    fn options(&self) -> Result<&MagicLink, Error> {
        self.plugin
            .as_deref()
            .ok_or(Error::PluginNotEnabled("magic-link"))
    }

    /// Emails a sign-in link to `email`, with no sign-up fields: see
    /// [`send_with_fields`](Self::send_with_fields).
    ///
    /// # Errors
    /// As [`send_with_fields`](Self::send_with_fields).
    pub async fn send(&self, email: &str, callback_url: &str) -> Result<(), Error> {
        self.send_with_fields(email, callback_url, Map::new()).await
    }

    /// Emails a sign-in link to `email` if it has an account. An address
    /// without one gets a link that creates it (from `fields`, the user
    /// type's `SignUp` fields as JSON) if sign-up on first use is on and
    /// `fields` make a valid `SignUp`, and nothing otherwise. (So a sign-in
    /// form may send the address alone, even when the `SignUp` type has
    /// required fields.) The answer is the same either way, so it reveals
    /// no account; so is the work done before answering.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`], [`Error::InvalidRedirect`] for a
    /// `callback_url` off the trusted origins, [`Error::InvalidBody`] for
    /// `fields` sent that are not a valid `SignUp` (when sign-up is on, for
    /// every address alike), adapter failures.
    pub async fn send_with_fields(
        &self,
        email: &str,
        callback_url: &str,
        fields: Map<String, Value>,
    ) -> Result<(), Error> {
        let options = self.options()?;
        let email = Email::parse(email).ok_or(Error::InvalidEmail)?;
        let callback = self.auth.check_redirect(callback_url)?;
        let sign_up = if options.sign_up {
            sign_up_fields::<U>(fields)?
        } else {
            None
        };
        let known = self.auth.adapter().find_user_by_email(&email).await?;
        let data = match (known, sign_up) {
            (Some(_), _) => None,
            (None, Some(fields)) => Some(fields),
            (None, None) => {
                options.mail.pretend(self.auth, PURPOSE).await;
                return Ok(());
            }
        };
        let base = format!("{}{}", self.auth.base_origin(), self.auth.base_path());
        let callback = url::encode(&callback);
        let mail = LinkRequest {
            purpose: PURPOSE,
            identifier: email.as_str().to_owned(),
            data,
            to: email,
        };
        options
            .mail
            .send(self.auth, mail, move |token| {
                format!("{base}/magic/verify?token={token}&callbackURL={callback}")
            })
            .await;
        Ok(())
    }

    /// Consumes a link's token and signs its user in, creating the account
    /// first if the link was sent for sign-up on first use.
    ///
    /// # Errors
    /// [`Error::InvalidToken`], [`Error::TokenExpired`], adapter failures.
    pub async fn verify(&self, token: &str, client: ClientInfo) -> Result<SignInOutcome<U>, Error> {
        let options = self.options()?;
        let record = self.auth.consume_token(token, PURPOSE).await?;
        let email = Email::parse(&record.identifier).ok_or(Error::InvalidToken)?;
        let user = match self.auth.adapter().find_user_by_email(&email).await? {
            Some(user) => user,
            // Sign-up could have been turned off since the link was sent.
            None => match record.data.as_deref().filter(|_| options.sign_up) {
                Some(fields) => self.create_user(email, fields).await?,
                None => return Err(Error::InvalidToken),
            },
        };
        // The link proves the address and means "let me in": an account
        // someone else set up with this address is taken over cleanly.
        self.auth.prove_email(&user, EmailProof::SignIn).await?;
        self.auth
            .create_session(user, client, SignInMethod::new("magic-link"))
            .await
    }

    /// Creates the account a first-use link was sent for.
    async fn create_user(&self, email: Email, fields: &str) -> Result<U, Error> {
        let fields: U::SignUp = serde_json::from_str(fields).map_err(|_| Error::InvalidToken)?;
        let user = U::from_sign_up(NewUser::new(token::random_id()?, email.clone(), fields));
        match self.auth.adapter().create_user(&user).await {
            Ok(()) => {}
            // Two first-use links for one address, followed at once: the
            // other created the account; sign in to it.
            Err(AdapterError::Conflict) => {
                return self
                    .auth
                    .adapter()
                    .find_user_by_email(&email)
                    .await?
                    .ok_or(Error::InvalidToken);
            }
            Err(error) => return Err(error.into()),
        }
        self.auth.emit(Event::SignedUp { user: user.clone() }).await;
        Ok(user)
    }
}

/// `fields` as the JSON a first-use link keeps, if they make a valid
/// `SignUp`. A request without fields is a sign-in: `None` when they are
/// required. Fields that were sent and are wrong are an error, whatever the
/// address, so the answer does not depend on whether it has an account.
fn sign_up_fields<U: AuthUser>(fields: Map<String, Value>) -> Result<Option<String>, Error> {
    let sent = !fields.is_empty();
    let json = Value::Object(fields);
    match serde_json::from_value::<U::SignUp>(json.clone()) {
        Ok(_) => {}
        Err(_) if !sent => return Ok(None),
        Err(error) => return Err(Error::InvalidBody(error.to_string())),
    }
    let json = json.to_string();
    if json.len() > MAX_SIGN_UP_FIELDS {
        return Err(Error::InvalidBody("the sign-up fields are too long".into()));
    }
    Ok(Some(json))
}
