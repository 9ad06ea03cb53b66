//! Why a queued message is held back (its number needs new credentials,
//! its tenant is suspended), shown to the tenant while it waits.

use crate::db::{TenantTx, exec};
use crate::error::StoreResult;
use domain::{MessageId, Timestamp};

impl TenantTx {
    /// Sets (or, with `None`, clears) why queued message `id` waits.
    /// Returns whether it changed.
    pub async fn set_message_waiting(
        &mut self,
        id: MessageId,
        reason: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE messages SET waiting_reason = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2 \
               AND COALESCE(waiting_reason, '') <> COALESCE($3, '')"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(reason)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n == 1)
    }
}
