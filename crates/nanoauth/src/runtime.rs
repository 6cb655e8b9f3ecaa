//! Where blocking work runs, without tying the core to one async runtime.
//!
//! Password hashing takes tens of milliseconds of CPU. Run on an executor's
//! worker thread it would stall every other request on that thread, so the
//! core hands it to an [`Offload`]. The tokio implementation sits behind the
//! `tokio` feature; builds without it (e.g. `wasm32-unknown-unknown`) choose
//! another.

mod low_priority;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future, as endpoint handlers and listeners return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A blocking job handed to an [`Offload`].
pub type BlockingJob = Box<dyn FnOnce() + Send + 'static>;

/// Runs blocking jobs away from the async executor's worker threads.
///
/// ```
/// use nanoauth::{BlockingJob, Offload};
///
/// /// Runs every job on a fresh OS thread.
/// #[derive(Debug)]
/// struct Threads;
///
/// impl Offload for Threads {
///     fn spawn_blocking(&self, job: BlockingJob) {
///         std::thread::spawn(job);
///     }
/// }
/// ```
pub trait Offload: Send + Sync + std::fmt::Debug + 'static {
    /// Starts `job` somewhere it may block. The job reports its own result,
    /// so dropping it unrun is seen by the caller as a cancelled job.
    fn spawn_blocking(&self, job: BlockingJob);

    /// Starts CPU-bound `job` where it may wait behind interactive work:
    /// password hashing, which should not stretch the latency of session
    /// checks answered meanwhile. The default is
    /// [`spawn_blocking`](Self::spawn_blocking); [`TokioOffload`] and
    /// [`ThreadOffload`] run such jobs on a few threads of their own, at a
    /// lower scheduling priority on Linux (`nice` 10), so that the cores go
    /// to request handling first and to hashing whenever they are free.
    fn spawn_low_priority(&self, job: BlockingJob) {
        self.spawn_blocking(job);
    }

    /// Runs `task` in the background, detached from the request that
    /// started it, or hands it back when this host cannot; the caller then
    /// awaits it itself. The default hands every task back.
    ///
    /// Mail goes out this way, so that answering "we sent a link" takes as
    /// long whether or not there was an account to send it to.
    ///
    /// # Errors
    /// The task itself, unrun, when it cannot be spawned here.
    fn spawn(&self, task: BoxFuture<'static, ()>) -> Result<(), BoxFuture<'static, ()>> {
        Err(task)
    }
}

/// The blocking job never ran to completion (its thread pool shut down or
/// the job panicked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobCancelled;

impl std::fmt::Display for JobCancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("blocking job did not complete")
    }
}

impl std::error::Error for JobCancelled {}

/// Runs `work` through `offload` and waits for its result.
///
/// # Errors
/// [`JobCancelled`] when the job was dropped or panicked.
pub async fn run_blocking<T, F>(offload: &dyn Offload, work: F) -> Result<T, JobCancelled>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    run_with(work, |job| offload.spawn_blocking(job)).await
}

/// Runs CPU-bound `work` through `offload` at low priority
/// ([`Offload::spawn_low_priority`]) and waits for its result.
///
/// ```
/// # async fn example() -> Result<(), nanoauth::JobCancelled> {
/// use nanoauth::{TokioOffload, run_low_priority};
///
/// let sum = run_low_priority(&TokioOffload, || (1..=1000u64).sum::<u64>()).await?;
/// assert_eq!(sum, 500_500);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
/// [`JobCancelled`] when the job was dropped or panicked.
pub async fn run_low_priority<T, F>(offload: &dyn Offload, work: F) -> Result<T, JobCancelled>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    run_with(work, |job| offload.spawn_low_priority(job)).await
}

/// `work` handed over as a job by `spawn`, and its result awaited.
async fn run_with<T, F>(work: F, spawn: impl FnOnce(BlockingJob)) -> Result<T, JobCancelled>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (sender, receiver) = futures_channel::oneshot::channel();
    spawn(Box::new(move || {
        // The receiver may be gone if the request was dropped; nothing to do then.
        let _ = sender.send(work());
    }));
    receiver.await.map_err(|_| JobCancelled)
}

/// Runs jobs on tokio's blocking thread pool, or on a plain thread when
/// called outside a tokio runtime.
#[cfg(feature = "tokio")]
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioOffload;

#[cfg(feature = "tokio")]
impl Offload for TokioOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn_blocking(job);
            }
            Err(_) => {
                std::thread::spawn(job);
            }
        }
    }
    fn spawn_low_priority(&self, job: BlockingJob) {
        low_priority::threads().spawn(job);
    }
    fn spawn(&self, task: BoxFuture<'static, ()>) -> Result<(), BoxFuture<'static, ()>> {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(task);
                Ok(())
            }
            Err(_) => Err(task),
        }
    }
}

/// Runs each job on a new OS thread. The default without the `tokio` feature
/// on targets that have threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadOffload;

impl Offload for ThreadOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        std::thread::spawn(job);
    }
    fn spawn_low_priority(&self, job: BlockingJob) {
        low_priority::threads().spawn(job);
    }
}

/// Runs each job immediately on the calling thread.
///
/// # Security
/// This blocks the async task for the whole hash. Only for single-threaded
/// hosts without threads (such as `wasm32-unknown-unknown` workers), where
/// there is nowhere else to run it.
#[derive(Debug, Clone, Copy, Default)]
pub struct InlineOffload;

impl Offload for InlineOffload {
    fn spawn_blocking(&self, job: BlockingJob) {
        job();
    }
}

/// The offload used when the application does not choose one.
pub(crate) fn default_offload() -> Arc<dyn Offload> {
    #[cfg(feature = "tokio")]
    {
        Arc::new(TokioOffload)
    }
    #[cfg(all(not(feature = "tokio"), target_family = "wasm"))]
    {
        Arc::new(InlineOffload)
    }
    #[cfg(all(not(feature = "tokio"), not(target_family = "wasm")))]
    {
        Arc::new(ThreadOffload)
    }
}
