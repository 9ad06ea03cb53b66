//! Login throttling: after too many failures in a window, an account or an
//! address must wait. Kept in memory per node; behind several nodes each
//! node counts on its own (documented in docs/SECURITY.md).

use domain::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub failures: u32,
    pub window_seconds: i64,
}

/// Per account: 5 failures in 15 minutes. Per address: 20.
pub const PER_ACCOUNT: Limit = Limit {
    failures: 5,
    window_seconds: 15 * 60,
};
pub const PER_IP: Limit = Limit {
    failures: 20,
    window_seconds: 15 * 60,
};

#[derive(Debug, Default)]
pub struct LoginThrottle {
    counters: Mutex<HashMap<String, (Timestamp, u32)>>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` when `key` is over `limit`.
    pub fn check(&self, key: &str, limit: Limit, now: Timestamp) -> Result<(), u64> {
        let map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        match map.get(key) {
            Some((start, n)) if *n >= limit.failures => {
                let ends = start.plus_seconds(limit.window_seconds);
                if now < ends {
                    let wait = (ends.as_millis() - now.as_millis()).div_euclid(1000) + 1;
                    Err(u64::try_from(wait).unwrap_or(1))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, key: &str, limit: Limit, now: Timestamp) {
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now < start.plus_seconds(limit.window_seconds));
        }
        let entry = map.entry(key.to_owned()).or_insert((now, 0));
        if now >= entry.0.plus_seconds(limit.window_seconds) {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }

    pub fn reset(&self, key: &str) {
        self.counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

/// The answer to a throttled sign-in.
pub fn too_many(wait: u64) -> crate::error::AppError {
    crate::error::AppError::TooManyRequests(
        "too_many_attempts",
        format!("too many failed sign-ins; try again in {wait} seconds"),
        wait,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_and_frees_after_the_window() {
        let t = LoginThrottle::default();
        let now = Timestamp::from_millis(0);
        for _ in 0..5 {
            assert!(t.check("a", PER_ACCOUNT, now).is_ok());
            t.record_failure("a", PER_ACCOUNT, now);
        }
        assert!(t.check("a", PER_ACCOUNT, now).is_err());
        assert!(t.check("b", PER_ACCOUNT, now).is_ok());
        assert!(t.check("a", PER_ACCOUNT, now.plus_seconds(15 * 60)).is_ok());
    }
}
