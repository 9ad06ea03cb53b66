use crate::channels::send::Lane;
use crate::error::AppResult;
use domain::{MediaId, MessageId, TenantId, Timestamp, WebhookId};
use serde_json::json;
use store::jobs::NewJob;
use store::{SystemTx, TenantTx};

pub const PROCESS_DELIVERY: &str = "webhook.process";
pub const SEND_MESSAGE: &str = "message.send";
pub const RELEASE_HELD: &str = "tenant.release_held";
pub const FETCH_MEDIA: &str = "media.fetch";

/// Processing of a stored webhook delivery, to enqueue in the transaction
/// that stores it.
pub fn delivery_job(id: WebhookId, now: Timestamp) -> NewJob {
    NewJob::new(
        "webhooks",
        PROCESS_DELIVERY,
        json!({ "delivery_id": id }),
        now,
    )
    .dedupe(format!("delivery:{id}"))
}

/// Delivery of a queued message to Meta, in the transaction that queued it.
pub async fn enqueue_send(
    tx: &mut TenantTx,
    id: MessageId,
    lane: Lane,
    now: Timestamp,
) -> AppResult<()> {
    let job = NewJob::new("send", SEND_MESSAGE, json!({ "message_id": id }), now)
        .lane(lane.priority())
        .dedupe(format!("send:{id}"))
        .max_attempts(50);
    tx.enqueue_job(job).await?;
    Ok(())
}

/// Release of a tenant's held inbound events after reactivation.
pub async fn enqueue_release_held(
    sys: &mut SystemTx,
    tenant: TenantId,
    now: Timestamp,
) -> AppResult<()> {
    let job = NewJob::new("tenants", RELEASE_HELD, json!({ "tenant_id": tenant }), now);
    sys.enqueue_job(Some(tenant), job).await?;
    Ok(())
}

/// Download of an inbound message's media, in the transaction that stored
/// the message.
pub async fn enqueue_media_fetch(
    tx: &mut TenantTx,
    id: MediaId,
    now: Timestamp,
) -> store::StoreResult<()> {
    let job = NewJob::new("media", FETCH_MEDIA, json!({ "media_id": id }), now)
        .dedupe(format!("media:{id}"))
        .max_attempts(12);
    tx.enqueue_job(job).await?;
    Ok(())
}
