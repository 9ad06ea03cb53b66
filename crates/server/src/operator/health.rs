//! The platform's health as the operator sees it: queue depths, webhook
//! processing, failed jobs, numbers that cannot send, and the webhook
//! events no tenant may have (unroutable), whose content stays with the
//! platform.

use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::state::AppState;
use store::channels::Channel;
use store::jobs::QueueDepth;
use store::page::{Page, PageRequest};
use store::webhooks::Unroutable;

/// How many unroutable events the health page shows.
const HEALTH_UNROUTABLE: u32 = 50;

/// How many numbers that cannot send the health page shows.
const HEALTH_NUMBERS: u32 = 100;

/// The health page's figures.
#[derive(Debug, Clone)]
pub struct Health {
    /// Jobs per queue and status.
    pub queues: Vec<QueueDepth>,
    /// Jobs that failed for good, over every queue.
    pub failed_jobs: i64,
    pub webhooks_processed: i64,
    pub webhooks_pending: i64,
    /// The newest unroutable events.
    pub unroutable: Vec<Unroutable>,
    /// Numbers that cannot send (needing credentials, restricted, disabled
    /// or offboarded by Meta), with their tenant's slug.
    pub numbers_not_sending: Vec<(String, Channel)>,
}

impl Health {
    /// The share of stored webhooks already processed, in percent; `None`
    /// before the first webhook.
    pub fn webhook_success_percent(&self) -> Option<i64> {
        match self.webhooks_processed + self.webhooks_pending {
            0 => None,
            total => Some(self.webhooks_processed * 100 / total),
        }
    }
}

/// The platform's health now.
pub async fn get_health(state: &AppState, _ctx: &OperatorCtx) -> AppResult<Health> {
    let queues = state.store.queue_depths().await?;
    let mut sys = state.store.system_read().await?;
    let webhooks_processed = sys.count_webhooks("processed").await?;
    let webhooks_pending = sys.count_webhooks("pending").await?;
    let unroutable = sys
        .list_unroutable(PageRequest::new(None, HEALTH_UNROUTABLE))
        .await?
        .items;
    // One look-up per tenant, however many of its numbers are listed.
    let mut slugs = std::collections::HashMap::new();
    let mut numbers_not_sending = Vec::new();
    for channel in sys.list_channels_not_sending(HEALTH_NUMBERS).await? {
        let slug = match slugs.get(&channel.tenant_id) {
            Some(slug) => String::clone(slug),
            None => {
                let slug = sys.find_tenant(channel.tenant_id).await?.slug;
                slugs.insert(channel.tenant_id, slug.clone());
                slug
            }
        };
        numbers_not_sending.push((slug, channel));
    }
    sys.commit().await?;
    let failed_jobs = queues
        .iter()
        .filter(|d| d.status == "failed")
        .map(|d| d.jobs)
        .sum();
    Ok(Health {
        queues,
        failed_jobs,
        webhooks_processed,
        webhooks_pending,
        unroutable,
        numbers_not_sending,
    })
}

/// Webhook events no tenant may have, newest first.
pub async fn list_unroutable(
    state: &AppState,
    _ctx: &OperatorCtx,
    page: PageRequest,
) -> AppResult<Page<Unroutable>> {
    let mut sys = state.store.system_read().await?;
    let events = sys.list_unroutable(page).await?;
    sys.commit().await?;
    Ok(events)
}
