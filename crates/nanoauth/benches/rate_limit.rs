//! The memory rate-limit store: a hit on a fresh key (an attacker's next
//! made-up email) with 1 000 and with 200 000 live windows. The two should
//! cost about the same: expiry never scans every key.
//!
//! ```text
//! cargo bench -p nanoauth --bench rate_limit
//! ```

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::task::{Context, Poll, Waker};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nanoauth::BoxFuture;
use nanoauth::rate_limit::{MemoryRateLimitStore, RateLimitStore};

/// The memory store's futures are ready at once.
fn ready<T>(mut future: BoxFuture<'_, T>) -> T {
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => panic!("the memory store never waits"),
    }
}

/// Windows that outlast the benchmark.
const LONG: u64 = 1 << 40;

fn memory_store(c: &mut Criterion) {
    let mut group = c.benchmark_group("rate_limit/memory_hit_new_key");
    for live in [1_000_usize, 200_000] {
        let store = MemoryRateLimitStore::new();
        for i in 0..live {
            ready(store.hit(&format!("live:{i}"), LONG, 0)).unwrap();
        }
        let mut n: u64 = 0;
        group.bench_with_input(BenchmarkId::from_parameter(live), &live, |b, _| {
            b.iter(|| {
                n += 1;
                // One-second windows on a clock that ticks every 100 hits:
                // the fresh keys end and are dropped as the benchmark runs,
                // so the store keeps about `live` windows throughout.
                let key = format!("new:{n}");
                ready(store.hit(black_box(&key), 1, 1 + n / 100)).unwrap()
            });
        });
    }
    group.finish();
}

criterion_group!(benches, memory_store);
criterion_main!(benches);
