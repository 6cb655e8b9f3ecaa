//! The reactive session store: a value, and callbacks told when it changes.
//!
//! Plain `Arc<Mutex<..>>` and callbacks, with no async runtime, so the same
//! store works in a CLI, on a server, and in a browser (Leptos, Dioxus,
//! Yew...), where a callback typically sets the framework's own signal.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use crate::error::ClientError;
use crate::session::Session;

/// What the store holds: the session, whether a call is under way, and the
/// last call's error.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthState<U> {
    /// The signed-in user and their session, as of the last call that
    /// learned it; `None` when signed out or not yet known.
    pub session: Option<Session<U>>,
    /// `true` until the first answer about the session arrived (so a UI
    /// shows neither signed-in nor signed-out content before it knows),
    /// and while a call that changes or fetches the session is under way.
    pub is_loading: bool,
    /// The error of the last call that failed; cleared when the next call
    /// starts. A failed call leaves [`session`](Self::session) as it was.
    pub error: Option<ClientError>,
}

/// A callback that [`SessionStore::subscribe`] accepts: any
/// `Fn(&AuthState<U>)`, which must be `Send + Sync` on native targets (the
/// store may change on any thread) but not on `wasm32`, where UI
/// frameworks' handles are often `!Send`.
#[cfg(not(target_arch = "wasm32"))]
pub trait Listener<U>: Fn(&AuthState<U>) + Send + Sync + 'static {}
#[cfg(not(target_arch = "wasm32"))]
impl<U, F: Fn(&AuthState<U>) + Send + Sync + 'static> Listener<U> for F {}

/// A callback that [`SessionStore::subscribe`] accepts: any
/// `Fn(&AuthState<U>)`, which must be `Send + Sync` on native targets (the
/// store may change on any thread) but not on `wasm32`, where UI
/// frameworks' handles are often `!Send`.
#[cfg(target_arch = "wasm32")]
pub trait Listener<U>: Fn(&AuthState<U>) + 'static {}
#[cfg(target_arch = "wasm32")]
impl<U, F: Fn(&AuthState<U>) + 'static> Listener<U> for F {}

/// The client's session state, shared by every clone of the client.
///
/// [`AuthClient`](crate::AuthClient) updates it: each call that changes or
/// fetches the session marks it loading, then stores the session or the
/// error. Cloning the store is cheap and shares the state.
///
/// ```
/// # async fn example() -> Result<(), nanoauth_client::ClientError> {
/// use nanoauth_client::AuthClient;
///
/// let client = AuthClient::<serde_json::Value>::new("http://localhost:3000")?;
/// let subscription = client.store().subscribe(|state| match &state.session {
///     Some(session) => println!("signed in as {}", session.user["email"]),
///     None if state.is_loading => println!("..."),
///     None => println!("signed out"),
/// });
/// client.session().await?; // tells the subscriber
/// drop(subscription); // no more calls
/// # Ok(()) }
/// ```
pub struct SessionStore<U> {
    shared: Arc<Shared<U>>,
}

struct Shared<U> {
    inner: Mutex<Inner<U>>,
}

struct Inner<U> {
    state: AuthState<U>,
    /// Calls under way, so overlapping calls do not clear each other's
    /// loading flag.
    pending: usize,
    /// An answer about the session has arrived.
    known: bool,
    /// Counts sign-ins and sign-outs. A fetch that started before one of
    /// them is stale when it ends: its answer is not stored.
    epoch: u64,
    listeners: Vec<(u64, Arc<dyn Listener<U>>)>,
    next_id: u64,
    /// Some thread is running the callbacks; it will also deliver any
    /// change made meanwhile.
    notifying: bool,
    /// The state changed since the callbacks last saw it.
    dirty: bool,
}

impl<U> Clone for SessionStore<U> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<U> fmt::Debug for SessionStore<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.shared.lock();
        f.debug_struct("SessionStore")
            .field("signed_in", &inner.state.session.is_some())
            .field("is_loading", &inner.state.is_loading)
            .field("subscribers", &inner.listeners.len())
            .finish()
    }
}

impl<U: Clone> SessionStore<U> {
    pub(crate) fn new() -> Self {
        Self {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    state: AuthState {
                        session: None,
                        is_loading: true,
                        error: None,
                    },
                    pending: 0,
                    known: false,
                    epoch: 0,
                    listeners: Vec::new(),
                    next_id: 0,
                    notifying: false,
                    dirty: false,
                }),
            }),
        }
    }

    /// A copy of the current state.
    pub fn get(&self) -> AuthState<U> {
        self.shared.lock().state.clone()
    }

    /// Calls `listener` with the new state after every change, until the
    /// returned [`Subscription`] is dropped. It is not called with the
    /// current state: read that with [`get`](Self::get).
    ///
    /// Callbacks run on the thread that changed the state, one at a time
    /// and in order. They may call [`get`](Self::get), subscribe, or drop
    /// subscriptions. If the state changes again while they run, they are
    /// called once more with the latest state, so a fast succession of
    /// changes may be seen as one.
    pub fn subscribe(&self, listener: impl Listener<U>) -> Subscription<U> {
        let mut inner = self.shared.lock();
        let id = inner.next_id;
        inner.next_id += 1;
        inner.listeners.push((id, Arc::new(listener)));
        Subscription {
            store: Some(Arc::downgrade(&self.shared)),
            id,
        }
    }

    /// Marks a call as under way (and clears the last error) until the
    /// returned guard is finished or dropped.
    pub(crate) fn begin(&self, kind: Call) -> Pending<U> {
        // The guard exists first, so a callback that panics below still
        // ends the loading state as the guard unwinds.
        let mut pending = Pending {
            store: self.clone(),
            kind,
            epoch: 0,
            finished: false,
        };
        self.update(|inner| {
            pending.epoch = inner.epoch;
            inner.pending += 1;
            inner.state.is_loading = true;
            inner.state.error = None;
        });
        pending
    }

    fn update(&self, change: impl FnOnce(&mut Inner<U>)) {
        let mut inner = self.shared.lock();
        change(&mut inner);
        inner.dirty = true;
        if inner.notifying {
            // The thread delivering now picks this change up when it loops.
            return;
        }
        inner.notifying = true;
        // Resets `notifying` even if a callback panics, so the store keeps
        // delivering afterwards.
        let _reset = ResetNotifying(&self.shared);
        while inner.dirty {
            inner.dirty = false;
            let state = inner.state.clone();
            let listeners = inner.listeners.clone();
            drop(inner);
            for (id, listener) in listeners {
                // Skip a listener unsubscribed by an earlier callback.
                if self.shared.lock().listeners.iter().any(|(l, _)| *l == id) {
                    listener(&state);
                }
            }
            inner = self.shared.lock();
        }
        inner.notifying = false;
        // Unlocked before `_reset` locks again.
        drop(inner);
    }

    #[cfg(test)]
    fn subscriber_count(&self) -> usize {
        self.shared.lock().listeners.len()
    }
}

impl<U> Shared<U> {
    /// A callback that panicked while the lock was held cannot have left
    /// the state half-changed (callbacks run unlocked), so poisoning is
    /// ignored.
    fn lock(&self) -> MutexGuard<'_, Inner<U>> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct ResetNotifying<'a, U>(&'a Shared<U>);

impl<U> Drop for ResetNotifying<'_, U> {
    fn drop(&mut self) {
        self.0.lock().notifying = false;
    }
}

/// Keeps a [`SessionStore::subscribe`] callback subscribed; dropping it
/// unsubscribes.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription<U> {
    store: Option<Weak<Shared<U>>>,
    id: u64,
}

impl<U> Subscription<U> {
    /// Keeps the callback subscribed for as long as the store lives.
    pub fn detach(mut self) {
        self.store = None;
    }
}

impl<U> Drop for Subscription<U> {
    fn drop(&mut self) {
        if let Some(shared) = self.store.take().and_then(|store| store.upgrade()) {
            shared.lock().listeners.retain(|(id, _)| *id != self.id);
        }
    }
}

impl<U> fmt::Debug for Subscription<U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("detached", &self.store.is_none())
            .finish()
    }
}

/// What a call does to the session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Call {
    /// Reads it (`GET /session`).
    Fetch,
    /// Starts or ends one (sign-up, sign-in, sign-out).
    Change,
}

/// A call under way. Finish it with its outcome; dropping it unfinished
/// (the call's future was cancelled) only ends its loading state.
pub(crate) struct Pending<U: Clone> {
    store: SessionStore<U>,
    kind: Call,
    /// The store's epoch when the call began.
    epoch: u64,
    finished: bool,
}

impl<U: Clone> Pending<U> {
    /// The call learned the session (`None`: signed out). A fetch that a
    /// sign-in or sign-out overtook is not stored: its answer may predate
    /// them.
    pub(crate) fn succeed(mut self, session: Option<Session<U>>) {
        self.finished = true;
        let (kind, epoch) = (self.kind, self.epoch);
        self.store.update(|inner| {
            inner.pending = inner.pending.saturating_sub(1);
            match kind {
                Call::Change => inner.epoch += 1,
                Call::Fetch if inner.epoch != epoch => {
                    inner.state.is_loading = inner.is_loading();
                    return;
                }
                Call::Fetch => {}
            }
            inner.known = true;
            inner.state.session = session;
            inner.state.is_loading = inner.is_loading();
        });
    }

    /// The call ended without changing the session (a sign-in that asks
    /// for a second factor first, a two-factor enrolment confirmed): the
    /// session stays as it was, and so does what is known about it.
    pub(crate) fn unchanged(mut self) {
        self.finished = true;
        self.store.update(|inner| {
            inner.pending = inner.pending.saturating_sub(1);
            inner.state.is_loading = inner.is_loading();
        });
    }

    /// The call failed; the session stays as it was. A failed fetch is an
    /// answer too (the error), so it ends the initial loading state; a
    /// failed sign-in or sign-out says nothing about the current session.
    pub(crate) fn fail(mut self, error: ClientError) {
        self.finished = true;
        let (kind, epoch) = (self.kind, self.epoch);
        self.store.update(|inner| {
            inner.pending = inner.pending.saturating_sub(1);
            match kind {
                Call::Fetch if inner.epoch != epoch => {}
                Call::Fetch => {
                    inner.known = true;
                    inner.state.error = Some(error);
                }
                Call::Change => inner.state.error = Some(error),
            }
            inner.state.is_loading = inner.is_loading();
        });
    }
}

impl<U: Clone> Drop for Pending<U> {
    fn drop(&mut self) {
        if !self.finished {
            self.store.update(|inner| {
                inner.pending = inner.pending.saturating_sub(1);
                inner.state.is_loading = inner.is_loading();
            });
        }
    }
}

impl<U> Inner<U> {
    fn is_loading(&self) -> bool {
        !self.known || self.pending > 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    // On wasm32 listeners need not be `Send`, so neither are these Arcs.
    #![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::session::SessionInfo;

    fn session(name: &str) -> Session<String> {
        Session {
            user: name.to_owned(),
            session: SessionInfo {
                id: "s1".into(),
                user_id: "u1".into(),
                created_at: 1,
                updated_at: 1,
                expires_at: 2,
                ip_address: None,
                user_agent: None,
                attributes: serde_json::Map::new(),
            },
        }
    }

    type Seen = Arc<Mutex<Vec<AuthState<String>>>>;

    fn recorder(store: &SessionStore<String>) -> (Seen, Subscription<String>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let subscription = store.subscribe(move |state: &AuthState<String>| {
            sink.lock().unwrap().push(state.clone());
        });
        (seen, subscription)
    }

    #[test]
    fn loading_until_the_first_answer() {
        let store = SessionStore::<String>::new();
        let state = store.get();
        assert!(state.session.is_none() && state.error.is_none());
        assert!(state.is_loading, "nothing is known yet");

        // A failed sign-in says nothing about the current session.
        store.begin(Call::Change).fail(ClientError::SessionNotKept);
        assert!(store.get().is_loading);
        assert!(store.get().error.is_some());

        // A failed fetch is an answer.
        store.begin(Call::Fetch).fail(ClientError::SessionNotKept);
        let state = store.get();
        assert!(!state.is_loading && state.session.is_none() && state.error.is_some());
    }

    #[test]
    fn a_call_that_changes_nothing_keeps_the_session_and_the_error() {
        let store = SessionStore::new();
        store.begin(Call::Change).succeed(Some(session("ada")));
        let (seen, _subscription) = recorder(&store);
        store.begin(Call::Change).unchanged();
        let state = store.get();
        assert_eq!(state.session.unwrap().user, "ada");
        assert!(!state.is_loading && state.error.is_none());
        assert_eq!(seen.lock().unwrap().len(), 2, "loading, then done");

        // Before the first answer it stays loading: nothing was learned.
        let fresh = SessionStore::<String>::new();
        fresh.begin(Call::Change).unchanged();
        assert!(fresh.get().is_loading && fresh.get().session.is_none());
    }

    #[test]
    fn subscribers_see_loading_then_the_outcome() {
        let store = SessionStore::new();
        let (seen, _subscription) = recorder(&store);

        store.begin(Call::Change).succeed(Some(session("ada")));
        {
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert!(seen[0].is_loading && seen[0].session.is_none());
            assert!(!seen[1].is_loading);
            assert_eq!(seen[1].session.as_ref().unwrap().user, "ada");
        }
        assert_eq!(store.get().session.unwrap().user, "ada");

        // A failure keeps the session and records the error.
        store.begin(Call::Fetch).fail(ClientError::SessionNotKept);
        let state = store.get();
        assert_eq!(state.session.unwrap().user, "ada");
        assert!(matches!(state.error, Some(ClientError::SessionNotKept)));

        // The next call clears the error as it starts; signing out clears
        // the session.
        let pending = store.begin(Call::Change);
        assert!(store.get().error.is_none());
        pending.succeed(None);
        assert!(store.get().session.is_none());
        assert_eq!(seen.lock().unwrap().len(), 6);
    }

    #[test]
    fn dropping_the_subscription_unsubscribes() {
        let store = SessionStore::new();
        let (seen, subscription) = recorder(&store);
        let (other, _keep) = recorder(&store);
        assert_eq!(store.subscriber_count(), 2);
        drop(subscription);
        assert_eq!(store.subscriber_count(), 1);
        store.begin(Call::Fetch).succeed(None);
        assert!(seen.lock().unwrap().is_empty());
        assert_eq!(other.lock().unwrap().len(), 2);
    }

    #[test]
    fn detached_subscriptions_stay() {
        let store = SessionStore::new();
        let (seen, subscription) = recorder(&store);
        subscription.detach();
        store.begin(Call::Fetch).succeed(None);
        assert_eq!(seen.lock().unwrap().len(), 2);
        assert_eq!(store.subscriber_count(), 1);
    }

    #[test]
    fn a_subscription_may_outlive_its_store() {
        let store = SessionStore::<String>::new();
        let (_seen, subscription) = recorder(&store);
        drop(store);
        drop(subscription); // nothing to unsubscribe from; no panic
    }

    #[test]
    fn overlapping_calls_stay_loading_until_the_last_ends() {
        let store = SessionStore::<String>::new();
        let first = store.begin(Call::Fetch);
        let second = store.begin(Call::Fetch);
        first.succeed(None);
        assert!(store.get().is_loading);
        second.succeed(None);
        assert!(!store.get().is_loading);
    }

    #[test]
    fn a_fetch_overtaken_by_a_sign_in_or_out_is_not_stored() {
        let store = SessionStore::new();
        // GET /session is sent while signed in...
        store.begin(Call::Change).succeed(Some(session("ada")));
        let fetch = store.begin(Call::Fetch);
        // ...the user signs out before its answer arrives...
        store.begin(Call::Change).succeed(None);
        // ...and the answer, from before the sign-out, is dropped.
        fetch.succeed(Some(session("ada")));
        let state = store.get();
        assert!(state.session.is_none() && !state.is_loading);

        let fetch = store.begin(Call::Fetch);
        store.begin(Call::Change).succeed(Some(session("bob")));
        fetch.fail(ClientError::SessionNotKept);
        let state = store.get();
        assert_eq!(state.session.unwrap().user, "bob");
        assert!(state.error.is_none());

        // A fetch that began after them is stored.
        store.begin(Call::Fetch).succeed(None);
        assert!(store.get().session.is_none());
    }

    #[test]
    fn a_cancelled_call_ends_loading() {
        let store = SessionStore::new();
        store.begin(Call::Change).succeed(Some(session("ada")));
        let pending = store.begin(Call::Fetch);
        assert!(store.get().is_loading);
        drop(pending);
        let state = store.get();
        assert!(!state.is_loading);
        assert_eq!(state.session.unwrap().user, "ada");
    }

    #[test]
    fn callbacks_may_read_and_unsubscribe() {
        let store = SessionStore::<String>::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Mutex<Option<Subscription<String>>>> = Arc::new(Mutex::new(None));
        let (reader, own_slot, counter) = (store.clone(), Arc::clone(&slot), Arc::clone(&calls));
        let subscription = store.subscribe(move |_: &AuthState<String>| {
            let _ = reader.get(); // no deadlock
            counter.fetch_add(1, Ordering::SeqCst);
            own_slot.lock().unwrap().take(); // unsubscribes itself
        });
        *slot.lock().unwrap() = Some(subscription);
        store.begin(Call::Fetch).succeed(None);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(store.subscriber_count(), 0);
    }

    #[test]
    fn a_listener_unsubscribed_by_an_earlier_one_is_not_called() {
        let store = SessionStore::<String>::new();
        let late = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Mutex<Option<Subscription<String>>>> = Arc::new(Mutex::new(None));
        let first_slot = Arc::clone(&slot);
        let _first = store.subscribe(move |_: &AuthState<String>| {
            first_slot.lock().unwrap().take();
        });
        let counter = Arc::clone(&late);
        *slot.lock().unwrap() = Some(store.subscribe(move |_: &AuthState<String>| {
            counter.fetch_add(1, Ordering::SeqCst);
        }));
        let _pending = store.begin(Call::Fetch);
        assert_eq!(late.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn a_panicking_callback_does_not_stop_later_notifications() {
        let store = SessionStore::<String>::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let _subscription = store.subscribe(move |_: &AuthState<String>| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("first call fails");
            }
        });
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| store.begin(Call::Fetch)));
        assert!(result.is_err());
        store.begin(Call::Fetch).succeed(None);
        assert!(calls.load(Ordering::SeqCst) >= 2);
    }

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn the_store_is_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<SessionStore<String>>();
        assert_send_sync::<Subscription<String>>();

        let store = SessionStore::<String>::new();
        let (seen, _subscription) = recorder(&store);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || store.begin(Call::Fetch).succeed(None))
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        let state = store.get();
        assert!(!state.is_loading);
        // Every change was delivered, possibly several as one.
        let seen = seen.lock().unwrap();
        assert!(!seen.is_empty() && seen.len() <= 8);
        assert!(!seen.last().unwrap().is_loading);
    }
}
