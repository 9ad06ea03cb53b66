//! Each customer's place in the bot's conversation on a number
//! (`booking_sessions`): the state is JSON to the store.

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{ChannelId, ContactId, ConversationId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A customer's session with the bot.
#[derive(Debug, Clone, PartialEq)]
pub struct BotSession {
    pub channel_id: ChannelId,
    pub contact_id: ContactId,
    pub conversation_id: ConversationId,
    pub state: Value,
    /// Handed to the team: the bot is quiet until the conversation is
    /// resolved.
    pub handed_off: bool,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    channel_id: Uuid,
    contact_id: Uuid,
    conversation_id: Uuid,
    state: String,
    handed_off: i64,
    updated_at: i64,
}

impl TryFrom<Row> for BotSession {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(BotSession {
            channel_id: ChannelId::from_uuid(r.channel_id),
            contact_id: ContactId::from_uuid(r.contact_id),
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            state: serde_json::from_str(&r.state).map_err(StoreError::corrupt)?,
            handed_off: r.handed_off != 0,
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "channel_id, contact_id, conversation_id, state, handed_off, updated_at";

impl TenantTx {
    /// The customer's session on a number, if any.
    pub async fn find_bot_session(
        &mut self,
        channel: ChannelId,
        contact: ContactId,
    ) -> StoreResult<Option<BotSession>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM booking_sessions \
             WHERE tenant_id = $1 AND channel_id = $2 AND contact_id = $3"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .bind(contact.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(BotSession::try_from).transpose()
    }

    /// The session of a conversation, if the bot has one there.
    pub async fn find_bot_session_of(
        &mut self,
        conversation: ConversationId,
    ) -> StoreResult<Option<BotSession>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM booking_sessions WHERE tenant_id = $1 AND conversation_id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(BotSession::try_from).transpose()
    }

    /// Writes a session (inserted or replaced).
    pub async fn upsert_bot_session(&mut self, s: &BotSession) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO booking_sessions (tenant_id, channel_id, contact_id, conversation_id, \
                 state, handed_off, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, channel_id, contact_id) DO UPDATE SET \
                 conversation_id = excluded.conversation_id, state = excluded.state, \
                 handed_off = excluded.handed_off, updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.channel_id.as_uuid())
        .bind(s.contact_id.as_uuid())
        .bind(s.conversation_id.as_uuid())
        .bind(s.state.to_string())
        .bind(i64::from(s.handed_off))
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
