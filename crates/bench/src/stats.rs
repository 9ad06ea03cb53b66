//! Latency histograms (HDR, microsecond resolution) and their summaries.

use hdrhistogram::Histogram;
use std::time::Duration;

/// Latencies recorded in microseconds, 1 µs to 10 minutes, 3 significant
/// digits (0.1 % error at any magnitude).
#[derive(Debug, Clone)]
pub struct Latencies {
    hist: Histogram<u64>,
}

impl Default for Latencies {
    fn default() -> Self {
        Self::new()
    }
}

const MAX_US: u64 = 600_000_000;

impl Latencies {
    pub fn new() -> Self {
        // Constant bounds that hdrhistogram accepts (low >= 1, high >= 2 * low,
        // sigfig <= 5): this cannot fail.
        #[allow(clippy::expect_used)]
        let hist = Histogram::new_with_bounds(1, MAX_US, 3).expect("valid histogram bounds");
        Self { hist }
    }

    pub fn record(&mut self, d: Duration) {
        let us = u64::try_from(d.as_micros())
            .unwrap_or(MAX_US)
            .clamp(1, MAX_US);
        self.hist.saturating_record(us);
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.hist.add(&other.hist);
    }

    pub fn count(&self) -> u64 {
        self.hist.len()
    }

    /// The `q` quantile (0.0–1.0) in milliseconds; 0 when empty.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.hist.is_empty() {
            return 0.0;
        }
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }

    pub fn p50_ms(&self) -> f64 {
        self.quantile_ms(0.50)
    }

    pub fn p99_ms(&self) -> f64 {
        self.quantile_ms(0.99)
    }

    pub fn max_ms(&self) -> f64 {
        if self.hist.is_empty() {
            0.0
        } else {
            self.hist.max() as f64 / 1000.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut l = Latencies::new();
        assert_eq!(l.p99_ms(), 0.0, "empty is zero, not a panic");
        // 1..=1000 ms, one sample each.
        for ms in 1..=1000u64 {
            l.record(Duration::from_millis(ms));
        }
        assert_eq!(l.count(), 1000);
        let within = |got: f64, want: f64| (got - want).abs() <= want * 0.002;
        assert!(within(l.p50_ms(), 500.0), "p50 {}", l.p50_ms());
        assert!(within(l.p99_ms(), 990.0), "p99 {}", l.p99_ms());
        assert!(within(l.max_ms(), 1000.0), "max {}", l.max_ms());
    }

    #[test]
    fn merging_adds_samples() {
        let mut a = Latencies::new();
        let mut b = Latencies::new();
        for _ in 0..99 {
            a.record(Duration::from_micros(100));
        }
        b.record(Duration::from_secs(2));
        b.record(Duration::from_secs(2));
        a.merge(&b);
        assert_eq!(a.count(), 101);
        assert!(a.p50_ms() < 0.2);
        assert!(a.p99_ms() > 1_000.0, "the slow tail shows at p99");
        // Out-of-range values are clamped, not lost.
        a.record(Duration::from_secs(100_000));
        assert_eq!(a.count(), 102);
    }
}
