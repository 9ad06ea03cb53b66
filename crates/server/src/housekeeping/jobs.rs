//! The hourly sweep as a job: each run sweeps, then schedules the next in
//! its own commit.

use super::{Period, sweep_period};
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::TenantId;

/// Registers the housekeeping jobs.
pub fn register(registry: &mut Registry) {
    registry.register::<Sweep>();
}

/// Removes what is past its retention.
pub struct Sweep;

impl JobKind for Sweep {
    const KIND: &'static str = "housekeeping.sweep";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 5;
    type Payload = Period;

    fn dedupe_key(p: &Period) -> Option<String> {
        Some(format!("sweep:{}", p.period))
    }

    async fn run(state: &AppState, _: Option<TenantId>, p: Period) -> Outcome {
        match sweep_period(state, p).await {
            Ok(sys) => Outcome::CommitSystem(sys),
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}
