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
//! failures 15 minutes after the latest.
//!
//! The counters live in the database (`sign_in_failures`, named by the
//! SHA-256 of their key), so every node sharing it shares them: tries
//! spread over several nodes count as if made on one. A failure is counted
//! in a short transaction of its own before it is answered; the password
//! hash never runs inside one. Housekeeping removes counters past the
//! longest window ([`LONGEST_WINDOW_SECONDS`]).

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::Timestamp;
use sha2::{Digest, Sha256};
use store::auth::SignInFailures;

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
    /// The wait after the latest of `failures`, in seconds.
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

const fn longer(a: i64, b: i64) -> i64 {
    if a > b { a } else { b }
}

/// How long after its latest failure a counter can still matter: older
/// ones are swept by housekeeping.
pub const LONGEST_WINDOW_SECONDS: i64 = longer(
    PER_ACCOUNT_AND_ADDRESS.window_seconds,
    longer(PER_ACCOUNT.window_seconds, PER_ADDRESS.window_seconds),
);

/// The seconds (rounded up) an attempt at `now` must still wait under
/// `policy`, after `failures` the latest of which was at `latest`; `None`
/// when it need not wait.
pub fn wait(policy: &Policy, failures: i64, latest: Timestamp, now: Timestamp) -> Option<u64> {
    if now >= latest.plus_seconds(policy.window_seconds) {
        return None;
    }
    let failures = u32::try_from(failures.max(0)).unwrap_or(u32::MAX);
    let until = latest.plus_seconds(policy.delay(failures));
    (now < until).then(|| {
        let ms = until.as_millis() - now.as_millis();
        u64::try_from((ms + 999).div_euclid(1000)).unwrap_or(1)
    })
}

/// The counters one sign-in attempt touches, by the hash of their key.
#[derive(Debug, Clone)]
pub struct Attempt {
    keys: [(String, Policy); 3],
}

/// A counter's name in the database: the key is an email and an address,
/// which are not kept in clear.
fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

impl Attempt {
    /// A sign-in to `account` (a name unique across the platform, such as
    /// `user:<tenant>:<email>`) from `address`.
    pub fn new(account: &str, address: Option<&str>) -> Self {
        let address = address.unwrap_or("-");
        // Each kind of key has its own prefix, so no account and address
        // together spell another kind's key.
        Attempt {
            keys: [
                (
                    key_hash(&format!("account+address:{account}\n{address}")),
                    PER_ACCOUNT_AND_ADDRESS,
                ),
                (key_hash(&format!("account:{account}")), PER_ACCOUNT),
                (key_hash(&format!("address:{address}")), PER_ADDRESS),
            ],
        }
    }

    fn hashes(&self) -> Vec<&str> {
        self.keys.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The longest wait any of the attempt's counters asks for at `now`,
    /// given the counters found (those missing have no failures).
    pub fn wait(&self, counters: &[SignInFailures], now: Timestamp) -> Option<u64> {
        self.keys
            .iter()
            .filter_map(|(key, policy)| {
                let c = counters.iter().find(|c| &c.key_hash == key)?;
                wait(policy, c.failures, c.latest, now)
            })
            .max()
    }
}

/// Refuses the attempt with [`too_many`] while any of its counters asks for
/// a wait. A refused attempt is not a failure: it does not count.
pub async fn check(state: &AppState, attempt: &Attempt, now: Timestamp) -> AppResult<()> {
    let mut sys = state.store.system_read().await?;
    let counters = sys.find_sign_in_failures(&attempt.hashes()).await?;
    sys.commit().await?;
    match attempt.wait(&counters, now) {
        Some(seconds) => Err(too_many(seconds)),
        None => Ok(()),
    }
}

/// Counts a failed attempt on all three counters, in one short
/// transaction, before the failure is answered.
pub async fn record_failure(state: &AppState, attempt: &Attempt, now: Timestamp) -> AppResult<()> {
    // Always in the same order, so concurrent failures sharing counters
    // wait for each other's row locks (PostgreSQL) and never deadlock.
    let mut keys: Vec<&(String, Policy)> = attempt.keys.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut sys = state.store.system().await?;
    for (key, policy) in keys {
        let forget_until = now.plus_seconds(-policy.window_seconds);
        sys.record_sign_in_failure(key, now, forget_until).await?;
    }
    sys.commit().await?;
    Ok(())
}

/// A successful sign-in clears the account's counters from this address
/// and from anywhere; other addresses' counters for it stay, and so does
/// this address's against any account. The sign-in stands even when this
/// fails (logged): counters left behind are forgotten after their window.
pub async fn succeeded(state: &AppState, attempt: &Attempt) {
    let hashes = attempt.hashes();
    let clear = async {
        let mut sys = state.store.system().await?;
        sys.delete_sign_in_failures(&hashes[..2]).await?;
        sys.commit().await
    };
    if let Err(e) = clear.await {
        tracing::warn!(error = %e, "clearing sign-in failure counters after a sign-in");
    }
}

/// The answer to a throttled sign-in.
pub fn too_many(wait: u64) -> AppError {
    AppError::TooManyRequests(
        "too_many_attempts",
        format!("too many failed sign-ins; try again in {wait} seconds"),
        wait,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counters as the database would hold them after `failures` failures
    /// of each of `attempt`'s keys, the latest at `latest`.
    fn counters(attempt: &Attempt, failures: [i64; 3], latest: Timestamp) -> Vec<SignInFailures> {
        attempt
            .keys
            .iter()
            .zip(failures)
            .filter(|(_, n)| *n > 0)
            .map(|((key, _), failures)| SignInFailures {
                key_hash: key.clone(),
                failures,
                latest,
            })
            .collect()
    }

    #[test]
    fn delays_double_past_the_free_failures_up_to_the_cap_and_are_forgotten() {
        let t = Timestamp::from_millis(0);
        let p = &PER_ACCOUNT_AND_ADDRESS;
        assert_eq!(wait(p, 2, t, t), None, "the first two are free");
        // The third free failure is the last before the waits begin.
        assert_eq!(wait(p, 3, t, t), Some(1));
        assert_eq!(wait(p, 4, t, t), Some(2));
        assert_eq!(wait(p, 5, t, t), Some(4));
        assert_eq!(wait(p, 5, t, t.plus_millis(3_001)), Some(1), "rounded up");
        assert_eq!(wait(p, 5, t, t.plus_seconds(4)), None);
        assert_eq!(wait(p, 500, t, t), Some(15 * 60));
        assert_eq!(wait(&PER_ACCOUNT, 500, t, t), Some(30));
        assert_eq!(wait(p, 500, t, t.plus_seconds(15 * 60)), None);
        assert_eq!(wait(&PER_ADDRESS, 19, t, t), None);
        assert_eq!(wait(&PER_ADDRESS, 20, t, t), Some(1));
        assert_eq!(LONGEST_WINDOW_SECONDS, 15 * 60);
    }

    #[test]
    fn delays_grow_per_address_and_never_lock_the_account_elsewhere() {
        let now = Timestamp::from_millis(0);
        let a = Attempt::new("user:x:ana", Some("10.0.0.1"));
        let b = Attempt::new("user:x:ana", Some("10.0.0.2"));
        // The account is shared, the pairs and addresses are not.
        assert_eq!(a.keys[1].0, b.keys[1].0);
        assert_ne!(a.keys[0].0, b.keys[0].0);
        assert_ne!(a.keys[2].0, b.keys[2].0);
        assert!(a.keys.iter().all(|(k, _)| !k.contains("ana")));

        assert_eq!(a.wait(&counters(&a, [3, 3, 3], now), now), Some(1));
        assert_eq!(a.wait(&[], now), None);
        // Many failures from many addresses only slow the account down.
        let seen = counters(&a, [4, 54, 4], now.plus_seconds(2));
        assert_eq!(b.wait(&seen, now.plus_seconds(2)), Some(30));
        assert_eq!(b.wait(&seen, now.plus_seconds(32)), None);
        assert_eq!(a.wait(&seen, now.plus_seconds(15 * 60 + 2)), None);
    }
}
