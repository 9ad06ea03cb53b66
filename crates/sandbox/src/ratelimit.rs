//! Token buckets for per-number throughput (130429) and pair rate (131056).

use std::time::{Duration, Instant};

/// A classic token bucket: holds at most `capacity` tokens, refilled
/// continuously at `per_second`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    tokens: f64,
    per_second: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(capacity: u32, per_second: f64) -> Self {
        let capacity = f64::from(capacity.max(1));
        Self {
            capacity,
            tokens: capacity,
            per_second: per_second.max(0.0),
            last: Instant::now(),
        }
    }

    /// Per-number throughput: `rate` messages/second with a one-second burst.
    pub fn per_second(rate: u32) -> Self {
        Self::new(rate, f64::from(rate.max(1)))
    }

    /// `burst` tokens, one more every `refill_every`.
    pub fn with_interval(burst: u32, refill_every: Duration) -> Self {
        let secs = refill_every.as_secs_f64();
        let per_second = if secs > 0.0 {
            1.0 / secs
        } else {
            f64::from(burst.max(1)) * 1e6
        };
        Self::new(burst, per_second)
    }

    /// Takes one token if available.
    pub fn try_take(&mut self) -> bool {
        self.try_take_at(Instant::now())
    }

    fn try_take_at(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_limits_and_refills() {
        let mut b = TokenBucket::per_second(3);
        let t0 = b.last;
        assert!(b.try_take_at(t0));
        assert!(b.try_take_at(t0));
        assert!(b.try_take_at(t0));
        assert!(!b.try_take_at(t0));
        assert!(b.try_take_at(t0 + Duration::from_millis(340)));
        assert!(!b.try_take_at(t0 + Duration::from_millis(340)));
        // Never exceeds capacity after a long pause.
        let later = t0 + Duration::from_secs(100);
        assert!((0..3).all(|_| b.try_take_at(later)));
        assert!(!b.try_take_at(later));
    }

    #[test]
    fn interval_bucket() {
        let mut b = TokenBucket::with_interval(2, Duration::from_secs(6));
        let t0 = b.last;
        assert!(b.try_take_at(t0) && b.try_take_at(t0));
        assert!(!b.try_take_at(t0 + Duration::from_secs(5)));
        assert!(b.try_take_at(t0 + Duration::from_secs(7)));
    }
}
