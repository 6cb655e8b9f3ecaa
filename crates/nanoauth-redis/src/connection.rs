//! The connection every command goes through: the multiplexed,
//! self-reconnecting connection (to one server, or to every primary of a
//! Redis Cluster), behind the store's health flag, so that while Redis is
//! down requests are answered 503 at once and one command at a time checks
//! whether it is back.

use std::sync::Arc;

use nanoauth::adapter::{Health, Probe};
use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{Cmd, FromRedisValue, Pipeline, RedisError, RedisFuture, RedisResult, Value};

use crate::error::is_unavailable;

/// A handle on the store's shared connection (cheap to clone: the manager
/// and the flag are shared).
#[derive(Clone)]
pub(crate) struct Connection {
    manager: Manager,
    health: Arc<Health>,
}

/// One server (or a primary with replicas behind it), or a Redis Cluster:
/// both reconnect by themselves; the cluster one also follows the slots as
/// they move and fail over.
#[derive(Clone)]
enum Manager {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl Connection {
    pub(crate) fn single(manager: ConnectionManager) -> Self {
        Self::new(Manager::Single(manager))
    }

    pub(crate) fn cluster(connection: ClusterConnection) -> Self {
        Self::new(Manager::Cluster(connection))
    }

    fn new(manager: Manager) -> Self {
        Self {
            manager,
            health: Arc::new(Health::new()),
        }
    }

    /// Runs `cmd`, which names no key (`SCAN`), on the primary that holds
    /// `key`'s slot; on a single server, simply on it.
    pub(crate) async fn query_where<T: FromRedisValue>(
        &mut self,
        cmd: &Cmd,
        key: &str,
    ) -> RedisResult<T> {
        let Manager::Cluster(cluster) = &mut self.manager else {
            return cmd.query_async(self).await;
        };
        let probe = admit(&self.health)?;
        let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(
            Route::with_key(key, SlotAddr::Master),
        ));
        let result = cluster.route_command(cmd.clone(), routing).await;
        observe(&self.health, probe, &result);
        Ok(redis::from_redis_value(result?)?)
    }
}

impl ConnectionLike for Manager {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(manager) => manager.req_packed_command(cmd),
            Self::Cluster(cluster) => cluster.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(manager) => manager.req_packed_commands(pipeline, offset, count),
            Self::Cluster(cluster) => cluster.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(manager) => manager.get_db(),
            Self::Cluster(cluster) => cluster.get_db(),
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
