//! `analytics_conversations`: a conversation from the moment it opens (or
//! reopens) until it is resolved, with the times response and resolution
//! are measured from.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{ChannelId, ConversationId, TeamId, Timestamp, UserId};
use uuid::Uuid;

/// One conversation between its opening and its resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Episode {
    pub conversation_id: ConversationId,
    pub opened_at: Timestamp,
    pub channel_id: ChannelId,
    pub team_id: Option<TeamId>,
    pub assigned_user_id: Option<UserId>,
    /// The customer's first message since it opened.
    pub customer_at: Option<Timestamp>,
    /// A person's first answer after `customer_at`.
    pub responded_at: Option<Timestamp>,
    /// Who gave it, when a signed-in person did.
    pub responder_user_id: Option<UserId>,
    pub resolved_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    conversation_id: Uuid,
    opened_at: i64,
    channel_id: Uuid,
    team_id: Option<Uuid>,
    assigned_user_id: Option<Uuid>,
    customer_at: Option<i64>,
    responded_at: Option<i64>,
    responder_user_id: Option<Uuid>,
    resolved_at: Option<i64>,
}

impl From<Row> for Episode {
    fn from(r: Row) -> Self {
        Episode {
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            opened_at: Timestamp::from_millis(r.opened_at),
            channel_id: ChannelId::from_uuid(r.channel_id),
            team_id: r.team_id.map(TeamId::from_uuid),
            assigned_user_id: r.assigned_user_id.map(UserId::from_uuid),
            customer_at: r.customer_at.map(Timestamp::from_millis),
            responded_at: r.responded_at.map(Timestamp::from_millis),
            responder_user_id: r.responder_user_id.map(UserId::from_uuid),
            resolved_at: r.resolved_at.map(Timestamp::from_millis),
        }
    }
}

const COLUMNS: &str = "conversation_id, opened_at, channel_id, team_id, assigned_user_id, \
     customer_at, responded_at, responder_user_id, resolved_at";

impl TenantTx {
    /// The conversation's latest episode, resolved or not.
    pub async fn latest_episode(
        &mut self,
        conversation: ConversationId,
    ) -> StoreResult<Option<Episode>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM analytics_conversations \
             WHERE tenant_id = $1 AND conversation_id = $2 ORDER BY opened_at DESC LIMIT 1"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Episode::from))
    }

    /// Writes an episode (inserted, or replaced by its conversation and
    /// opening time).
    pub async fn upsert_episode(&mut self, e: &Episode) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO analytics_conversations (tenant_id, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (tenant_id, conversation_id, opened_at) DO UPDATE SET \
                 channel_id = excluded.channel_id, team_id = excluded.team_id, \
                 assigned_user_id = excluded.assigned_user_id, \
                 customer_at = excluded.customer_at, responded_at = excluded.responded_at, \
                 responder_user_id = excluded.responder_user_id, \
                 resolved_at = excluded.resolved_at"
        );
        exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(self.tenant.as_uuid())
        .bind(e.conversation_id.as_uuid())
        .bind(e.opened_at.as_millis())
        .bind(e.channel_id.as_uuid())
        .bind(e.team_id.map(|t| t.as_uuid()))
        .bind(e.assigned_user_id.map(|u| u.as_uuid()))
        .bind(e.customer_at.map(Timestamp::as_millis))
        .bind(e.responded_at.map(Timestamp::as_millis))
        .bind(e.responder_user_id.map(|u| u.as_uuid()))
        .bind(e.resolved_at.map(Timestamp::as_millis))
        .execute(c)
        .await)
        .map(drop)
    }

    /// The episodes opened in `[from, to)`, oldest first.
    pub async fn episodes_opened_between(
        &mut self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Episode>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM analytics_conversations \
             WHERE tenant_id = $1 AND opened_at >= $2 AND opened_at < $3 ORDER BY opened_at"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(from.as_millis())
        .bind(to.as_millis())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Episode::from).collect())
    }
}
