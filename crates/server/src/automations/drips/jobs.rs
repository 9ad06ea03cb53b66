//! Background work of drips, registered with the job runtime: the
//! consumer of the event log that ends enrolments ([`super::exits`]), one
//! `drip.step` job per due step of a subscriber (enqueued in the
//! transaction that enrols it or sends its previous step), and
//! `drip.enrol_segment`, which enrols a segment's contacts a batch at a
//! time, each batch queueing the next in its own transaction.

use super::enrol::{Outcome as Enrolled, enrol};
use super::rules::read;
use super::step::{Stepped, give_up, run_step};
use crate::jobs::{JobKind, Outcome, Queue, Registry, new_job};
use crate::state::AppState;
use domain::{DripId, DripSubscriberId, SegmentId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::crm::rules::sql::Selection;
use store::page::PageRequest;
use store::{StoreError, TenantTx};

/// Contacts a segment batch enrols.
const SEGMENT_BATCH: u32 = 200;

/// Registers the area's jobs and poller.
pub fn register(registry: &mut Registry) {
    registry.register::<SendStep>();
    registry.register::<EnrolSegment>();
    registry.poll(super::exits::CONSUMER, super::exits::poll);
}

/// Which subscriber, at which step.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct StepPayload {
    pub subscriber_id: DripSubscriberId,
    pub step: i64,
}

/// Sends a subscriber's due step.
pub struct SendStep;

impl JobKind for SendStep {
    const KIND: &'static str = "drip.step";
    const QUEUE: Queue = Queue::Automations;
    const MAX_ATTEMPTS: i64 = 12;
    type Payload = StepPayload;

    /// One job per subscriber and step; the subscriber's row, taken by
    /// the job, keeps a step from being sent twice anyway.
    fn dedupe_key(p: &StepPayload) -> Option<String> {
        Some(format!("drip.step:{}:{}", p.subscriber_id, p.step))
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: StepPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a drip step's job without a tenant".into(),
            };
        };
        match run_step(state, tenant, p.subscriber_id, p.step).await {
            Ok(Stepped::Nothing) => Outcome::Done,
            Ok(Stepped::Commit(tx)) => {
                state.wake_workers();
                Outcome::CommitTenant(tx)
            }
            Ok(Stepped::NotYet(at)) => Outcome::Retry {
                error: "woken before its step was due".into(),
                after_ms: Some((at.as_millis() - state.now().as_millis()).max(0)),
            },
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: StepPayload,
        _error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        give_up(tx, p.subscriber_id, p.step, now).await
    }
}

/// Queues, in `tx`, the job that sends step `step` of subscriber `id` at
/// `at`.
pub async fn enqueue_step(
    tx: &mut TenantTx,
    id: DripSubscriberId,
    step: i64,
    at: Timestamp,
) -> store::StoreResult<()> {
    let payload = StepPayload {
        subscriber_id: id,
        step,
    };
    let mut job = new_job::<SendStep>(&payload, at);
    job.run_at = at;
    tx.enqueue_job(job).await?;
    Ok(())
}

/// Which drip, which segment, and where the last batch ended.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct SegmentPayload {
    pub drip_id: DripId,
    pub segment_id: SegmentId,
    pub after: Option<uuid::Uuid>,
}

/// Enrols one batch of a segment's contacts and queues the next.
pub struct EnrolSegment;

impl JobKind for EnrolSegment {
    const KIND: &'static str = "drip.enrol_segment";
    const QUEUE: Queue = Queue::Automations;
    type Payload = SegmentPayload;

    fn dedupe_key(_: &SegmentPayload) -> Option<String> {
        None
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: SegmentPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a segment enrolment's job without a tenant".into(),
            };
        };
        match enrol_batch(state, tenant, p).await {
            Ok(Some(tx)) => {
                state.wake_workers();
                Outcome::CommitTenant(tx)
            }
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// Queues, in `tx`, the batch of segment `segment` after `after`.
pub async fn enqueue_segment(
    tx: &mut TenantTx,
    drip: DripId,
    segment: SegmentId,
    after: Option<uuid::Uuid>,
    now: Timestamp,
) -> store::StoreResult<()> {
    let payload = SegmentPayload {
        drip_id: drip,
        segment_id: segment,
        after,
    };
    tx.enqueue_job(new_job::<EnrolSegment>(&payload, now))
        .await?;
    Ok(())
}

/// One batch: `None` if the drip or segment is gone or the drip was
/// disabled meanwhile (the enrolment stops there).
async fn enrol_batch(
    state: &AppState,
    tenant: TenantId,
    p: SegmentPayload,
) -> anyhow::Result<Option<TenantTx>> {
    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let (drip, segment) = match (
        tx.find_drip(p.drip_id).await,
        tx.find_segment(p.segment_id).await,
    ) {
        (Ok(d), Ok(s)) if d.enabled => (d, s),
        (Err(e), _) | (_, Err(e)) if !matches!(e, StoreError::NotFound) => return Err(e.into()),
        _ => return Ok(None),
    };
    let def = read(&drip).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let selection = Selection {
        rules: segment.rules,
        search: None,
    };
    let page = PageRequest::new(p.after, SEGMENT_BATCH);
    let found = tx.page_selected_contacts(&selection, now, page).await?;
    let mut enrolled = 0;
    for c in &found.items {
        if enrol(&mut tx, &drip, &def, c, "segment", now)
            .await
            .map_err(|e| anyhow::anyhow!("{e:#}"))?
            == Enrolled::Enrolled
        {
            enrolled += 1;
        }
    }
    tracing::info!(tenant_id = %tenant, drip_id = %drip.id, enrolled, "drip segment batch");
    if let Some(next) = found.next {
        enqueue_segment(&mut tx, p.drip_id, p.segment_id, Some(next), now).await?;
    }
    Ok(Some(tx))
}
