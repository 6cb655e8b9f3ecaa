//! How Redis failures become [`AdapterError`]s.
//!
//! The split decides the answer a client gets: `Unavailable` is a 503 that a
//! client may retry, everything else is a 500 that needs a person.

use nanoauth::AdapterError;
use redis::{ErrorKind, RedisError, ServerErrorKind};

/// Maps a driver error: the server cannot be reached (refused, reset,
/// timed out) or is temporarily unable to serve (loading its data set,
/// failing over) is `Unavailable`; anything else is `Other`.
pub(crate) fn from_redis(error: RedisError) -> AdapterError {
    if is_unavailable(&error) {
        AdapterError::Unavailable(Box::new(error))
    } else {
        AdapterError::Other(Box::new(error))
    }
}

/// A stored value that does not decode. Nothing the client sent can cause
/// this, so it is a 500, never a 400.
pub(crate) fn corrupt(what: &str, error: impl std::fmt::Display) -> AdapterError {
    AdapterError::other(format!("unreadable {what} in Redis: {error}"))
}

/// The server cannot be reached or cannot serve right now: the errors that
/// answer 503 and trip the store's health flag.
pub(crate) fn is_unavailable(error: &RedisError) -> bool {
    // Timeouts, refused and dropped connections all arrive as I/O errors.
    error.is_io_error()
        || matches!(
            error.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::ClusterDown
                    | ServerErrorKind::MasterDown
                    // A write that reached a replica: a failover in progress.
                    | ServerErrorKind::ReadOnly
                    // Still redirected once a cluster command's attempts are
                    // spent: the slot's primary is down (the other nodes
                    // keep sending there until a replica takes over) or the
                    // slots are moving.
                    | ServerErrorKind::Moved
                    | ServerErrorKind::Ask
            ) | ErrorKind::ClusterConnectionNotFound
                | ErrorKind::MasterNameNotFoundBySentinel
                | ErrorKind::NoValidReplicasFoundBySentinel
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn unreachable_servers_are_unavailable() {
        for kind in [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::TimedOut,
            io::ErrorKind::UnexpectedEof,
        ] {
            let error = from_redis(RedisError::from(io::Error::from(kind)));
            assert!(
                matches!(error, AdapterError::Unavailable(_)),
                "{kind:?} gave {error:?}"
            );
            assert_eq!(error.status(), 503);
        }
    }

    #[test]
    fn other_failures_are_internal() {
        let error = from_redis(RedisError::from((ErrorKind::Client, "bad request")));
        assert!(matches!(error, AdapterError::Other(_)), "{error:?}");
        let error = from_redis(RedisError::from((
            ErrorKind::AuthenticationFailed,
            "wrong password",
        )));
        assert!(matches!(error, AdapterError::Other(_)), "{error:?}");
        let error = corrupt("session", "expected value at line 1");
        assert_eq!(error.status(), 500);
    }
}
