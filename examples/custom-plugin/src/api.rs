//! The exports: `auth.simple_magic_link()`, an extension trait on `Auth`.

use std::sync::Arc;

use nanoauth::adapter::{EmailVerificationAdapter, VerificationAdapter};
use nanoauth::{Auth, AuthUser, ClientInfo, Error, SignInOutcome};

use crate::{NAME, SimpleMagicLink};

/// Adds the plugin's exports to `Auth`: bring it into scope with
/// `use custom_plugin::SimpleMagicLinkExt`.
///
/// ```
/// # async fn example(
/// #     auth: nanoauth::Auth<nanoauth::BasicUser, nanoauth::adapter::memory::MemoryAdapter<nanoauth::BasicUser>>,
/// #     token: &str,
/// # ) -> Result<(), nanoauth::Error> {
/// use custom_plugin::SimpleMagicLinkExt;
/// use nanoauth::{ClientInfo, SignInOutcome};
///
/// match auth.simple_magic_link().verify(token, ClientInfo::default()).await? {
///     SignInOutcome::SignedIn(signed_in) => {
///         println!("{} signed in", signed_in.user.email);
///         let bearer = signed_in.token.expose_secret(); // for the client only
/// #       let _ = bearer;
///     }
///     // Another plugin (two-factor) wants one more step first.
///     SignInOutcome::Challenge(_) => println!("one more step"),
/// }
/// # Ok(()) }
/// ```
pub trait SimpleMagicLinkExt<U: AuthUser, A: VerificationAdapter<U> + EmailVerificationAdapter<U>> {
    /// The exports of [`SimpleMagicLink`].
    fn simple_magic_link(&self) -> SimpleMagicLinkApi<'_, U, A>;
}

impl<U, A> SimpleMagicLinkExt<U, A> for Auth<U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    fn simple_magic_link(&self) -> SimpleMagicLinkApi<'_, U, A> {
        SimpleMagicLinkApi {
            auth: self,
            // Looked up once, here; endpoints are handed their plugin.
            plugin: self.plugin::<SimpleMagicLink>(),
        }
    }
}

/// The exports of [`SimpleMagicLink`], from
/// [`SimpleMagicLinkExt::simple_magic_link`].
#[derive(Debug)]
pub struct SimpleMagicLinkApi<'a, U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    auth: &'a Auth<U, A>,
    plugin: Option<Arc<SimpleMagicLink>>,
}

impl<U, A> SimpleMagicLinkApi<'_, U, A>
where
    U: AuthUser,
    A: VerificationAdapter<U> + EmailVerificationAdapter<U>,
{
    fn plugin(&self) -> Result<&SimpleMagicLink, Error> {
        self.plugin.as_deref().ok_or(Error::PluginNotEnabled(NAME))
    }

    /// Mails a sign-in link to `email` if it has an account; as the
    /// endpoint, the outcome is the same either way.
    ///
    /// # Errors
    /// [`Error::InvalidEmail`]; [`Error::PluginNotEnabled`] if the plugin
    /// was not added. Failures of the store or the mail server happen in
    /// the background and are reported as `Event::EmailNotSent`.
    pub async fn send(&self, email: &str) -> Result<(), Error> {
        self.plugin()?.send_link(self.auth, email).await
    }

    /// Consumes a link's token and signs its user in: the user, the stored
    /// session and the session token. Over HTTP the endpoint answers this
    /// with `Reply::signed_in`; called directly, hand the token to the
    /// client yourself (as a bearer token, or through
    /// `Auth::session_cookie`).
    ///
    /// # Errors
    /// [`Error::InvalidToken`] for an unknown, used or foreign token (or an
    /// address that no longer has an account), [`Error::TokenExpired`], a
    /// session guard's refusal, adapter failures,
    /// [`Error::PluginNotEnabled`].
    pub async fn verify(&self, token: &str, client: ClientInfo) -> Result<SignInOutcome<U>, Error> {
        self.plugin()?.sign_in(self.auth, token, client).await
    }

    /// How many sign-ins this plugin made since the `Auth` was built, as
    /// its `AfterSignIn` hook counted them.
    ///
    /// # Errors
    /// [`Error::PluginNotEnabled`].
    pub fn sign_ins(&self) -> Result<u64, Error> {
        Ok(self.plugin()?.sign_in_count())
    }
}
