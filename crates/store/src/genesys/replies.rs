//! What Genesys' agents sent (`genesys_replies`): each agent message once,
//! however often Genesys delivers it, with the WhatsApp message it became
//! or why it did not.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{HandoverId, MessageId, Timestamp};
use uuid::Uuid;

/// An agent's message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: Uuid,
    pub handover_id: HandoverId,
    pub genesys_message_id: String,
    pub message_id: Option<MessageId>,
    pub refused: Option<String>,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    handover_id: Uuid,
    genesys_message_id: String,
    message_id: Option<Uuid>,
    refused: Option<String>,
    created_at: i64,
}

impl From<Row> for Reply {
    fn from(r: Row) -> Self {
        Reply {
            id: r.id,
            handover_id: HandoverId::from_uuid(r.handover_id),
            genesys_message_id: r.genesys_message_id,
            message_id: r.message_id.map(MessageId::from_uuid),
            refused: r.refused,
            created_at: Timestamp::from_millis(r.created_at),
        }
    }
}

const COLUMNS: &str = "id, handover_id, genesys_message_id, message_id, refused, created_at";

impl TenantTx {
    /// Records agent message `genesys_id` of `handover`, as the message it
    /// became (`message`) or refused (`refused`); false if it was
    /// recorded before (Genesys delivered it again).
    pub async fn insert_genesys_reply(
        &mut self,
        handover: HandoverId,
        genesys_id: &str,
        message: Option<MessageId>,
        refused: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO genesys_replies (tenant_id, id, handover_id, genesys_message_id, \
                 message_id, refused, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, handover_id, genesys_message_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(handover.as_uuid())
        .bind(genesys_id)
        .bind(message.map(|m| m.as_uuid()))
        .bind(refused)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Whether agent message `genesys_id` of `handover` was recorded.
    pub async fn genesys_reply_exists(
        &mut self,
        handover: HandoverId,
        genesys_id: &str,
    ) -> StoreResult<bool> {
        let row: Option<(Uuid,)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT id FROM genesys_replies \
             WHERE tenant_id = $1 AND handover_id = $2 AND genesys_message_id = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(handover.as_uuid())
        .bind(genesys_id)
        .fetch_optional(c)
        .await)?;
        Ok(row.is_some())
    }

    /// The agent's message our `message` was sent for, if it was one.
    pub async fn find_genesys_reply_of(
        &mut self,
        message: MessageId,
    ) -> StoreResult<Option<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_replies WHERE tenant_id = $1 AND message_id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(message.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// Agents' messages of `handover`, oldest first.
    pub async fn list_genesys_replies(&mut self, handover: HandoverId) -> StoreResult<Vec<Reply>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM genesys_replies WHERE tenant_id = $1 AND handover_id = $2 \
             ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(handover.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }
}
