//! Purging what has expired: sessions, and single-use tokens (links nobody
//! followed, decoys written for unknown addresses, abandoned OAuth states).
//!
//! Expired records are already refused wherever they are presented; purging
//! only reclaims their space, so that the tables and indexes every check
//! reads do not grow without bound. Call [`Auth::purge_expired`] from any
//! timer, or let `Auth::spawn_sweeper` (the `tokio` feature) run it.

use crate::adapter::VerificationAdapter;
use crate::auth::Auth;
use crate::error::Error;
use crate::user::AuthUser;

/// What [`Auth::purge_expired`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Purged {
    /// Expired sessions.
    pub sessions: u64,
    /// Expired single-use tokens, whatever their purpose.
    pub verifications: u64,
}

impl<U: AuthUser, A: VerificationAdapter<U>> Auth<U, A> {
    /// Deletes the sessions and single-use tokens that expired at or
    /// before this `Auth`'s current time, through
    /// [`Adapter::purge_expired_sessions`](crate::Adapter::purge_expired_sessions)
    /// and [`VerificationAdapter::purge_expired_verifications`]. Stores that
    /// expire records by themselves (Redis) may report zero.
    ///
    /// Run it every few minutes: from your runtime's timer, a cron job or a
    /// scheduled worker, or with `spawn_sweeper` on tokio.
    ///
    /// ```
    /// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
    ///     .secret("a secret of at least thirty-two bytes!!")
    ///     .base_url("http://localhost:3000")
    ///     .build()?;
    /// let purged = auth.purge_expired().await?;
    /// assert_eq!((purged.sessions, purged.verifications), (0, 0));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Adapter failures; what one call did not purge, the next one does.
    pub async fn purge_expired(&self) -> Result<Purged, Error> {
        let now = self.now();
        let sessions = self.adapter().purge_expired_sessions(now).await?;
        let verifications = self.adapter().purge_expired_verifications(now).await?;
        Ok(Purged {
            sessions,
            verifications,
        })
    }
}
