//! Fault injection: Graph-side errors, latency, 5xx and hung requests, and
//! webhook-side duplicates, reordering and batching. All random decisions come
//! from a seedable RNG so a given seed + request order is deterministic.

use std::time::Duration;

use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// Faults applied to `POST /{v}/{phone_number_id}/messages` (latency applies to
/// every Graph route) and to webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Re-seed the fault RNGs when these faults are installed.
    pub seed: Option<u64>,
    /// Share of sends answered with a given error code, e.g.
    /// `[{code:130429, rate:0.1}, {code:131000, rate:0.05}]`. Rates are
    /// absolute shares of all sends (one draw per send decides).
    pub error_rates: Vec<ErrorRate>,
    /// Added latency on every Graph request.
    pub latency_ms: u64,
    /// Extra random latency in `0..=latency_jitter_ms`.
    pub latency_jitter_ms: u64,
    /// Share of sends answered with an HTTP 5xx (`server_error_status`).
    pub server_error_rate: f64,
    pub server_error_status: u16,
    /// Share of sends held for `timeout_hold_ms` before being answered.
    pub timeout_rate: f64,
    pub timeout_hold_ms: u64,
    /// After holding, still accept the message (true: the client timed out but
    /// the message went out anyway) or answer 131000.
    pub timeout_then_accept: bool,
    pub webhook: WebhookFaults,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            seed: None,
            error_rates: Vec::new(),
            latency_ms: 0,
            latency_jitter_ms: 0,
            server_error_rate: 0.0,
            server_error_status: 500,
            timeout_rate: 0.0,
            timeout_hold_ms: 30_000,
            timeout_then_accept: true,
            webhook: WebhookFaults::default(),
        }
    }
}

/// One error code injected at a given rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRate {
    pub code: i64,
    pub rate: f64,
    /// `sync` = error response; `async` = 200 + wamid, then a `failed` status
    /// webhook. Default: async for codes Meta reports asynchronously
    /// (131026, 131047, 131049, 131050, 130472, 131053), sync otherwise.
    #[serde(default)]
    pub mode: Option<ErrorMode>,
    /// HTTP status of a sync error (default: 400, 401 for 190).
    #[serde(default)]
    pub http_status: Option<u16>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorMode {
    Sync,
    Async,
}

/// Webhook delivery faults.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookFaults {
    /// Share of webhook bodies delivered twice (identical bytes).
    pub duplicate_rate: f64,
    /// Shuffle the events gathered in one delivery window.
    pub reorder: bool,
    /// Put up to this many events into one POST (several entries/changes/
    /// messages); 0 or 1 = one event per POST.
    pub batch_max: usize,
    /// How long the deliverer waits to gather events when batching or
    /// reordering (events already queued are always gathered).
    pub batch_window_ms: u64,
}

impl WebhookFaults {
    /// Whether the deliverer should gather several events before sending.
    pub fn gathers(&self) -> bool {
        self.reorder || self.batch_max > 1
    }
}

/// What happens to one send request.
#[derive(Debug, Clone, PartialEq)]
pub enum SendFault {
    None,
    /// Hold the request, then accept it or fail with 131000.
    Timeout {
        hold: Duration,
        then_accept: bool,
    },
    /// Answer with this 5xx status.
    ServerError(u16),
    /// Synchronous Graph error.
    Error {
        code: i64,
        http_status: Option<u16>,
    },
    /// Accept, then emit a `failed` status with this code.
    AsyncFailure(i64),
}

/// Codes Meta normally reports through a `failed` status webhook.
pub fn is_async_code(code: i64) -> bool {
    matches!(code, 131026 | 131047 | 131049 | 131050 | 130472 | 131053)
}

impl Faults {
    /// Validates rates (each in 0..=1, total <= 1).
    pub fn validate(&self) -> Result<(), String> {
        let rates = [
            self.timeout_rate,
            self.server_error_rate,
            self.webhook.duplicate_rate,
        ]
        .into_iter()
        .chain(self.error_rates.iter().map(|e| e.rate));
        let mut total = 0.0;
        for r in rates {
            if !(0.0..=1.0).contains(&r) {
                return Err(format!("rate {r} is outside 0..=1"));
            }
        }
        for r in [self.timeout_rate, self.server_error_rate]
            .into_iter()
            .chain(self.error_rates.iter().map(|e| e.rate))
        {
            total += r;
        }
        if total > 1.0 + 1e-9 {
            return Err(format!("send fault rates add up to {total} (> 1)"));
        }
        if !(500..=599).contains(&self.server_error_status) {
            return Err("server_error_status must be 5xx".to_owned());
        }
        Ok(())
    }

    /// Latency to add to a Graph request.
    pub fn latency(&self, rng: &mut StdRng) -> Duration {
        let jitter = if self.latency_jitter_ms > 0 {
            rng.random_range(0..=self.latency_jitter_ms)
        } else {
            0
        };
        Duration::from_millis(self.latency_ms.saturating_add(jitter))
    }

    /// Decides the fault for one send with a single uniform draw.
    pub fn decide_send(&self, rng: &mut StdRng) -> SendFault {
        if self.timeout_rate <= 0.0
            && self.server_error_rate <= 0.0
            && self.error_rates.iter().all(|e| e.rate <= 0.0)
        {
            return SendFault::None;
        }
        let u: f64 = rng.random();
        let mut acc = self.timeout_rate;
        if u < acc {
            return SendFault::Timeout {
                hold: Duration::from_millis(self.timeout_hold_ms),
                then_accept: self.timeout_then_accept,
            };
        }
        acc += self.server_error_rate;
        if u < acc {
            return SendFault::ServerError(self.server_error_status);
        }
        for e in &self.error_rates {
            acc += e.rate;
            if u < acc {
                let asynchronous = match e.mode {
                    Some(ErrorMode::Async) => true,
                    Some(ErrorMode::Sync) => false,
                    None => is_async_code(e.code),
                };
                return if asynchronous {
                    SendFault::AsyncFailure(e.code)
                } else {
                    SendFault::Error {
                        code: e.code,
                        http_status: e.http_status,
                    }
                };
            }
        }
        SendFault::None
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn decisions_follow_rates_and_seed() {
        let faults = Faults {
            error_rates: vec![
                ErrorRate {
                    code: 130429,
                    rate: 0.10,
                    mode: None,
                    http_status: None,
                },
                ErrorRate {
                    code: 131026,
                    rate: 0.05,
                    mode: None,
                    http_status: None,
                },
            ],
            ..Faults::default()
        };
        assert!(faults.validate().is_ok());
        let run = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..10_000)
                .map(|_| faults.decide_send(&mut rng))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        let throttled = a
            .iter()
            .filter(|f| matches!(f, SendFault::Error { code: 130429, .. }))
            .count();
        let failed = a
            .iter()
            .filter(|f| matches!(f, SendFault::AsyncFailure(131026)))
            .count();
        assert!((800..1200).contains(&throttled), "{throttled}");
        assert!((350..650).contains(&failed), "{failed}");
    }

    #[test]
    fn rejects_bad_rates() {
        let mut f = Faults {
            timeout_rate: 0.7,
            server_error_rate: 0.7,
            ..Faults::default()
        };
        assert!(f.validate().is_err());
        f.server_error_rate = 0.1;
        assert!(f.validate().is_ok());
        f.webhook.duplicate_rate = 2.0;
        assert!(f.validate().is_err());
    }
}
