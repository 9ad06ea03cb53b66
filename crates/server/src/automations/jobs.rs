//! Background work of the area, registered with the job runtime: the
//! consumer of the event log that starts runs ([`super::trigger::poll`]),
//! the one that sends business hours' welcome and away messages
//! ([`super::hours::replies::poll`]),
//! and one `workflow.run` job per run and stretch of it (started, or
//! woken after a wait), enqueued in the transaction that starts or
//! suspends the run. Jobs are rows, so a restart loses none; the work
//! itself is [`super::run::advance`].

use super::run::{Advanced, advance, give_up};
use crate::jobs::{JobKind, Outcome, Queue, Registry, new_job};
use crate::state::AppState;
use domain::{TenantId, Timestamp, WorkflowRunId};
use serde::{Deserialize, Serialize};
use store::TenantTx;

/// Registers the area's jobs and pollers.
pub fn register(registry: &mut Registry) {
    registry.register::<RunWorkflow>();
    registry.register::<super::schedule::FireSchedule>();
    registry.poll(super::trigger::CONSUMER, super::trigger::poll);
    registry.poll(super::hours::replies::CONSUMER, super::hours::replies::poll);
}

/// Which run.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct RunPayload {
    pub run_id: WorkflowRunId,
}

/// Takes a run as far as it goes now.
pub struct RunWorkflow;

impl JobKind for RunWorkflow {
    const KIND: &'static str = "workflow.run";
    const QUEUE: Queue = Queue::Automations;
    const MAX_ATTEMPTS: i64 = 12;
    type Payload = RunPayload;

    /// None: a run has a job per stretch (started, then after each wait);
    /// the run's row, taken by each step, keeps two from stepping at once.
    fn dedupe_key(_: &RunPayload) -> Option<String> {
        None
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: RunPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a workflow run's job without a tenant".into(),
            };
        };
        match advance(state, tenant, p.run_id).await {
            Ok(Advanced::Done) => Outcome::Done,
            Ok(Advanced::NotYet(at)) => Outcome::Retry {
                error: "woken before the end of its wait".into(),
                after_ms: Some((at.as_millis() - state.now().as_millis()).max(0)),
            },
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: RunPayload,
        _error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        give_up(tx, p.run_id, now).await
    }
}

/// Queues, in `tx`, the job that takes run `id` on at `at`.
pub async fn enqueue_run(
    tx: &mut TenantTx,
    id: WorkflowRunId,
    at: Timestamp,
) -> store::StoreResult<()> {
    let mut job = new_job::<RunWorkflow>(&RunPayload { run_id: id }, at);
    job.run_at = at;
    tx.enqueue_job(job).await?;
    Ok(())
}
