//! Purging what has expired: sessions, single-use tokens (links nobody
//! followed, decoys written for unknown addresses, abandoned OAuth states),
//! and what plugins purge of their own ([`Purge`]).
//!
//! Expired records are already refused wherever they are presented; purging
//! only reclaims their space, so that the tables and indexes every check
//! reads do not grow without bound. Call [`Auth::purge_expired`] from any
//! timer, or let `Auth::spawn_sweeper` (the `tokio` feature) run it.

use std::sync::Arc;

use crate::adapter::{Adapter, VerificationAdapter};
use crate::auth::Auth;
use crate::error::Error;
use crate::user::AuthUser;

#[cfg(feature = "tokio")]
pub use self::tokio_sweeper::Sweeper;

/// What [`Auth::purge_expired`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Purged {
    /// Expired sessions.
    pub sessions: u64,
    /// Expired single-use tokens, whatever their purpose.
    pub verifications: u64,
    /// What the plugins' own purges deleted ([`Plugin::purges`](crate::Plugin::purges)).
    pub plugins: u64,
}

type PurgeFn<U, A> = Arc<
    dyn Fn(Auth<U, A>, u64) -> crate::runtime::BoxFuture<'static, Result<u64, Error>> + Send + Sync,
>;

/// A plugin's purge of its own expired state, from
/// [`Plugin::purges`](crate::Plugin::purges): given the `Auth` and the
/// current time, it deletes what expired and says how much.
///
/// ```
/// use nanoauth::{Auth, BasicUser, Purge, RecordAdapter};
/// use nanoauth::adapter::memory::MemoryAdapter;
///
/// type A = MemoryAdapter<BasicUser>;
/// let purge = Purge::new(|auth: Auth<BasicUser, A>, now| async move {
///     Ok(auth.adapter().purge_expired_records(now).await?)
/// });
/// ```
pub struct Purge<U: AuthUser, A: Adapter<U>> {
    run: PurgeFn<U, A>,
}

impl<U: AuthUser, A: Adapter<U>> Purge<U, A> {
    /// A purge from an async function of the `Auth` and the time.
    pub fn new<F, Fut>(run: F) -> Self
    where
        F: Fn(Auth<U, A>, u64) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<u64, Error>> + Send + 'static,
    {
        Self {
            run: Arc::new(move |auth, now| Box::pin(run(auth, now))),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> Clone for Purge<U, A> {
    fn clone(&self) -> Self {
        Self {
            run: Arc::clone(&self.run),
        }
    }
}

impl<U: AuthUser, A: Adapter<U>> std::fmt::Debug for Purge<U, A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Purge(..)")
    }
}

impl<U: AuthUser, A: VerificationAdapter<U>> Auth<U, A> {
    /// Deletes the sessions and single-use tokens that expired at or
    /// before this `Auth`'s current time, through
    /// [`Adapter::purge_expired_sessions`](crate::Adapter::purge_expired_sessions)
    /// and [`VerificationAdapter::purge_expired_verifications`], then runs
    /// the plugins' own purges. Stores that expire records by themselves
    /// (Redis) may report zero.
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
        let mut plugins = 0u64;
        for purge in &self.registry().purges {
            plugins = plugins.saturating_add((purge.run)(self.clone(), now).await?);
        }
        Ok(Purged {
            sessions,
            verifications,
            plugins,
        })
    }
}

#[cfg(feature = "tokio")]
mod tokio_sweeper {
    use std::time::Duration;

    use tokio::runtime::{Handle, TryCurrentError};
    use tokio::time::MissedTickBehavior;

    use crate::adapter::VerificationAdapter;
    use crate::auth::Auth;
    use crate::plugin::events::Event;
    use crate::user::AuthUser;

    /// The shortest pause between two purges: each one is a full scan of
    /// the expiry indexes.
    const MIN_INTERVAL: Duration = Duration::from_secs(1);

    impl<U: AuthUser, A: VerificationAdapter<U>> Auth<U, A> {
        /// Runs [`purge_expired`](Self::purge_expired) now and then every
        /// `every` (at least a second), in a task on the current tokio
        /// runtime, until the returned [`Sweeper`] is dropped. A purge that
        /// fails is emitted as [`Event::PurgeFailed`] to the `OnError`
        /// listeners, and the next run tries again.
        ///
        /// ```
        /// use std::time::Duration;
        /// use nanoauth::{Auth, BasicUser, adapter::memory::MemoryAdapter};
        ///
        /// # #[tokio::main(flavor = "current_thread")]
        /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
        /// let auth = Auth::builder(MemoryAdapter::<BasicUser>::new())
        ///     .secret("a secret of at least thirty-two bytes!!")
        ///     .base_url("http://localhost:3000")
        ///     .build()?;
        /// // Keep it for as long as the application runs.
        /// let _sweeper = auth.spawn_sweeper(Duration::from_secs(10 * 60))?;
        /// # Ok(()) }
        /// ```
        ///
        /// # Errors
        /// Outside a tokio runtime, tokio's [`TryCurrentError`].
        pub fn spawn_sweeper(&self, every: Duration) -> Result<Sweeper, TryCurrentError> {
            let runtime = Handle::try_current()?;
            let auth = self.clone();
            let task = runtime.spawn(async move {
                let mut runs = tokio::time::interval(every.max(MIN_INTERVAL));
                // After a slow purge, the next one waits a full interval
                // rather than running back to back.
                runs.set_missed_tick_behavior(MissedTickBehavior::Delay);
                loop {
                    runs.tick().await;
                    if let Err(error) = auth.purge_expired().await {
                        // The store's own words, for the operator's log:
                        // no request is answered with them.
                        let error = std::error::Error::source(&error)
                            .map_or_else(|| error.to_string(), ToString::to_string);
                        auth.emit(Event::PurgeFailed { error }).await;
                    }
                }
            });
            Ok(Sweeper { task })
        }
    }

    /// The task of [`Auth::spawn_sweeper`]; it stops when this is dropped.
    #[derive(Debug)]
    #[must_use = "the sweeper stops when dropped"]
    pub struct Sweeper {
        task: tokio::task::JoinHandle<()>,
    }

    impl Drop for Sweeper {
        fn drop(&mut self) {
            self.task.abort();
        }
    }
}
