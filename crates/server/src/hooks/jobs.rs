//! The delivery job (`webhook.deliver`): one attempt of one delivery per
//! run, retried on the delivery's own schedule; and the fan-out poller.

use super::deliver::{Step, attempt};
use super::fanout;
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::{DeliveryId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::TenantTx;

/// Registers the outbound webhooks' job and poller.
pub fn register(registry: &mut Registry) {
    registry.register::<Deliver>();
    registry.poll("hooks.fanout", fanout::poll);
}

/// Which delivery, and which series of its attempts (a replay starts a new
/// series; a job of an older one stops).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DeliverPayload {
    pub delivery_id: DeliveryId,
    /// When the series started, in milliseconds.
    pub series: i64,
}

/// Delivers one webhook.
pub struct Deliver;

impl JobKind for Deliver {
    const KIND: &'static str = "webhook.deliver";
    const QUEUE: Queue = Queue::Hooks;
    /// The delivery counts its own attempts and ends its series when its
    /// retry window closes; the job never gives up first.
    const MAX_ATTEMPTS: i64 = 1_000_000;
    type Payload = DeliverPayload;

    /// None: dedupe keys are unique for ever in the jobs table, and a
    /// replayed delivery must be able to queue again. The delivery's claim
    /// (`claim_hook_delivery`) keeps two jobs from sending it at once.
    fn dedupe_key(_: &DeliverPayload) -> Option<String> {
        None
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: DeliverPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a webhook delivery without a tenant".into(),
            };
        };
        match attempt(
            state,
            tenant,
            p.delivery_id,
            Timestamp::from_millis(p.series),
        )
        .await
        {
            Ok(Step::Done) => Outcome::Done,
            Ok(Step::Busy) => Outcome::Retry {
                error: "the endpoint has as many requests in flight as it may".into(),
                after_ms: Some(200),
            },
            Ok(Step::RetryIn { ms, error }) => Outcome::Retry {
                error,
                after_ms: Some(ms.max(0)),
            },
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// Queues an attempt of `delivery`'s series started at `series`, due at
/// `run_at`, in the caller's transaction.
pub async fn enqueue_attempt(
    tx: &mut TenantTx,
    delivery: DeliveryId,
    series: Timestamp,
    run_at: Timestamp,
) -> store::StoreResult<()> {
    let payload = DeliverPayload {
        delivery_id: delivery,
        series: series.as_millis(),
    };
    let mut job = crate::jobs::new_job::<Deliver>(&payload, run_at);
    job.run_at = run_at;
    tx.enqueue_job(job).await?;
    Ok(())
}
