//! sqlx errors as the core's `AdapterError`: who failed decides the answer.

use nanoauth::AdapterError;

/// Maps a driver error onto the variant that decides the HTTP answer:
/// unreachable database 503, unstorable input 400, uniqueness conflict,
/// anything else 500.
pub(crate) fn adapter_error(error: sqlx::Error) -> AdapterError {
    if is_unreachable(&error) {
        return AdapterError::Unavailable(Box::new(error));
    }
    match &error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            AdapterError::Unavailable(Box::new(error))
        }
        sqlx::Error::Encode(_) => AdapterError::InvalidInput(Box::new(error)),
        sqlx::Error::Database(db) if db.is_unique_violation() => AdapterError::Conflict,
        sqlx::Error::Database(db) if is_unstorable_input(db.code().as_deref()) => {
            AdapterError::InvalidInput(Box::new(error))
        }
        _ => AdapterError::Other(Box::new(error)),
    }
}

/// The database could not be reached, or is going away: the errors that
/// trip the pool's health flag. A pool that timed out is not among them: it
/// may only be busy.
pub(crate) fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => is_server_going_away(db.code().as_deref()),
        _ => false,
    }
}

/// Error codes that mean "this value cannot be stored", not "we broke".
fn is_unstorable_input(code: Option<&str>) -> bool {
    // SQLSTATE class 22, as PostgreSQL and MySQL report it: NUL or bad
    // encoding in text, value too long, number out of range.
    matches!(code, Some("22021" | "22P05" | "22001" | "22003"))
}

/// Error codes that mean "the server is going away or not taking
/// connections": a restart or an overload, answered 503 like an unreachable
/// server, not 500 like a bug.
fn is_server_going_away(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    // SQLSTATE class 08 (connection exception; MySQL's 08S01 included);
    // PostgreSQL's 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
    // connect now (starting or stopping), 53300 too many connections.
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}
