//! Growth: `Auth::get_session` latency with 1k, 100k and (optionally) 1M
//! users and sessions in SQLite and PostgreSQL, and the ratio largest /
//! smallest. Indexed lookups should keep it nearly flat.
//!
//! ```text
//! NANOAUTH_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//! NANOAUTH_BENCH_GROWTH_SIZES=1000,100000,1000000 \
//!   cargo bench -p nanoauth-sqlx --bench growth
//! ```
//! Sizes default to `1000,100000` (1M takes a minute or two to seed);
//! `NANOAUTH_BENCH_GROWTH_BACKENDS=sqlite` or `=postgres` runs one backend.
//! PostgreSQL is skipped, with a note, when its URL is unset; each size gets
//! its own schema there (`nanoauth_growth_<n>`), dropped afterwards.
//!
//! The tables are seeded with bulk SQL (a recursive CTE in SQLite,
//! `generate_series` in PostgreSQL), one session per user, with scattered
//! keys so the indexes grow as they would with random ids. The measured
//! sessions are then created through `Auth::create_session` for 256 users
//! spread over the table, and looked up in turn (15 batches of at least
//! 200 ms; median, min and max of their per-call means): each call is one
//! `get_session` (token verification, session by hash, user by id) on one
//! task, so it is latency, not throughput. The rows are hot in the database's
//! cache after warm-up, as a busy server's recent sessions would be.
//!
//! A custom harness (not criterion) so that one table with the ratio can be
//! printed at the end.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderValue};
use nanoauth::{Adapter, Auth, BasicUser, ClientInfo};
use nanoauth_sqlx::SqlAdapter;

/// Ids are `u` + `(i * MULTIPLIER) mod PRIME`, zero-padded: a bijection on
/// 1..PRIME, so ids are unique, scattered in insertion order, and computable
/// here for any `i`.
const MULTIPLIER: i64 = 2_654_435_761;
const PRIME: i64 = 1_000_000_007;
const COOKIES: usize = 256;
const BATCHES: usize = 15;
/// Each batch runs for at least this long (and at least three calls), so a
/// lookup that degrades to a table scan still ends in reasonable time.
const BATCH_TIME: Duration = Duration::from_millis(200);

fn user_id(i: i64) -> String {
    format!("u{:012}", (i * MULTIPLIER) % PRIME)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

struct Row {
    backend: &'static str,
    size: i64,
    seed: Duration,
    median_us: f64,
    min_us: f64,
    max_us: f64,
}

fn seed_sql(backend: Backend, n: i64, now: u64) -> Vec<String> {
    let expires = now + 30 * 24 * 3600;
    match backend {
        Backend::Sqlite => vec![
            format!(
                "INSERT INTO users (id, email, name) \
                 WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n}) \
                 SELECT printf('u%012d', (i * {MULTIPLIER}) % {PRIME}), \
                        'user' || i || '@example.com', 'User ' || i FROM seq"
            ),
            format!(
                "INSERT INTO sessions (token_hash, id, user_id, created_at, updated_at, expires_at, \
                                       ip_address, user_agent) \
                 SELECT lower(hex(randomblob(32))), 's' || substr(id, 2), id, {now}, {now}, \
                        {expires}, '127.0.0.1', 'seed' FROM users"
            ),
            "ANALYZE".to_owned(),
        ],
        Backend::Postgres => vec![
            format!(
                "INSERT INTO users (id, email, name) \
                 SELECT 'u' || lpad((((i::bigint) * {MULTIPLIER}) % {PRIME})::text, 12, '0'), \
                        'user' || i || '@example.com', 'User ' || i \
                 FROM generate_series(1, {n}) AS i"
            ),
            format!(
                "INSERT INTO sessions (token_hash, id, user_id, created_at, updated_at, expires_at, \
                                       ip_address, user_agent) \
                 SELECT md5(id) || md5(id || 'x'), 's' || substr(id, 2), id, {now}, {now}, \
                        {expires}, '127.0.0.1', 'seed' FROM users"
            ),
            "ANALYZE".to_owned(),
        ],
    }
}

async fn measure(backend: Backend, url: &str, n: i64) -> Row {
    let adapter = SqlAdapter::<BasicUser>::connect(url).await.unwrap();
    adapter.migrate().await.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let started = Instant::now();
    for statement in seed_sql(backend, n, now) {
        adapter.execute_unprepared(&statement).await.unwrap();
    }
    let seed = started.elapsed();

    let auth = Auth::builder(adapter)
        .secret("benchmark secret, thirty-two bytes or more")
        .base_url("http://localhost:3000")
        .build()
        .unwrap();
    let mut cookies = Vec::with_capacity(COOKIES);
    let step = (n / COOKIES as i64).max(1);
    for k in 0..COOKIES as i64 {
        let i = 1 + (k * step) % n;
        let user = auth.adapter().get_user(&user_id(i)).await.unwrap();
        let user = user.unwrap_or_else(|| panic!("seeded user {i} is missing"));
        let signed = auth
            .create_session(
                user,
                ClientInfo::default(),
                nanoauth::SignInMethod::new("test"),
            )
            .await
            .unwrap()
            .signed_in()
            .expect("no second factor here");
        let mut headers = HeaderMap::new();
        let cookie = format!("{}={}", auth.cookie_name(), signed.token.expose_secret());
        headers.insert(
            http::header::COOKIE,
            HeaderValue::from_str(&cookie).unwrap(),
        );
        cookies.push(headers);
    }

    let lookup = |index: usize| {
        let headers = &cookies[index % COOKIES];
        let auth = &auth;
        async move {
            let session = auth.get_session_from_headers(headers).await.unwrap();
            assert!(session.is_some(), "a benchmark session was not found");
        }
    };
    // Warm-up: a second of lookups.
    let warm = Instant::now();
    let mut calls = 0;
    while warm.elapsed() < Duration::from_secs(1) {
        lookup(calls).await;
        calls += 1;
    }
    let mut per_call = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        let mut batch_calls = 0;
        while batch_calls < 3 || started.elapsed() < BATCH_TIME {
            lookup(calls).await;
            calls += 1;
            batch_calls += 1;
        }
        per_call.push(started.elapsed().as_secs_f64() * 1e6 / f64::from(batch_calls));
    }
    per_call.sort_by(f64::total_cmp);
    Row {
        backend: match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        },
        size: n,
        seed,
        median_us: per_call[BATCHES / 2],
        min_us: per_call[0],
        max_us: per_call[BATCHES - 1],
    }
}

async fn sqlite(n: i64) -> Row {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("nanoauth-growth-{}-{n}.db", std::process::id()));
    let row = measure(Backend::Sqlite, &format!("sqlite://{}", path.display()), n).await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    row
}

async fn postgres(base_url: &str, n: i64) -> Row {
    let schema = format!("nanoauth_growth_{n}");
    let admin = SqlAdapter::<BasicUser>::connect(base_url).await.unwrap();
    admin
        .execute_unprepared(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .await
        .unwrap();
    let separator = if base_url.contains('?') { '&' } else { '?' };
    let url = format!("{base_url}{separator}options=-csearch_path%3D{schema}");
    let row = measure(Backend::Postgres, &url, n).await;
    admin
        .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
        .await
        .unwrap();
    row
}

fn main() {
    // `cargo test --benches` runs bench targets with no `--bench`: nothing
    // to check here, and seeding a million rows is no test.
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("growth: run with `cargo bench` (skipped)");
        return;
    }
    let sizes: Vec<i64> = std::env::var("NANOAUTH_BENCH_GROWTH_SIZES")
        .unwrap_or_else(|_| "1000,100000".to_owned())
        .split(',')
        .map(|size| size.trim().parse().expect("sizes are whole numbers"))
        .collect();
    assert!(
        sizes.iter().all(|&n| n > 0 && n < PRIME),
        "sizes must be between 1 and {PRIME}"
    );
    let backends = std::env::var("NANOAUTH_BENCH_GROWTH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,postgres".to_owned());
    let postgres_url = std::env::var("NANOAUTH_TEST_POSTGRES_URL").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    if backends.contains("sqlite") {
        for &n in &sizes {
            let row = runtime.block_on(sqlite(n));
            print_row(&row);
            rows.push(row);
        }
    }
    match &postgres_url {
        _ if !backends.contains("postgres") => {}
        Some(url) => {
            for &n in &sizes {
                let row = runtime.block_on(postgres(url, n));
                print_row(&row);
                rows.push(row);
            }
        }
        None => println!("skipping PostgreSQL: NANOAUTH_TEST_POSTGRES_URL is not set"),
    }

    println!();
    println!("| backend | users = sessions | get_session median (min–max) | seeded in |");
    println!("|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {:.1} µs ({:.1}–{:.1}) | {:.1} s |",
            row.backend,
            row.size,
            row.median_us,
            row.min_us,
            row.max_us,
            row.seed.as_secs_f64()
        );
    }
    for backend in ["SQLite", "PostgreSQL"] {
        let of: Vec<&Row> = rows.iter().filter(|row| row.backend == backend).collect();
        if let (Some(small), Some(large)) = (of.first(), of.last())
            && of.len() > 1
        {
            println!(
                "{backend}: {} / {} = {:.2}× (medians)",
                large.size,
                small.size,
                large.median_us / small.median_us
            );
        }
    }
}

fn print_row(row: &Row) {
    eprintln!(
        "growth/{}/{}: median {:.1} µs ({:.1}–{:.1}), seeded in {:.1} s",
        row.backend,
        row.size,
        row.median_us,
        row.min_us,
        row.max_us,
        row.seed.as_secs_f64()
    );
}
