//! Background work of the area, registered with the job runtime: one
//! `scheduled_message.fire` job per scheduled message and time, enqueued
//! in the transaction that schedules (or moves) it, due at that time. Jobs
//! are rows in the database, so a restart loses none; the work itself is
//! [`super::fire`].
//!
//! Moving a message to another time queues a job for the new time; the
//! old one still runs at the old time and finds it not yet due (and a
//! cancelled or sent one finds it no longer scheduled): it does nothing.

use crate::jobs::{JobKind, Outcome, Queue, Registry, new_job};
use crate::state::AppState;
use domain::{ScheduledMessageId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::TenantTx;

/// Registers the area's jobs and pollers.
pub fn register(registry: &mut Registry) {
    registry.register::<FireScheduled>();
}

/// Which scheduled message, and the time this job is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct FirePayload {
    pub scheduled_message_id: ScheduledMessageId,
    pub send_at: Timestamp,
}

/// Sends a scheduled message when its time comes.
pub struct FireScheduled;

impl JobKind for FireScheduled {
    const KIND: &'static str = "scheduled_message.fire";
    /// Beside the sends it queues, in their conversational lane.
    const QUEUE: Queue = Queue::Send;
    const MAX_ATTEMPTS: i64 = 12;
    type Payload = FirePayload;

    /// One job per message and time: moving it back to a time it had
    /// finds that time's job still pending.
    fn dedupe_key(p: &FirePayload) -> Option<String> {
        Some(format!(
            "scheduled:{}:{}",
            p.scheduled_message_id,
            p.send_at.as_millis()
        ))
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: FirePayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a scheduled message's job without a tenant".into(),
            };
        };
        match super::fire::fire(state, tenant, p.scheduled_message_id).await {
            Ok(Some(tx)) => Outcome::CommitTenant(tx),
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: FirePayload,
        _error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        super::fire::give_up(tx, p.scheduled_message_id, p.send_at, now).await
    }
}

/// Queues, in `tx`, the job that fires scheduled message `id` at `send_at`.
pub async fn enqueue_fire(
    tx: &mut TenantTx,
    id: ScheduledMessageId,
    send_at: Timestamp,
    now: Timestamp,
) -> store::StoreResult<()> {
    let payload = FirePayload {
        scheduled_message_id: id,
        send_at,
    };
    let mut job = new_job::<FireScheduled>(&payload, now);
    job.run_at = send_at;
    tx.enqueue_job(job).await?;
    Ok(())
}
