//! `--redis-url`: one server's URL, or the nodes of a Redis Cluster,
//! comma-separated.

use nanoauth_redis::{RedisStore, RedisStoreBuilder};

/// A store builder for `--redis-url`: `redis://host:6379` is one server
/// (a primary); `redis://a:6379,redis://b:6379,…` are nodes of a Redis
/// Cluster (one of them reachable is enough to find the rest).
pub(crate) fn redis_builder(url: &str) -> RedisStoreBuilder {
    let nodes: Vec<&str> = url
        .split(',')
        .map(str::trim)
        .filter(|node| !node.is_empty())
        .collect();
    match nodes.as_slice() {
        [one] => RedisStore::builder(*one),
        _ => RedisStore::cluster_builder(nodes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_cluster(url: &str) -> bool {
        // Not connected: only the builder's own description is read.
        format!("{:?}", redis_builder(url)).contains("cluster: true")
    }

    #[test]
    fn one_url_is_a_server_several_are_a_cluster() {
        assert!(!is_cluster("redis://127.0.0.1:6379"));
        assert!(!is_cluster(" redis://127.0.0.1:6379/1 , "));
        assert!(is_cluster("redis://10.0.0.1:7000,redis://10.0.0.2:7000"));
        assert!(is_cluster("redis://a:1, redis://b:2 ,redis://c:3"));
    }
}
