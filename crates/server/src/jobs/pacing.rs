//! Per-number pacing: each WhatsApp number sends at most its rate limit
//! (Meta's throughput cap), so our own pace never causes a 130429.
//!
//! A token bucket per number, in this process. With several nodes, each
//! node paces on its own; see docs/SENDING.md for the limit that leaves.

use domain::ChannelId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    rate: f64,
    last: Instant,
}

/// Hands out send slots per number.
#[derive(Debug, Default)]
pub struct Pacer {
    buckets: Mutex<HashMap<ChannelId, Bucket>>,
}

impl Pacer {
    /// How long to wait before the next send on `channel` at `per_second`;
    /// zero means go now (and the slot is taken).
    pub fn reserve(&self, channel: ChannelId, per_second: i64) -> Duration {
        let rate = per_second.max(1) as f64;
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        // A burst of at most a tenth of a second's sends, so that over any
        // second the number stays within its cap.
        let burst = (rate / 10.0).max(1.0);
        let b = map.entry(channel).or_insert(Bucket {
            tokens: burst,
            rate,
            last: now,
        });
        b.rate = rate;
        b.tokens = (b.tokens + now.duration_since(b.last).as_secs_f64() * rate).min(burst);
        b.last = now;
        b.tokens -= 1.0;
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-b.tokens / rate)
        }
    }

    /// Waits for a send slot on `channel`.
    pub async fn acquire(&self, channel: ChannelId, per_second: i64) {
        let wait = self.reserve(channel, per_second);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_gets_its_rate_and_no_more() {
        let p = Pacer::default();
        let c = ChannelId::new();
        // 100/s: a burst of 10, then each further slot is 10 ms apart.
        let waits: Vec<Duration> = (0..30).map(|_| p.reserve(c, 100)).collect();
        assert!(waits[..10].iter().all(|w| w.is_zero()), "{waits:?}");
        let last = waits[29].as_secs_f64();
        assert!(
            (0.18..0.22).contains(&last),
            "30 sends at 100/s end ~0.2 s out: {last}"
        );
        // Another number is not slowed by the first.
        assert!(p.reserve(ChannelId::new(), 100).is_zero());
    }
}
