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
    /// Claims agent message `genesys_id` of `handover` before anything is
    /// done for it; false if it was claimed before (Genesys delivered it
    /// again, perhaps while the first delivery was still being taken: the
    /// unique key makes the second wait for the first and find it).
    pub async fn claim_genesys_reply(
        &mut self,
        handover: HandoverId,
        genesys_id: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO genesys_replies (tenant_id, id, handover_id, genesys_message_id, \
                 created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id, handover_id, genesys_message_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(handover.as_uuid())
        .bind(genesys_id)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// What became of claimed agent message `genesys_id` of `handover`:
    /// the message it became (`message`), or why it was refused.
    pub async fn settle_genesys_reply(
        &mut self,
        handover: HandoverId,
        genesys_id: &str,
        message: Option<MessageId>,
        refused: Option<&str>,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE genesys_replies SET message_id = $4, refused = $5 \
             WHERE tenant_id = $1 AND handover_id = $2 AND genesys_message_id = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(handover.as_uuid())
        .bind(genesys_id)
        .bind(message.map(|m| m.as_uuid()))
        .bind(refused)
        .execute(c)
        .await)?;
        Ok(())
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
}
