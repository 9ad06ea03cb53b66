//! Load generation: a closed loop (N connections, each sending its next
//! request as soon as the last one is answered) to find the highest rate,
//! and an open loop (requests started on a fixed schedule) to measure
//! latency at a given rate. Open-loop latency is measured from the moment a
//! request was *due*, so a stalled server cannot hide its stall by slowing
//! the load down (no coordinated omission).

use crate::stats::Latencies;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// What one load run observed.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    /// Requests answered as expected (e.g. 200).
    pub ok: u64,
    /// Requests answered otherwise, or not at all.
    pub errors: u64,
    pub elapsed: Duration,
    pub latencies: Latencies,
}

impl LoadResult {
    /// Successful requests per second over the run.
    pub fn rate(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.ok as f64 / s } else { 0.0 }
    }
}

/// `connections` loops, each calling `call(i)` back to back for `duration`;
/// `i` counts up from 0 across all loops. `call` answers whether the request
/// succeeded.
pub async fn closed_loop<F, Fut>(connections: usize, duration: Duration, call: F) -> LoadResult
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let call = Arc::new(call);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        let call = call.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut r = LoadResult::default();
            while Instant::now() < end {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if call(i).await {
                    r.ok += 1;
                    r.latencies.record(t.elapsed());
                } else {
                    r.errors += 1;
                }
            }
            r
        }));
    }
    let mut total = LoadResult::default();
    for t in tasks {
        if let Ok(r) = t.await {
            total.ok += r.ok;
            total.errors += r.errors;
            total.latencies.merge(&r.latencies);
        }
    }
    total.elapsed = start.elapsed();
    total
}

/// Starts `call(i)` at `rate` per second for `duration` (at most
/// `max_in_flight` outstanding; beyond that the schedule slips and the
/// slip counts as latency). Latency runs from each request's due time.
pub async fn open_loop<F, Fut>(
    rate: f64,
    duration: Duration,
    max_in_flight: usize,
    call: F,
) -> LoadResult
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    open_loop_until(
        rate,
        duration,
        Arc::new(AtomicBool::new(false)),
        max_in_flight,
        call,
    )
    .await
}

/// Like [`open_loop`], also stopping early once `stop` is set.
pub async fn open_loop_until<F, Fut>(
    rate: f64,
    duration: Duration,
    stop: Arc<AtomicBool>,
    max_in_flight: usize,
    call: F,
) -> LoadResult
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send + 'static,
{
    let call = Arc::new(call);
    let rate = rate.max(0.1);
    let total_requests = (rate * duration.as_secs_f64()).ceil() as u64;
    let permits = Arc::new(Semaphore::new(max_in_flight.max(1)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(bool, Duration)>();
    let start = Instant::now();
    for i in 0..total_requests {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let due = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let call = call.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let ok = call(i).await;
            let _ = tx.send((ok, due.elapsed()));
            drop(permit);
        });
    }
    drop(tx);
    let mut r = LoadResult::default();
    while let Some((ok, latency)) = rx.recv().await {
        if ok {
            r.ok += 1;
            r.latencies.record(latency);
        } else {
            r.errors += 1;
        }
    }
    r.elapsed = start.elapsed();
    r
}

/// An HTTP client for load: keep-alive connections, no proxy, generous
/// pool, plain HTTP/1.1 (what Meta and API clients use).
pub fn client(pool: usize) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(pool)
        .http1_only()
        .timeout(Duration::from_secs(30))
        .build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_loop_issues_the_scheduled_number_of_requests() {
        let seen = Arc::new(AtomicU64::new(0));
        let s = seen.clone();
        let r = open_loop(200.0, Duration::from_millis(100), 8, move |i| {
            let s = s.clone();
            async move {
                s.fetch_add(1, Ordering::Relaxed);
                i % 5 != 0
            }
        })
        .await;
        assert_eq!(seen.load(Ordering::Relaxed), 20);
        assert_eq!(r.ok + r.errors, 20);
        assert_eq!(r.errors, 4, "every fifth call failed");
        assert_eq!(r.latencies.count(), 16);
    }
}
