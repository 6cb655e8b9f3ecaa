//! The connection every command goes through: the multiplexed,
//! self-reconnecting connection, behind the store's health flag, so that
//! while Redis is down requests are answered 503 at once and one command at
//! a time checks whether it is back.

use std::sync::Arc;

use nanoauth::adapter::{Health, Probe};
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::{Cmd, Pipeline, RedisError, RedisFuture, RedisResult, Value};

use crate::error::is_unavailable;

/// A handle on the store's shared connection (cheap to clone: the manager
/// and the flag are shared).
#[derive(Clone)]
pub(crate) struct Connection {
    manager: ConnectionManager,
    health: Arc<Health>,
}

impl Connection {
    pub(crate) fn new(manager: ConnectionManager) -> Self {
        Self {
            manager,
            health: Arc::new(Health::new()),
        }
    }
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let probe = admit(&self.health)?;
            let result = self.manager.req_packed_command(cmd).await;
            observe(&self.health, probe, &result);
            result
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let probe = admit(&self.health)?;
            let result = self
                .manager
                .req_packed_commands(pipeline, offset, count)
                .await;
            observe(&self.health, probe, &result);
            result
        })
    }

    fn get_db(&self) -> i64 {
        self.manager.get_db()
    }
}

/// Lets a command through while Redis is up, or as the one probe while it
/// is down; refuses it at once otherwise.
fn admit(health: &Health) -> RedisResult<Option<Probe<'_>>> {
    if health.is_up() {
        return Ok(None);
    }
    health.probe().map(Some).ok_or_else(|| {
        RedisError::from(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Redis could not be reached a moment ago; another request is checking again",
        ))
    })
}

/// Any answer from the server, even an error reply, means it is reachable.
fn observe<T>(health: &Health, probe: Option<Probe<'_>>, result: &RedisResult<T>) {
    match result {
        Err(error) if is_unavailable(error) => health.trip(),
        _ => match probe {
            Some(probe) => probe.succeeded(),
            None => health.recover(),
        },
    }
}
