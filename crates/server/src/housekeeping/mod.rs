//! Housekeeping: removing what has served its purpose, with the retention
//! the configuration sets ([`crate::config::Retention`]; sign-in failure
//! counters once the throttle's longest window is over, nodes once they
//! have not reported for a day), on a schedule:
//! one job per hour, keyed by its hour, so any number of nodes starting up
//! schedule it once, and each run schedules the next.
//!
//! Each kind is removed oldest first in batches of `retention.batch` rows,
//! one transaction each, so the sweep never holds the writer long: on
//! SQLite the webhook intake, which waits in the first line, gets the
//! writer between any two batches.

pub mod jobs;

use crate::auth::throttle;
use crate::config::Retention;
use crate::jobs::new_job;
use crate::operator::nodes;
use crate::state::AppState;
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use store::SystemTx;
use store::housekeeping::Sweepable;

/// How often the sweep runs.
pub const SWEEP_EVERY_SECONDS: i64 = 3600;

/// How many seconds `what` is kept (0: for ever).
fn keep_seconds(retention: &Retention, what: Sweepable) -> i64 {
    let days = match what {
        Sweepable::FinishedJobs => retention.jobs_days,
        Sweepable::ProcessedWebhooks => retention.webhooks_days,
        Sweepable::Events => retention.events_days,
        Sweepable::IdempotencyKeys => retention.idempotency_keys_days,
        Sweepable::Sessions => retention.sessions_days,
        Sweepable::WebhookDeliveries => retention.webhook_deliveries_days,
        // Not a setting: past its window a counter no longer slows anyone.
        Sweepable::SignInFailures => return throttle::LONGEST_WINDOW_SECONDS,
        // Not a setting either: a node still running adds its row again
        // at its next report.
        Sweepable::Nodes => return nodes::FORGOTTEN_AFTER_SECONDS,
    };
    days.saturating_mul(86_400)
}

/// What one sweep removed, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    pub removed: Vec<(Sweepable, u64)>,
    /// Transactions it took.
    pub batches: u64,
}

impl Swept {
    /// How many rows of `what` went.
    pub fn of(&self, what: Sweepable) -> u64 {
        self.removed
            .iter()
            .filter(|(w, _)| *w == what)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Removes everything older than its retention, as of `now`.
pub async fn sweep(state: &AppState, now: Timestamp) -> anyhow::Result<Swept> {
    let retention = state.config.retention;
    let batch = u32::try_from(retention.batch).unwrap_or(u32::MAX);
    let mut swept = Swept::default();
    for what in Sweepable::ALL {
        let keep = keep_seconds(&retention, what);
        if keep == 0 {
            continue;
        }
        let cutoff = now.plus_seconds(-keep);
        let mut total = 0;
        loop {
            let mut sys = state.store.system().await?;
            let n = sys.sweep(what, cutoff, batch).await?;
            sys.commit().await?;
            swept.batches += 1;
            total += n;
            if n < u64::from(batch) {
                break;
            }
            // Let whatever waits for the writer go before the next batch.
            tokio::task::yield_now().await;
        }
        if total > 0 {
            metrics::counter!("switchboard_swept_rows_total", "kind" => what.as_str())
                .increment(total);
            tracing::info!(kind = what.as_str(), removed = total, "housekeeping sweep");
        }
        swept.removed.push((what, total));
    }
    Ok(swept)
}

/// Which hour (since the epoch, in sweep periods) a sweep is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Period {
    pub period: i64,
}

impl Period {
    fn of(t: Timestamp) -> Self {
        Period {
            period: t.as_millis().div_euclid(SWEEP_EVERY_SECONDS * 1000),
        }
    }
    fn starts(self) -> Timestamp {
        Timestamp::from_millis(self.period.saturating_mul(SWEEP_EVERY_SECONDS * 1000))
    }
}

/// Sweeps (the run of `period`), and returns the transaction that
/// schedules the next period's run, for the job to commit with its own
/// completion.
pub async fn sweep_period(state: &AppState, period: Period) -> anyhow::Result<SystemTx> {
    let now = state.now();
    sweep(state, now).await?;
    let next = Period {
        period: period.period.max(Period::of(now).period) + 1,
    };
    Ok(schedule_in(state, next).await?)
}

/// A transaction that schedules the sweep of `period`, left to commit.
async fn schedule_in(state: &AppState, period: Period) -> store::StoreResult<SystemTx> {
    let mut sys = state.store.system().await?;
    let mut job = new_job::<jobs::Sweep>(&period, state.now());
    job.run_at = period.starts();
    sys.enqueue_job(None, job).await?;
    Ok(sys)
}

/// Schedules the current period's sweep (a no-op when a node already has),
/// so a deployment sweeps from its first start. Called when workers start.
pub async fn schedule(state: &AppState) -> store::StoreResult<()> {
    schedule_in(state, Period::of(state.now()))
        .await?
        .commit()
        .await
}
