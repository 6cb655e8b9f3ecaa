//! Threads for CPU-bound jobs that may wait behind request handling
//! (password hashing), at a lower scheduling priority on Linux.
//!
//! Why threads of their own rather than tokio's blocking pool: a thread's
//! priority can be lowered but, without privileges, never raised again, so
//! lowering the priority of a shared pool's thread would slow whatever else
//! later runs on it. These threads only ever run low-priority jobs.
//!
//! Why one pool per process: the priority is the host's to share between
//! its jobs, and the number of threads follows the jobs running at once,
//! which the callers bound (the email/password plugin runs at most one
//! hash per slot), not the number of `Auth` values.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use super::BlockingJob;

/// How much lower than request handling the jobs run: `nice` 10 weighs a
/// thread about a tenth of a default one when both want the same core, and
/// changes nothing when the core is otherwise idle.
#[cfg(target_os = "linux")]
const NICENESS: i32 = 10;

/// The process's low-priority threads.
pub(super) fn threads() -> &'static LowPriorityThreads {
    static THREADS: OnceLock<LowPriorityThreads> = OnceLock::new();
    THREADS.get_or_init(LowPriorityThreads::default)
}

/// Jobs waiting, and threads waiting for jobs.
#[derive(Default)]
pub(super) struct LowPriorityThreads {
    state: Mutex<State>,
    job_ready: Condvar,
}

#[derive(Default)]
struct State {
    jobs: VecDeque<BlockingJob>,
    /// Threads blocked waiting for a job.
    idle: usize,
}

impl LowPriorityThreads {
    /// Queues `job` and makes sure a thread will take it: a waiting one,
    /// or a new one when every thread is busy (so as many jobs run at once
    /// as are handed over at once).
    pub(super) fn spawn(&'static self, job: BlockingJob) {
        let mut state = self.lock();
        state.jobs.push_back(job);
        // A woken thread counts as idle until it has taken its job, so
        // jobs beyond the idle threads need threads of their own.
        let needs_thread = state.jobs.len() > state.idle;
        drop(state);
        if needs_thread {
            // Without a new thread (resource limits) the job waits for a
            // busy thread to finish instead of being lost.
            let _ = std::thread::Builder::new()
                .name("nanoauth-low-priority".into())
                .spawn(move || self.work());
        }
        self.job_ready.notify_one();
    }

    /// A thread's life: lower its priority once, then run jobs as they come.
    fn work(&self) {
        #[cfg(target_os = "linux")]
        {
            // Linux applies `nice` to the calling thread only. A failure
            // leaves the thread at normal priority, which is still correct.
            let _ = rustix::process::nice(NICENESS);
        }
        let mut state = self.lock();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                drop(state);
                // A panicking job drops its result sender (its caller sees
                // a cancelled job) and ends this thread; the next job
                // handed over starts a new one if none is idle.
                job();
                state = self.lock();
                continue;
            }
            state.idle += 1;
            state = self
                .job_ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.idle -= 1;
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A job runs with the lock released, so a poisoned lock only means
        // a panic between two queue operations, which leaves it consistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for LowPriorityThreads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("LowPriorityThreads")
            .field("jobs", &state.jobs.len())
            .field("idle", &state.idle)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// Jobs handed over together run together (a thread each), and every
    /// one runs.
    #[test]
    fn concurrent_jobs_get_threads_of_their_own() {
        let (started, seen) = mpsc::channel();
        let (release, gate) = mpsc::channel::<()>();
        let gate = std::sync::Arc::new(Mutex::new(gate));
        for n in 0..3 {
            let started = started.clone();
            let gate = std::sync::Arc::clone(&gate);
            threads().spawn(Box::new(move || {
                let _ = started.send(n);
                // Holds its thread until the test releases it.
                let _ = gate
                    .lock()
                    .map(|gate| gate.recv_timeout(Duration::from_secs(30)));
            }));
        }
        let mut ran: Vec<i32> = (0..3)
            .filter_map(|_| seen.recv_timeout(Duration::from_secs(5)).ok())
            .collect();
        ran.sort_unstable();
        for _ in 0..3 {
            let _ = release.send(());
        }
        // All three started while none had finished: a thread each.
        assert_eq!(ran, [0, 1, 2]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_threads_run_at_a_lower_priority() {
        let (sender, niceness) = mpsc::channel();
        threads().spawn(Box::new(move || {
            // `nice(0)` changes nothing and answers the current value.
            let _ = sender.send(rustix::process::nice(0).ok());
        }));
        let found = niceness.recv_timeout(Duration::from_secs(5)).ok().flatten();
        let ours = rustix::process::nice(0).ok();
        assert!(
            matches!((found, ours), (Some(found), Some(ours)) if found > ours),
            "job at {found:?}, test thread at {ours:?}"
        );
    }
}
