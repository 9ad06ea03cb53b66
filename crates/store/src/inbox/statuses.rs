//! The status history of outbound messages, and their current status.

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::messaging::MessageStatus;
use domain::{MessageId, Timestamp};

/// A status report from Meta about one of our messages.
#[derive(Debug, Clone)]
pub struct StatusUpdate<'a> {
    pub status: MessageStatus,
    pub occurred_at: Timestamp,
    pub error_code: Option<i64>,
    pub error_title: Option<&'a str>,
    pub error_detail: Option<&'a str>,
    pub now: Timestamp,
}

/// What a status report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusApplied {
    /// The message's current status moved forward to it.
    Advanced,
    /// Recorded in the history, but the message is already past it (a
    /// `delivered` after `read`, anything after `failed`).
    OutOfOrder,
    /// A repeat of a status the history has.
    Repeat,
}

/// One row of a message's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub status: MessageStatus,
    pub occurred_at: Timestamp,
    /// It arrived after a later status and did not change the message.
    pub out_of_order: bool,
}

impl TenantTx {
    /// Applies a status report (see [`Self::record_message_status`]);
    /// returns whether the current status changed.
    pub async fn apply_message_status(
        &mut self,
        id: MessageId,
        s: StatusUpdate<'_>,
    ) -> StoreResult<bool> {
        Ok(self.record_message_status(id, s).await? == StatusApplied::Advanced)
    }

    /// Applies a status report. The history keeps every distinct status
    /// once, flagged when it came out of order; the message's current
    /// status only moves forward (a late `delivered` never overwrites
    /// `read`, and `failed` is final).
    pub async fn record_message_status(
        &mut self,
        id: MessageId,
        s: StatusUpdate<'_>,
    ) -> StoreResult<StatusApplied> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE messages SET status = $3, status_rank = $4, \
                 error_code = COALESCE($5, error_code), error_title = COALESCE($6, error_title), \
                 error_detail = COALESCE($7, error_detail), updated_at = $8 \
             WHERE tenant_id = $1 AND id = $2 AND status_rank < $4 AND status <> 'failed'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(s.status.as_str())
        .bind(s.status.rank())
        .bind(s.error_code)
        .bind(s.error_title)
        .bind(s.error_detail)
        .bind(s.now.as_millis())
        .execute(c)
        .await)?;
        let advanced = n == 1;
        let recorded = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO message_statuses (tenant_id, message_id, status, occurred_at, error_code, \
                                           recorded_at, out_of_order) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(s.status.as_str())
        .bind(s.occurred_at.as_millis())
        .bind(s.error_code)
        .bind(s.now.as_millis())
        .bind(i64::from(!advanced))
        .execute(c)
        .await
        })?;
        Ok(match (advanced, recorded) {
            (true, _) => StatusApplied::Advanced,
            (false, 0) => StatusApplied::Repeat,
            (false, _) => StatusApplied::OutOfOrder,
        })
    }

    /// The statuses a message went through, in the order they happened.
    pub async fn list_message_statuses(&mut self, id: MessageId) -> StoreResult<Vec<StatusEntry>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, (String, i64, i64)>(
            "SELECT status, occurred_at, out_of_order FROM message_statuses \
             WHERE tenant_id = $1 AND message_id = $2 ORDER BY occurred_at, recorded_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(s, t, late)| {
                MessageStatus::parse(&s)
                    .map(|status| StatusEntry {
                        status,
                        occurred_at: Timestamp::from_millis(t),
                        out_of_order: late != 0,
                    })
                    .ok_or_else(|| StoreError::corrupt(format!("status {s}")))
            })
            .collect()
    }
}
