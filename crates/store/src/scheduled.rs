//! Storage of the `scheduled` area (see the server's `crate::scheduled`):
//! `scheduled_messages`, one row per message or template to send to one
//! contact at a chosen time.
//!
//! A row leaves `scheduled` once, for `sent`, `failed` or `cancelled`:
//! every write that ends or changes one is guarded by `status =
//! 'scheduled'`, so of two transactions racing for it (the firing job and
//! a cancel, or two runs of the job) the second waits for the first's row
//! lock and then finds it gone from `scheduled` (PostgreSQL), or waits for
//! the writer (SQLite).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ApiKeyId, ChannelId, ContactId, MessageId, ScheduledMessageId, Timestamp, UserId};
use serde_json::Value;
use uuid::Uuid;

/// Where a scheduled message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduledStatus {
    /// Waiting for its time; may still be changed or cancelled.
    Scheduled,
    /// Queued for sending at its time (`message_id` names the message).
    Sent,
    /// Refused when its time came (`failure_code`, `failure_reason`).
    Failed,
    /// Cancelled before its time.
    Cancelled,
}

impl ScheduledStatus {
    pub const ALL: [ScheduledStatus; 4] = [
        ScheduledStatus::Scheduled,
        ScheduledStatus::Sent,
        ScheduledStatus::Failed,
        ScheduledStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScheduledStatus::Scheduled => "scheduled",
            ScheduledStatus::Sent => "sent",
            ScheduledStatus::Failed => "failed",
            ScheduledStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// A scheduled message as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledMessage {
    pub id: ScheduledMessageId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    /// What to send, as the area encodes it (JSON).
    pub content: Value,
    pub send_at: Timestamp,
    pub status: ScheduledStatus,
    pub message_id: Option<MessageId>,
    pub failure_code: Option<String>,
    pub failure_reason: Option<String>,
    pub created_by_user_id: Option<UserId>,
    pub created_by_api_key_id: Option<ApiKeyId>,
    pub finished_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which scheduled messages a list shows; every `None` matches all.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScheduledFilter {
    pub status: Option<ScheduledStatus>,
    pub contact: Option<ContactId>,
}

/// How a scheduled message ended.
#[derive(Debug, Clone)]
pub enum Ending<'a> {
    Sent(MessageId),
    Failed { code: &'a str, reason: &'a str },
    Cancelled,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    contact_id: Uuid,
    channel_id: Uuid,
    content: String,
    send_at: i64,
    status: String,
    message_id: Option<Uuid>,
    failure_code: Option<String>,
    failure_reason: Option<String>,
    created_by_user_id: Option<Uuid>,
    created_by_api_key_id: Option<Uuid>,
    finished_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for ScheduledMessage {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(ScheduledMessage {
            id: ScheduledMessageId::from_uuid(r.id),
            contact_id: ContactId::from_uuid(r.contact_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            content: serde_json::from_str(&r.content).map_err(StoreError::corrupt)?,
            send_at: Timestamp::from_millis(r.send_at),
            status: ScheduledStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("scheduled status {}", r.status)))?,
            message_id: r.message_id.map(MessageId::from_uuid),
            failure_code: r.failure_code,
            failure_reason: r.failure_reason,
            created_by_user_id: r.created_by_user_id.map(UserId::from_uuid),
            created_by_api_key_id: r.created_by_api_key_id.map(ApiKeyId::from_uuid),
            finished_at: r.finished_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "id, contact_id, channel_id, content, send_at, status, message_id, \
     failure_code, failure_reason, created_by_user_id, created_by_api_key_id, finished_at, \
     created_at, updated_at";

fn all(rows: Vec<Row>) -> StoreResult<Vec<ScheduledMessage>> {
    rows.into_iter().map(ScheduledMessage::try_from).collect()
}

impl TenantTx {
    pub async fn insert_scheduled_message(&mut self, m: &ScheduledMessage) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO scheduled_messages (tenant_id, id, contact_id, channel_id, content, \
                 send_at, status, message_id, failure_code, failure_reason, created_by_user_id, \
                 created_by_api_key_id, finished_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        )
        .bind(self.tenant.as_uuid())
        .bind(m.id.as_uuid())
        .bind(m.contact_id.as_uuid())
        .bind(m.channel_id.as_uuid())
        .bind(m.content.to_string())
        .bind(m.send_at.as_millis())
        .bind(m.status.as_str())
        .bind(m.message_id.map(|i| i.as_uuid()))
        .bind(m.failure_code.as_deref())
        .bind(m.failure_reason.as_deref())
        .bind(m.created_by_user_id.map(|i| i.as_uuid()))
        .bind(m.created_by_api_key_id.map(|i| i.as_uuid()))
        .bind(m.finished_at.map(Timestamp::as_millis))
        .bind(m.created_at.as_millis())
        .bind(m.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    pub async fn find_scheduled_message(
        &mut self,
        id: ScheduledMessageId,
    ) -> StoreResult<ScheduledMessage> {
        let sql =
            format!("SELECT {COLUMNS} FROM scheduled_messages WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Scheduled messages matching `filter`, newest first.
    pub async fn list_scheduled_messages(
        &mut self,
        filter: ScheduledFilter,
        page: PageRequest,
    ) -> StoreResult<Page<ScheduledMessage>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM scheduled_messages WHERE tenant_id = $1 \
               AND ($2 IS NULL OR status = $2) \
               AND ($3 IS NULL OR contact_id = $3) \
               AND ($4 IS NULL OR id < $4) \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.status.map(ScheduledStatus::as_str))
        .bind(filter.contact.map(|i| i.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(all(rows)?, |m| m.id.as_uuid()))
    }

    /// Writes `m`'s number, content, time and `updated_at` if it is still
    /// `scheduled`; false if it is not (any more).
    pub async fn update_scheduled_message(&mut self, m: &ScheduledMessage) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE scheduled_messages SET channel_id = $3, content = $4, send_at = $5, \
                 updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'"
        )
        .bind(self.tenant.as_uuid())
        .bind(m.id.as_uuid())
        .bind(m.channel_id.as_uuid())
        .bind(m.content.to_string())
        .bind(m.send_at.as_millis())
        .bind(m.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(n == 1)
    }

    /// Takes scheduled message `id` for firing if it is still `scheduled`
    /// and due by `now`, holding its row until this transaction ends (a
    /// second taker waits, then finds it ended or moved); `None` if it is
    /// not to be fired (ended, cancelled, moved later, or gone).
    pub async fn claim_scheduled_message(
        &mut self,
        id: ScheduledMessageId,
        now: Timestamp,
    ) -> StoreResult<Option<ScheduledMessage>> {
        let sql = format!(
            "UPDATE scheduled_messages SET updated_at = updated_at \
             WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled' AND send_at <= $3 \
             RETURNING {COLUMNS}"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .fetch_optional(c)
        .await)?;
        row.map(ScheduledMessage::try_from).transpose()
    }

    /// Ends scheduled message `id` as `ending` if it is still `scheduled`;
    /// false if it was not.
    pub async fn end_scheduled_message(
        &mut self,
        id: ScheduledMessageId,
        ending: Ending<'_>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let (status, message, code, reason) = match ending {
            Ending::Sent(m) => (ScheduledStatus::Sent, Some(m.as_uuid()), None, None),
            Ending::Failed { code, reason } => {
                (ScheduledStatus::Failed, None, Some(code), Some(reason))
            }
            Ending::Cancelled => (ScheduledStatus::Cancelled, None, None, None),
        };
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE scheduled_messages SET status = $3, message_id = $4, failure_code = $5, \
                 failure_reason = $6, finished_at = $7, updated_at = $7 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'scheduled'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(status.as_str())
        .bind(message)
        .bind(code)
        .bind(reason)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n == 1)
    }
}
