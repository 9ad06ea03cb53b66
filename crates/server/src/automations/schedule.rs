//! Schedule triggers. An enabled workflow whose trigger is a `schedule`
//! keeps its next fire time on its row and has a `workflow.schedule` job
//! due then. The job records `workflow.schedule_fired` (which the trigger
//! consumer turns into a run, once) and arms the next fire, in one
//! transaction, so a fire is never lost nor doubled across crashes.
//!
//! Changing the cron, disabling or deleting the workflow moves or clears
//! the fire time; a job whose time is no longer the workflow's does
//! nothing. Fires missed while the server was down come as one fire when
//! it is back (then the schedule goes on from the present).

use super::cron::Cron;
use super::definition::{Definition, Trigger};
use crate::jobs::{JobKind, Outcome, Queue, new_job};
use crate::state::AppState;
use crate::tenancy::zone::tenant_zone;
use domain::events::{Event, WorkflowScheduleFired};
use domain::{TenantId, Timestamp, WorkflowId};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use store::workflows::Workflow;
use store::{StoreError, TenantTx};

/// Which workflow, and the fire time the job is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct FirePayload {
    pub workflow_id: WorkflowId,
    pub at: Timestamp,
}

/// Fires a workflow's schedule, and arms its next fire.
pub struct FireSchedule;

impl JobKind for FireSchedule {
    const KIND: &'static str = "workflow.schedule";
    const QUEUE: Queue = Queue::Automations;
    type Payload = FirePayload;

    fn dedupe_key(p: &FirePayload) -> Option<String> {
        Some(format!("{}:{}", p.workflow_id, p.at.as_millis()))
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: FirePayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a schedule's job without a tenant".into(),
            };
        };
        match fire(state, tenant, p).await {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// The zone the tenant's schedules are read in (UTC if unknown).
async fn zone(tx: &mut TenantTx) -> anyhow::Result<TimeZone> {
    let name = tenant_zone(tx).await?;
    Ok(TimeZone::get(&name).unwrap_or(TimeZone::UTC))
}

async fn fire(state: &AppState, tenant: TenantId, p: FirePayload) -> anyhow::Result<()> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let w = match tx.find_workflow(p.workflow_id).await {
        Ok(w) => w,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if !w.enabled {
        return Ok(());
    }
    let d: Definition = serde_json::from_value(tx.workflow_definition(w.id, w.version).await?)?;
    let from = if p.at > now { p.at } else { now };
    let next = next_fire(&mut tx, &d, from).await?;
    // Moving the time only if it is still this job's keeps two nodes (or
    // a stale job) from firing one time twice.
    if !tx.move_workflow_fire(w.id, p.at, next).await? {
        return Ok(());
    }
    let event = WorkflowScheduleFired {
        workflow_id: w.id,
        scheduled_for: p.at,
    };
    crate::events::record(&mut tx, Event::WorkflowScheduleFired(event), now);
    if let Some(at) = next {
        enqueue(&mut tx, w.id, at).await?;
    }
    tx.commit().await?;
    state.wake_workers();
    Ok(())
}

/// When `d`'s schedule fires first after `after`; `None` for a workflow
/// with another trigger.
async fn next_fire(
    tx: &mut TenantTx,
    d: &Definition,
    after: Timestamp,
) -> anyhow::Result<Option<Timestamp>> {
    let Trigger::Schedule { cron } = &d.trigger else {
        return Ok(None);
    };
    let Ok(cron) = Cron::parse(cron) else {
        return Ok(None);
    };
    Ok(cron.next_after(&zone(tx).await?, after))
}

/// Queues the job that fires workflow `id` at `at`.
async fn enqueue(tx: &mut TenantTx, id: WorkflowId, at: Timestamp) -> anyhow::Result<()> {
    let payload = FirePayload {
        workflow_id: id,
        at,
    };
    let mut job = new_job::<FireSchedule>(&payload, at);
    job.run_at = at;
    tx.enqueue_job(job).await?;
    Ok(())
}

/// Arms (or clears) `w`'s schedule after it was created or changed, in
/// `tx`: an enabled workflow with a schedule trigger fires next at its
/// next time from `now`. A schedule that did not change keeps its time.
/// Answers the time it fires next.
pub async fn arm(
    tx: &mut TenantTx,
    w: &Workflow,
    d: &Definition,
    now: Timestamp,
) -> anyhow::Result<Option<Timestamp>> {
    let next = if w.enabled {
        next_fire(tx, d, now).await?
    } else {
        None
    };
    if tx.workflow_next_fire_at(w.id).await? != next {
        tx.set_workflow_next_fire_at(w.id, next).await?;
        if let Some(at) = next {
            enqueue(tx, w.id, at).await?;
        }
    }
    Ok(next)
}
