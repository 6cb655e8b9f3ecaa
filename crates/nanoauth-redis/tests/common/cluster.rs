//! A real Redis Cluster on loopback: three primaries (`redis-server
//! --cluster-enabled yes`, no persistence) in a temporary directory, joined
//! with `redis-cli --cluster create`, ready once every node reports
//! `cluster_state:ok`.
//!
//! Each node runs under a small shell that holds the read end of a pipe from
//! the test process: when the test process ends, however it ends, the pipe
//! closes and the shell stops its `redis-server`. So the shared cluster of
//! a test binary ([`shared`]) needs no destructor, and a [`Cluster`] of its
//! own stops its nodes when dropped. Directories left by earlier runs whose
//! test process is gone are removed (their servers stopped) on start.
//!
//! Needs `redis-server` and `redis-cli` (Debian: `redis-server`); without
//! them the tests are skipped, saying so, unless `NANOAUTH_TEST_REDIS_URL`
//! is set (CI), where that is a failure.

use std::io::Write as _;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use nanoauth::AdapterError;
use nanoauth_redis::RedisStore;
use nanoauth_testing::servers;

/// What each temporary directory of a cluster is called, before
/// `<test process id>-<first port>`.
const DIR_PREFIX: &str = "nanoauth-redis-cluster-";

/// Runs `redis-server` with the given arguments until its standard input
/// says `stop` (the test stops the node; it may start it again) or closes
/// (the test process is gone: the cluster's directory goes too).
const SUPERVISOR: &str = r#"redis-server "$@" &
pid=$!
read -r stop || stop=
kill "$pid" 2>/dev/null
wait "$pid"
[ -n "$stop" ] || rm -rf "$NANOAUTH_CLUSTER_DIR""#;

/// Three primaries on loopback that form one Redis Cluster.
#[derive(Debug)]
pub struct Cluster {
    pub ports: Vec<u16>,
    dir: PathBuf,
    nodes: Vec<Option<Node>>,
}

#[derive(Debug)]
struct Node {
    supervisor: Child,
    /// Closing it stops the node.
    stop: ChildStdin,
}

/// The cluster every test of this binary shares, started by the first
/// test that asks; `None` (after saying so) when the binaries are missing
/// and no Redis is required.
///
/// # Panics
/// When the cluster cannot be started although it could be (the binaries
/// are there), or is required and cannot be.
#[allow(clippy::panic)]
pub fn shared() -> Option<&'static Cluster> {
    static SHARED: OnceLock<Option<Cluster>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            if !installed() {
                return None;
            }
            match Cluster::start() {
                Ok(cluster) => Some(cluster),
                Err(error) => panic!("the Redis Cluster to test against: {error}"),
            }
        })
        .as_ref()
}

/// Whether `redis-server` and `redis-cli` are here; when not, says the
/// tests are skipped, or fails when Redis is required (CI).
#[allow(clippy::panic)]
pub fn installed() -> bool {
    let runs = |binary: &str| {
        Command::new(binary)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if runs("redis-server") && runs("redis-cli") {
        return true;
    }
    if servers::REDIS.is_required() {
        panic!("NANOAUTH_TEST_REDIS_URL is set, but redis-server and redis-cli are not installed");
    }
    servers::skip(
        "Redis Cluster",
        "redis-server and redis-cli are not installed (Debian: apt-get install redis-server)",
    );
    false
}

impl Cluster {
    /// Starts three nodes on free ports and joins them into a cluster.
    pub fn start() -> Result<Self, String> {
        remove_stale();
        let ports = free_ports(3)?;
        let dir =
            std::env::temp_dir().join(format!("{DIR_PREFIX}{}-{}", std::process::id(), ports[0]));
        let mut cluster = Self {
            ports: ports.clone(),
            dir,
            nodes: Vec::new(),
        };
        for port in &ports {
            let node = cluster.start_node(*port)?;
            cluster.nodes.push(Some(node));
        }
        for port in &ports {
            wait_for(&format!("node {port} to answer"), || {
                cli(*port, &["ping"]).is_ok_and(|answer| answer.trim() == "PONG")
            })?;
        }
        let nodes: Vec<String> = ports
            .iter()
            .map(|port| format!("127.0.0.1:{port}"))
            .collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&nodes)
            .args(["--cluster-replicas", "0", "--cluster-yes"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|error| format!("redis-cli --cluster create: {error}"))?;
        if !created.status.success() {
            return Err(format!(
                "redis-cli --cluster create: {}",
                String::from_utf8_lossy(&created.stderr)
            ));
        }
        cluster.wait_until_ok()?;
        Ok(cluster)
    }

    fn start_node(&self, port: u16) -> Result<Node, String> {
        let dir = self.dir.join(port.to_string());
        std::fs::create_dir_all(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let mut supervisor = Command::new("sh")
            .args(["-c", SUPERVISOR, "sh"])
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-config-file", &path("nodes.conf")])
            .args(["--cluster-node-timeout", "2000"])
            // A node down leaves the other nodes' slots served.
            .args(["--cluster-require-full-coverage", "no"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--dir", &path("")])
            .args(["--pidfile", &path("redis.pid")])
            .args(["--logfile", &path("redis.log")])
            .env("NANOAUTH_CLUSTER_DIR", &self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("redis-server on port {port}: {error}"))?;
        let stop = supervisor
            .stdin
            .take()
            .ok_or("no pipe to the node's supervisor")?;
        Ok(Node { supervisor, stop })
    }

    /// The node URLs, starting at the `first`th (so two stores can use
    /// different nodes for their subscriptions).
    pub fn urls_from(&self, first: usize) -> Vec<String> {
        (0..self.ports.len())
            .map(|i| {
                format!(
                    "redis://127.0.0.1:{}",
                    self.ports[(first + i) % self.ports.len()]
                )
            })
            .collect()
    }

    /// A store on this cluster under `prefix`, its seeds starting at the
    /// `first`th node.
    pub async fn store(&self, prefix: &str, first: usize) -> Result<RedisStore, AdapterError> {
        RedisStore::cluster_builder(self.urls_from(first))
            .prefix(prefix)
            .connect()
            .await
    }

    /// A plain connection to one node, for what lives there.
    pub async fn node(
        &self,
        port: u16,
    ) -> Result<redis::aio::MultiplexedConnection, Box<dyn std::error::Error>> {
        Ok(redis::Client::open(format!("redis://127.0.0.1:{port}"))?
            .get_multiplexed_async_connection()
            .await?)
    }

    /// A cluster connection of the test's own, for raw commands.
    pub async fn raw(
        &self,
    ) -> Result<redis::cluster_async::ClusterConnection, Box<dyn std::error::Error>> {
        Ok(redis::cluster::ClusterClient::new(self.urls_from(0))?
            .get_async_connection()
            .await?)
    }

    /// `CLUSTER KEYSLOT key`.
    pub fn slot_of(&self, key: &str) -> Result<u16, String> {
        cli(self.ports[0], &["cluster", "keyslot", key])?
            .trim()
            .parse()
            .map_err(|error| format!("CLUSTER KEYSLOT {key}: {error}"))
    }

    /// The port of the primary that holds `key`'s slot, as each node's own
    /// line of `CLUSTER NODES` says (`… myself,master … connected 0-5460`).
    pub fn owner_of(&self, key: &str) -> Result<u16, String> {
        let slot = self.slot_of(key)?;
        for port in &self.ports {
            let nodes = cli(*port, &["cluster", "nodes"])?;
            let Some(me) = nodes.lines().find(|line| line.contains("myself")) else {
                continue;
            };
            let serves = me.split_whitespace().skip(8).any(|range| {
                let (low, high) = range.split_once('-').unwrap_or((range, range));
                matches!(
                    (low.parse::<u16>(), high.parse::<u16>()),
                    (Ok(low), Ok(high)) if (low..=high).contains(&slot)
                )
            });
            if serves {
                return Ok(*port);
            }
        }
        Err(format!("no node serves slot {slot}"))
    }

    /// Every key under `prefix`, on every node, with the node that holds it.
    pub async fn keys_under(
        &self,
        prefix: &str,
    ) -> Result<Vec<(u16, String)>, Box<dyn std::error::Error>> {
        let pattern = format!("{}*", super::escape_glob(prefix));
        let mut keys = Vec::new();
        for port in &self.ports {
            let mut node = self.node(*port).await?;
            let mut cursor = 0u64;
            loop {
                let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut node)
                    .await?;
                keys.extend(batch.into_iter().map(|key| (*port, key)));
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        Ok(keys)
    }

    /// Checks that nothing under `prefix` was stored without an expiry, on
    /// any node, then deletes it all.
    pub async fn expire_check_and_delete(
        &self,
        prefix: &str,
    ) -> Result<(), Box<dyn std::error::Error>> {
        for (port, key) in self.keys_under(prefix).await? {
            let mut node = self.node(port).await?;
            let ttl: i64 = redis::cmd("TTL").arg(&key).query_async(&mut node).await?;
            // -2: expired between SCAN and TTL. -1 would be a key kept forever.
            if ttl == -1 {
                return Err(format!("{key} has no expiry").into());
            }
            redis::cmd("DEL")
                .arg(&key)
                .query_async::<()>(&mut node)
                .await?;
        }
        Ok(())
    }

    /// Stops the node on `port` (as a crash would: its data is gone).
    pub fn stop(&mut self, port: u16) -> Result<(), String> {
        let index = self.index_of(port)?;
        if let Some(node) = self.nodes[index].take() {
            node.stop();
        }
        Ok(())
    }

    /// Starts the node on `port` again, with its cluster configuration
    /// (same id, same slots), and waits until the cluster is whole.
    pub fn restart(&mut self, port: u16) -> Result<(), String> {
        let index = self.index_of(port)?;
        let node = self.start_node(port)?;
        self.nodes[index] = Some(node);
        self.wait_until_ok()
    }

    fn index_of(&self, port: u16) -> Result<usize, String> {
        self.ports
            .iter()
            .position(|p| *p == port)
            .ok_or_else(|| format!("no node on port {port}"))
    }

    fn wait_until_ok(&self) -> Result<(), String> {
        for port in &self.ports {
            wait_for(&format!("node {port} to report cluster_state:ok"), || {
                cli(*port, &["cluster", "info"]).is_ok_and(|info| info.contains("cluster_state:ok"))
            })?;
        }
        Ok(())
    }
}

impl Node {
    fn stop(mut self) {
        // Anything on the pipe, or its end, stops the server.
        let _ = self.stop.write_all(b"stop\n");
        drop(self.stop);
        let _ = self.supervisor.wait();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in self.nodes.drain(..).flatten() {
            node.stop();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `redis-cli -p <port> <args>`'s answer.
fn cli(port: u16, args: &[&str]) -> Result<String, String> {
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("redis-cli: {error}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!("redis-cli -p {port} {}: failed", args.join(" ")))
    }
}

fn wait_for(what: &str, ready: impl Fn() -> bool) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ready() {
        if Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// `count` ports whose cluster bus port (port + 10000) is free as well,
/// from a range whose bus ports, too, are below the kernel's ephemeral
/// ports (32768 and up), so no outgoing connection takes one meanwhile.
fn free_ports(count: usize) -> Result<Vec<u16>, String> {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let free = |port: u16| TcpListener::bind(("127.0.0.1", port)).is_ok();
    // Different test processes start from different places.
    let start = u16::try_from(std::process::id() % 997).unwrap_or(0) * 10;
    let mut ports = Vec::with_capacity(count);
    for _ in 0..12_000 {
        let offset = start.wrapping_add(NEXT.fetch_add(1, Ordering::Relaxed)) % 12_000;
        let port = 10_000 + offset;
        if free(port) && free(port + 10_000) {
            ports.push(port);
            if ports.len() == count {
                return Ok(ports);
            }
        }
    }
    Err("no free ports for a Redis Cluster".to_owned())
}

/// Removes the directories of clusters whose test process is gone,
/// stopping any server still running there. Only where `/proc` tells
/// which processes live (Linux); elsewhere leaves them.
fn remove_stale() {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(owner) = name
            .strip_prefix(DIR_PREFIX)
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        if owner.is_empty() || proc.join(owner).exists() {
            continue;
        }
        let Ok(nodes) = std::fs::read_dir(entry.path()) else {
            continue;
        };
        for node in nodes.flatten() {
            let pid = std::fs::read_to_string(node.path().join("redis.pid")).unwrap_or_default();
            let pid = pid.trim();
            let command = std::fs::read(proc.join(pid).join("cmdline")).unwrap_or_default();
            if !pid.is_empty() && String::from_utf8_lossy(&command).contains("redis-server") {
                let _ = Command::new("kill").arg(pid).status();
            }
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}
