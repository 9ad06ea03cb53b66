use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use crate::placeholders::{list, rows_per_statement};
use domain::messaging::MessageStatus;
use domain::{ChannelId, ConversationId, MessageId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "in",
            Direction::Outbound => "out",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    pub direction: Direction,
    pub wamid: Option<String>,
    /// `text`, `image`, `template`, `reaction`, … (Meta's `type`).
    pub kind: String,
    /// The message object as Meta sent it (inbound) or as we send it.
    pub content: Value,
    pub reply_to_wamid: Option<String>,
    pub status: MessageStatus,
    pub error_code: Option<i64>,
    pub error_title: Option<String>,
    pub error_detail: Option<String>,
    /// Meta's timestamp for the message, when known.
    pub provider_time: Option<Timestamp>,
    /// When the customer last edited it (its earlier content is in the
    /// message's revisions).
    pub edited_at: Option<Timestamp>,
    /// When the customer deleted it: its content is no longer shown.
    pub deleted_at: Option<Timestamp>,
    /// Why a queued message is not being sent yet, while something holds it.
    pub waiting_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
pub(super) struct Row {
    id: Uuid,
    conversation_id: Uuid,
    channel_id: Uuid,
    direction: String,
    wamid: Option<String>,
    kind: String,
    content: String,
    reply_to_wamid: Option<String>,
    status: String,
    error_code: Option<i64>,
    error_title: Option<String>,
    error_detail: Option<String>,
    provider_time: Option<i64>,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    waiting_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Message {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Message {
            id: MessageId::from_uuid(r.id),
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            direction: if r.direction == "in" {
                Direction::Inbound
            } else {
                Direction::Outbound
            },
            wamid: r.wamid,
            kind: r.kind,
            content: serde_json::from_str(&r.content).map_err(StoreError::corrupt)?,
            reply_to_wamid: r.reply_to_wamid,
            status: MessageStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("message status {}", r.status)))?,
            error_code: r.error_code,
            error_title: r.error_title,
            error_detail: r.error_detail,
            provider_time: r.provider_time.map(Timestamp::from_millis),
            edited_at: r.edited_at.map(Timestamp::from_millis),
            deleted_at: r.deleted_at.map(Timestamp::from_millis),
            waiting_reason: r.waiting_reason,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

/// An inbound message to store.
#[derive(Debug, Clone)]
pub struct NewInbound<'a> {
    pub conversation: ConversationId,
    pub channel: ChannelId,
    pub wamid: &'a str,
    pub kind: &'a str,
    pub content: &'a Value,
    pub reply_to_wamid: Option<&'a str>,
    pub provider_time: Timestamp,
    pub now: Timestamp,
}

/// An outbound message, recorded before it is sent.
#[derive(Debug, Clone)]
pub struct NewOutbound<'a> {
    pub id: MessageId,
    pub conversation: ConversationId,
    pub channel: ChannelId,
    pub kind: &'a str,
    pub content: &'a Value,
    pub reply_to_wamid: Option<&'a str>,
    /// Who queued it: `user:<id>`, `campaign:<id>`, `bot`, … (see
    /// migration 0034).
    pub sent_by: &'a str,
    pub now: Timestamp,
}

pub(super) const SELECT: &str = "SELECT id, conversation_id, channel_id, direction, wamid, kind, \
     content, reply_to_wamid, status, error_code, error_title, error_detail, provider_time, \
     edited_at, deleted_at, waiting_reason, created_at, updated_at FROM messages";

impl TenantTx {
    /// Stores an inbound message once: a redelivery of the same wamid
    /// returns `None` and changes nothing.
    pub async fn insert_inbound_message(
        &mut self,
        m: NewInbound<'_>,
    ) -> StoreResult<Option<Message>> {
        let id = MessageId::new();
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, wamid, \
                                   kind, content, reply_to_wamid, status, status_rank, \
                                   provider_time, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'in', $5, $6, $7, $8, 'received', 0, $9, $10, $10) \
             ON CONFLICT (tenant_id, wamid) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(m.conversation.as_uuid())
        .bind(m.channel.as_uuid())
        .bind(m.wamid)
        .bind(m.kind)
        .bind(m.content.to_string())
        .bind(m.reply_to_wamid)
        .bind(m.provider_time.as_millis())
        .bind(m.now.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Ok(None);
        }
        self.find_message(id).await.map(Some)
    }

    pub async fn insert_outbound_message(&mut self, m: NewOutbound<'_>) -> StoreResult<Message> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, kind, \
                                   content, reply_to_wamid, status, status_rank, created_at, \
                                   updated_at, sent_by) \
             VALUES ($1, $2, $3, $4, 'out', $5, $6, $7, 'queued', 0, $8, $8, $9)"
        )
        .bind(self.tenant.as_uuid())
        .bind(m.id.as_uuid())
        .bind(m.conversation.as_uuid())
        .bind(m.channel.as_uuid())
        .bind(m.kind)
        .bind(m.content.to_string())
        .bind(m.reply_to_wamid)
        .bind(m.now.as_millis())
        .bind(m.sent_by)
        .execute(c)
        .await)?;
        self.note_contact_outbound(m.conversation, m.now).await?;
        self.find_message(m.id).await
    }

    pub async fn find_message(&mut self, id: MessageId) -> StoreResult<Message> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    pub async fn find_message_by_wamid(&mut self, wamid: &str) -> StoreResult<Message> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND wamid = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(wamid)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// The messages with any of the WhatsApp message ids `wamids` (those
    /// that exist, in no order).
    pub async fn find_messages_by_wamids(&mut self, wamids: &[&str]) -> StoreResult<Vec<Message>> {
        let mut found = Vec::with_capacity(wamids.len());
        for chunk in wamids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "{SELECT} WHERE tenant_id = $1 AND wamid IN ({})",
                list(chunk.len(), 2)
            );
            let rows = run!(&mut self.tx, |c| {
                let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(self.tenant.as_uuid());
                for wamid in chunk {
                    q = q.bind(*wamid);
                }
                q.fetch_all(c).await
            })?;
            for row in rows {
                found.push(row.try_into()?);
            }
        }
        Ok(found)
    }

    /// Whether inbound message `id` is the first the customer wrote in its
    /// conversation (no inbound message before it).
    pub async fn is_first_inbound(
        &mut self,
        conversation: ConversationId,
        id: MessageId,
    ) -> StoreResult<bool> {
        let earlier: Option<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM messages \
             WHERE tenant_id = $1 AND conversation_id = $2 AND id < $3 AND direction = 'in' LIMIT 1"
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(earlier.is_none())
    }

    /// The customer's latest message in `conversation`, if they wrote.
    pub async fn latest_inbound_message(
        &mut self,
        conversation: ConversationId,
    ) -> StoreResult<Option<Message>> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'in' \
             ORDER BY id DESC LIMIT 1"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(Message::try_from).transpose()
    }

    /// A conversation's messages, newest first.
    pub async fn list_messages(
        &mut self,
        conversation: ConversationId,
        page: PageRequest,
    ) -> StoreResult<Page<Message>> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND conversation_id = $2 AND ($3 IS NULL OR id < $3) \
             ORDER BY id DESC LIMIT $4"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let messages = rows
            .into_iter()
            .map(Message::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(messages, |m| m.id.as_uuid()))
    }

    /// Records that Meta accepted an outbound message under `wamid`.
    pub async fn set_message_wamid(
        &mut self,
        id: MessageId,
        wamid: &str,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE messages SET wamid = $3, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND wamid IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(wamid)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}

impl TenantTx {
    /// Outbound messages created since `since` (for the monthly quota).
    pub async fn count_outbound_since(&mut self, since: Timestamp) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM messages \
             WHERE tenant_id = $1 AND direction = 'out' AND created_at >= $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)
    }

    /// When a send to Meta last started and did not finish (a crash in
    /// flight leaves it set).
    pub async fn find_send_attempt(&mut self, id: MessageId) -> StoreResult<Option<Timestamp>> {
        let v = run!(&mut self.tx, |c| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT send_attempted_at FROM messages WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(v.flatten().map(Timestamp::from_millis))
    }

    /// Marks (or clears) a send in flight.
    pub async fn set_send_attempt(
        &mut self,
        id: MessageId,
        at: Option<Timestamp>,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE messages SET send_attempted_at = $3 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(at.map(Timestamp::as_millis))
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Marks a send in flight at `at`, but only while the message is queued
    /// and its marker is still `seen` (what the caller read before): of two
    /// runs of one send (a lease that ran out under a live worker), only one
    /// gets to call Meta. False when another run got there first.
    pub async fn begin_send_attempt(
        &mut self,
        id: MessageId,
        seen: Option<Timestamp>,
        at: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE messages SET send_attempted_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'queued' \
               AND COALESCE(send_attempted_at, -1) = $4"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(at.as_millis())
        .bind(seen.map_or(-1, Timestamp::as_millis))
        .execute(c)
        .await)?;
        Ok(n == 1)
    }

    /// Whether Meta has told us anything about this message (a wamid or a
    /// status): proof that a send in flight reached Meta.
    pub async fn message_reached_meta(&mut self, id: MessageId) -> StoreResult<bool> {
        let n = run!(&mut self.tx, |c| {
            sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND id = $2 AND wamid IS NOT NULL) \
                  + (SELECT COUNT(*) FROM message_statuses WHERE tenant_id = $1 AND message_id = $2)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await
        })?;
        Ok(n > 0)
    }
}
