//! `nanoauth purge`: what `Auth::purge_expired` deletes, from outside the
//! application: expired sessions, verification tokens and plugin records.

use nanoauth::{Adapter, Clock, RecordAdapter, SystemClock, VerificationAdapter};

use crate::database::connect;
use crate::error::CliError;

pub(crate) async fn run(url: &str) -> Result<(), CliError> {
    let adapter = connect(url, false).await?;
    let now = SystemClock.now();
    let sessions = adapter
        .purge_expired_sessions(now)
        .await
        .map_err(|error| CliError::database("purging sessions", &error))?;
    let verifications = adapter
        .purge_expired_verifications(now)
        .await
        .map_err(|error| CliError::database("purging verification tokens", &error))?;
    let records = adapter
        .purge_expired_records(now)
        .await
        .map_err(|error| CliError::database("purging plugin records", &error))?;
    println!("expired sessions deleted: {sessions}");
    println!("expired verification tokens deleted: {verifications}");
    println!("expired plugin records deleted: {records}");
    Ok(())
}
