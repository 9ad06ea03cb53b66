//! A scheduled campaign's start: a job (`campaign.start`) due at its start
//! time that starts it if it is still scheduled for that time; one that
//! cannot start (the quota, a deleted segment) goes back to draft with the
//! reason.

use super::lifecycle::begin;
use crate::auth::{TenantCtx, Via};
use crate::error::AppError;
use crate::jobs::{JobKind, Outcome, Queue, Registry, new_job};
use crate::state::AppState;
use domain::{CampaignId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::campaigns::{Campaign, CampaignStatus};
use store::{StoreError, TenantTx};

pub fn register(registry: &mut Registry) {
    registry.register::<StartCampaign>();
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct StartPayload {
    pub campaign_id: CampaignId,
    /// The start time it was scheduled for (milliseconds).
    pub at: i64,
}

/// A scheduled campaign's start.
pub struct StartCampaign;

impl JobKind for StartCampaign {
    const KIND: &'static str = "campaign.start";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 20;
    type Payload = StartPayload;

    fn dedupe_key(p: &StartPayload) -> Option<String> {
        Some(format!("campaign:{}:start:{}", p.campaign_id, p.at))
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: StartPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "a campaign start without a tenant".into(),
            };
        };
        match start_scheduled(state, tenant, p).await {
            Ok(()) => {
                state.wake_workers();
                Outcome::Done
            }
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }
}

/// Queues the start of `c` at `at`.
pub async fn enqueue_start(
    tx: &mut TenantTx,
    c: &Campaign,
    at: Timestamp,
) -> store::StoreResult<()> {
    let payload = StartPayload {
        campaign_id: c.id,
        at: at.as_millis(),
    };
    tx.enqueue_job(new_job::<StartCampaign>(&payload, at))
        .await?;
    Ok(())
}

/// Starts a campaign scheduled for `p.at`, if it still is; one that cannot
/// start goes back to draft with the reason.
async fn start_scheduled(
    state: &AppState,
    tenant: TenantId,
    p: StartPayload,
) -> anyhow::Result<()> {
    let now = state.now();
    let ctx = TenantCtx::system(tenant, Via::Worker);
    let mut tx = state.store.tenant(tenant).await?;
    let mut c = match tx.lock_campaign(p.campaign_id).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if c.status != CampaignStatus::Scheduled || c.start_at.map(Timestamp::as_millis) != Some(p.at) {
        return Ok(());
    }
    match begin(&mut tx, &ctx, &mut c, now).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(())
        }
        Err(AppError::Rule(code, msg)) => {
            drop(tx);
            let mut tx = state.store.tenant(tenant).await?;
            let mut c = tx.lock_campaign(p.campaign_id).await?;
            c.status = CampaignStatus::Draft;
            c.status_reason = Some(format!("{code}: {msg}"));
            c.updated_at = now;
            tx.update_campaign(&c).await?;
            super::changed(&mut tx, &ctx, &c, "update", now)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tx.commit().await?;
            Ok(())
        }
        Err(e) => Err(anyhow::anyhow!("{e:?}")),
    }
}
