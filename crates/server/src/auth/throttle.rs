//! Sign-in throttling with progressive delays, never a hard lock.
//!
//! Failures are counted three ways: per account *and* address (someone
//! guessing one account from one place), per account (guessing from many
//! places) and per address (one place trying many accounts). Past a few
//! free failures each counter asks for a wait after its latest failure that
//! doubles with every further failure, up to a cap. The per-account cap is
//! short (30 s), so failures from elsewhere can slow the right password
//! from a new address a little but never lock it out; an address that keeps
//! guessing waits up to 15 minutes between tries. A counter forgets its
//! failures 15 minutes after the latest. Kept in memory per node; behind
//! several nodes each node counts on its own (docs/SECURITY.md).

use domain::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

/// How one counter slows attempts down.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The wait after the first failure past `free`; it doubles with each.
    pub first_delay_seconds: i64,
    pub max_delay_seconds: i64,
    /// Failures are forgotten this long after the latest.
    pub window_seconds: i64,
}

impl Policy {
    /// The wait after the latest of `failures`.
    fn delay(&self, failures: u32) -> i64 {
        match failures.checked_sub(self.free) {
            None => 0,
            Some(past) => {
                let doubled = self
                    .first_delay_seconds
                    .saturating_mul(1_i64 << past.min(30));
                doubled.min(self.max_delay_seconds)
            }
        }
    }
}

/// One account from one address: 3 free failures, then 1 s, 2 s, 4 s…
/// up to 15 minutes.
pub const PER_ACCOUNT_AND_ADDRESS: Policy = Policy {
    free: 3,
    first_delay_seconds: 1,
    max_delay_seconds: 15 * 60,
    window_seconds: 15 * 60,
};
/// One account from anywhere: 10 free failures, then at most 30 s.
pub const PER_ACCOUNT: Policy = Policy {
    free: 10,
    first_delay_seconds: 1,
    max_delay_seconds: 30,
    window_seconds: 15 * 60,
};
/// One address against any account: 20 free failures, then up to 15 minutes.
pub const PER_ADDRESS: Policy = Policy {
    free: 20,
    first_delay_seconds: 1,
    max_delay_seconds: 15 * 60,
    window_seconds: 15 * 60,
};

/// The counters one sign-in attempt touches.
#[derive(Debug, Clone)]
pub struct Attempt {
    keys: [(String, Policy); 3],
}

impl Attempt {
    /// A sign-in to `account` (a name unique across the platform, such as
    /// `user:<tenant>:<email>`) from `address`.
    pub fn new(account: &str, address: Option<&str>) -> Self {
        let address = address.unwrap_or("-");
        Attempt {
            keys: [
                (format!("{account}@{address}"), PER_ACCOUNT_AND_ADDRESS),
                (account.to_owned(), PER_ACCOUNT),
                (format!("ip:{address}"), PER_ADDRESS),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Counter {
    failures: u32,
    latest: Timestamp,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    counters: Mutex<HashMap<String, Counter>>,
}

impl LoginThrottle {
    /// `Err(seconds to wait)` while any of the attempt's counters asks for
    /// a wait. A refused attempt is not a failure: it does not count.
    pub fn check(&self, attempt: &Attempt, now: Timestamp) -> Result<(), u64> {
        let map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let wait_ms = attempt
            .keys
            .iter()
            .filter_map(|(key, policy)| {
                let c = map.get(key)?;
                let until = c.latest.plus_seconds(policy.delay(c.failures));
                (now < until).then(|| until.as_millis() - now.as_millis())
            })
            .max();
        match wait_ms {
            Some(ms) => Err(u64::try_from((ms + 999).div_euclid(1000)).unwrap_or(1)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt. No database is touched.
    pub fn record_failure(&self, attempt: &Attempt, now: Timestamp) {
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, c| now < c.latest.plus_seconds(15 * 60));
        }
        for (key, policy) in &attempt.keys {
            let c = map.entry(key.clone()).or_insert(Counter {
                failures: 0,
                latest: now,
            });
            if now >= c.latest.plus_seconds(policy.window_seconds) {
                c.failures = 0;
            }
            c.failures = c.failures.saturating_add(1);
            c.latest = now;
        }
    }

    /// A successful sign-in clears the account's counters from this address
    /// and from anywhere; other addresses' counters for it stay.
    pub fn succeeded(&self, attempt: &Attempt) {
        let mut map = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        for (key, _) in &attempt.keys[..2] {
            map.remove(key);
        }
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
    fn delays_grow_per_address_and_never_lock_the_account_elsewhere() {
        let t = LoginThrottle::default();
        let now = Timestamp::from_millis(0);
        let a = Attempt::new("user:x:ana", Some("10.0.0.1"));
        let b = Attempt::new("user:x:ana", Some("10.0.0.2"));
        for _ in 0..3 {
            assert!(t.check(&a, now).is_ok());
            t.record_failure(&a, now);
        }
        assert_eq!(t.check(&a, now), Err(1));
        t.record_failure(&a, now.plus_seconds(1));
        assert_eq!(t.check(&a, now.plus_seconds(1)), Err(2));
        assert!(t.check(&b, now.plus_seconds(1)).is_ok());
        // Many failures from many addresses only slow the account down.
        for i in 0..50 {
            let c = Attempt::new("user:x:ana", Some(&format!("10.1.0.{i}")));
            t.record_failure(&c, now.plus_seconds(2));
        }
        assert_eq!(t.check(&b, now.plus_seconds(2)), Err(30));
        assert!(t.check(&b, now.plus_seconds(32)).is_ok());
        assert!(t.check(&a, now.plus_seconds(15 * 60 + 1)).is_ok());
    }
}
