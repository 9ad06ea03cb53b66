//! The API rate limit: a generic cell rate algorithm (GCRA), the token
//! bucket kept as one number per tenant.
//!
//! A plan allows `per_minute` requests a minute. Requests are spaced by
//! the emission interval `T = 60 s / per_minute`; the bucket holds
//! `capacity = per_minute + burst` requests, so a client that was quiet can
//! send a minute's worth and a burst on top at once, then one every `T`.
//! The state is the *theoretical arrival time* (`tat`) of the next request:
//! a request at `now` is admitted when `max(tat, now) - now <= tolerance`
//! (`tolerance = T * (capacity - 1)`), and moves `tat` on by `T`.
//!
//! Times are Unix microseconds, so a plan of 100,000 a minute still has an
//! interval above zero. The same rule runs in memory (one node) and in one
//! SQL statement over a shared row (several nodes); [`RatePolicy`] gives
//! both the numbers, and [`RatePolicy::admitted`] / [`RatePolicy::refused`]
//! turn the outcome into what the `RateLimit` headers say.

/// Microseconds in a minute: the limit's window.
const MINUTE_MICROS: i64 = 60_000_000;

/// A tenant's API rate limit, from its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    /// Requests a minute, sustained.
    pub per_minute: i64,
    /// Requests allowed on top of a minute's worth after a quiet spell.
    pub burst: i64,
}

/// What one request was told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    pub admitted: bool,
    /// Requests a minute (`RateLimit-Limit`).
    pub limit: i64,
    /// Requests that would be admitted right now after this one
    /// (`RateLimit-Remaining`).
    pub remaining: i64,
    /// Whole seconds until the bucket is full again (`RateLimit-Reset`).
    pub reset_seconds: i64,
    /// Whole seconds to wait before the next request is admitted
    /// (`Retry-After`), when this one was refused.
    pub retry_after_seconds: Option<i64>,
}

impl RatePolicy {
    /// The policy for a plan's `api_requests_per_minute`: a burst of a tenth
    /// of it, at least 10. `None` for no limit (or a limit below 1, which
    /// would refuse everything: use the API feature switch for that).
    pub fn for_plan(per_minute: Option<i64>) -> Option<RatePolicy> {
        let per_minute = per_minute.filter(|&n| n > 0)?;
        Some(RatePolicy {
            per_minute,
            burst: (per_minute / 10).max(10),
        })
    }

    /// Microseconds between two requests at the sustained rate.
    pub fn interval(&self) -> i64 {
        (MINUTE_MICROS / self.per_minute).max(1)
    }

    /// How far ahead of `now` the arrival time may run before a request is
    /// refused.
    pub fn tolerance(&self) -> i64 {
        self.interval()
            .saturating_mul(self.per_minute + self.burst - 1)
    }

    /// Decides a request at `now` given the stored `tat` (`None`: never
    /// seen). Returns the decision and the new `tat` to store when admitted.
    pub fn decide(&self, tat: Option<i64>, now: i64) -> (RateDecision, Option<i64>) {
        let start = tat.unwrap_or(now).max(now);
        if start - now > self.tolerance() {
            return (self.refused(start, now), None);
        }
        let next = start + self.interval();
        (self.admitted(next, now), Some(next))
    }

    /// What to tell an admitted request, `next` being the stored `tat` after it.
    pub fn admitted(&self, next: i64, now: i64) -> RateDecision {
        let ahead = next - now;
        RateDecision {
            admitted: true,
            limit: self.per_minute,
            remaining: ((self.tolerance() + self.interval() - ahead) / self.interval()).max(0),
            reset_seconds: ceil_seconds(ahead),
            retry_after_seconds: None,
        }
    }

    /// What to tell a refused request, `tat` being the stored arrival time.
    pub fn refused(&self, tat: i64, now: i64) -> RateDecision {
        let ahead = tat.max(now) - now;
        RateDecision {
            admitted: false,
            limit: self.per_minute,
            remaining: 0,
            reset_seconds: ceil_seconds(ahead),
            retry_after_seconds: Some(ceil_seconds(ahead - self.tolerance()).max(1)),
        }
    }
}

/// Microseconds rounded up to whole seconds.
fn ceil_seconds(micros: i64) -> i64 {
    (micros.max(0) + 999_999) / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000_000;

    fn policy(per_minute: i64) -> RatePolicy {
        RatePolicy::for_plan(Some(per_minute)).unwrap()
    }

    /// Sends `n` requests at `now`, returning how many were admitted.
    fn burst(p: &RatePolicy, tat: &mut Option<i64>, now: i64, n: usize) -> usize {
        (0..n)
            .filter(|_| {
                let (d, next) = p.decide(*tat, now);
                if let Some(next) = next {
                    *tat = Some(next);
                }
                d.admitted
            })
            .count()
    }

    #[test]
    fn a_quiet_client_gets_a_minute_and_the_burst_then_waits() {
        let p = policy(120);
        assert_eq!(p.burst, 12);
        let mut tat = None;
        assert_eq!(burst(&p, &mut tat, 0, 500), 132);
        let (refused, _) = p.decide(tat, 0);
        assert!(!refused.admitted);
        assert_eq!(refused.remaining, 0);
        // One request every half second comes back.
        assert_eq!(refused.retry_after_seconds, Some(1));
        assert_eq!(burst(&p, &mut tat, SECOND / 2, 5), 1);
        // After a minute and a burst's time the bucket is full again.
        assert_eq!(burst(&p, &mut tat, 67 * SECOND, 500), 132);
    }

    #[test]
    fn remaining_counts_down_to_zero() {
        let p = policy(60);
        let mut tat = None;
        let (first, next) = p.decide(tat, 0);
        tat = next;
        assert_eq!(first.remaining, 69);
        assert_eq!(first.limit, 60);
        assert_eq!(first.reset_seconds, 1);
        for _ in 0..68 {
            tat = p.decide(tat, 0).1;
        }
        let (last, next) = p.decide(tat, 0);
        assert!(last.admitted);
        assert_eq!(last.remaining, 0);
        assert_eq!(last.reset_seconds, 70);
        assert!(!p.decide(next, 0).0.admitted);
    }

    #[test]
    fn no_limit_or_a_zero_limit_is_no_policy() {
        assert_eq!(RatePolicy::for_plan(None), None);
        assert_eq!(RatePolicy::for_plan(Some(0)), None);
        assert_eq!(policy(10_000).burst, 1_000);
        assert_eq!(policy(100_000_000).interval(), 1);
    }

    #[test]
    fn sustained_rate_is_the_plan_rate() {
        let p = policy(600);
        let mut tat = None;
        let mut admitted = 0;
        // Ten requests a second for ten minutes, after the first burst.
        burst(&p, &mut tat, 0, 1_000);
        for step in 1..=6_000 {
            admitted += burst(&p, &mut tat, step * SECOND / 10, 1);
        }
        assert_eq!(admitted, 6_000);
        assert!(burst(&p, &mut tat, 600 * SECOND, 1) == 0);
    }
}
