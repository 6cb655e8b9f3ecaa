//! The account-ownership policy: what the proof of an email address does to
//! the account it belongs to.
//!
//! An account whose address has never been proven is *unclaimed*: anyone
//! could have created it with someone else's address (pre-account
//! hijacking). The first proof of the address by a route that means "let me
//! into my account" takes it over cleanly; a confirmation of the sign-up
//! keeps it as it is.

use crate::adapter::EmailVerificationAdapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::plugin::events::Event;
use crate::user::AuthUser;

/// How a person proved they hold an account's email address, which decides
/// what happens to an unclaimed account. See [`Auth::prove_email`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmailProof {
    /// A route that lets the person into the account: a magic link, a
    /// password reset, a provider that vouches for the address. An
    /// unclaimed account is taken over: every session is revoked, its
    /// password removed and its provider accounts unlinked, since whoever
    /// set them up never proved the address.
    SignIn,
    /// A confirmation of the account as it is: the verification link sent
    /// at sign-up ("if this wasn't you, ignore this mail"), or a provider
    /// vouching for the address of the account it has just created.
    /// Password, sessions and links are kept.
    Confirmation,
}

impl<U: AuthUser, A: EmailVerificationAdapter<U>> Auth<U, A> {
    /// Records that the person holds `user`'s address, applying the
    /// account-ownership policy: a [`SignIn`](EmailProof::SignIn) proof of
    /// an unclaimed account takes it over (atomically in the adapter, then
    /// its sessions are revoked, from the session cache too, and
    /// [`Event::AccountClaimed`] is emitted); every proof marks the address
    /// verified and emits [`Event::EmailProven`]. Returns whether the
    /// account was taken over.
    ///
    /// Every plugin that proves an address calls this, before it creates a
    /// session, so the new session is the only one left.
    ///
    /// ```
    /// # async fn example(
    /// #     auth: nanoauth::Auth<nanoauth::BasicUser, nanoauth::adapter::memory::MemoryAdapter<nanoauth::BasicUser>>,
    /// #     user: nanoauth::BasicUser,
    /// # ) -> Result<(), nanoauth::Error> {
    /// use nanoauth::EmailProof;
    /// // The person followed a sign-in link sent to the user's address.
    /// let taken_over = auth.prove_email(&user, EmailProof::SignIn).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Adapter failures; nothing is half-done by the adapter's step.
    pub async fn prove_email(&self, user: &U, proof: EmailProof) -> Result<bool, Error> {
        let claimed = match proof {
            EmailProof::SignIn => self.adapter().claim_email(user.id()).await?,
            EmailProof::Confirmation => {
                self.adapter().set_email_verified(user.id()).await?;
                false
            }
        };
        if claimed {
            self.revoke_user_sessions(user.id(), None).await?;
            self.emit(Event::AccountClaimed { user: user.clone() })
                .await;
        }
        self.emit(Event::EmailProven { user: user.clone() }).await;
        Ok(claimed)
    }
}
