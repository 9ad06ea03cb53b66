//! TEMPORARY: replaced by the job queue wiring before commit.
use domain::{Timestamp, WebhookId};
pub async fn enqueue_delivery(
    _sys: &mut store::SystemTx,
    _id: WebhookId,
    _now: Timestamp,
) -> crate::error::AppResult<()> {
    Ok(())
}
