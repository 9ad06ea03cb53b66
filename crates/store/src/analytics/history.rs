//! What the counts are made of, read from the tables that keep it: a
//! message by its id (the consumer's lookups), and every message, run and
//! booking page by page (a rebuild).

use crate::db::{TenantTx, run};
use crate::error::StoreResult;
use domain::{BookingId, ChannelId, ConversationId, MessageId, ServiceId, Timestamp, WorkflowId};
use serde_json::Value;
use uuid::Uuid;

/// What analytics needs of a message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageFacts {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub channel_id: ChannelId,
    pub inbound: bool,
    pub kind: String,
    /// Who queued it (`user:<id>`, `campaign:<id>`, `bot`, …).
    pub sent_by: Option<String>,
    /// The template's name, for a template.
    pub template: Option<String>,
    /// `sent`, `delivered`, `read`, `failed`, …
    pub status: String,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    conversation_id: Uuid,
    channel_id: Uuid,
    direction: String,
    kind: String,
    sent_by: Option<String>,
    content: String,
    status: String,
    created_at: i64,
}

impl From<MessageRow> for MessageFacts {
    fn from(r: MessageRow) -> Self {
        let template = (r.kind == "template")
            .then(|| serde_json::from_str::<Value>(&r.content).ok())
            .flatten()
            .and_then(|c| c["template"]["name"].as_str().map(str::to_owned));
        MessageFacts {
            id: MessageId::from_uuid(r.id),
            conversation_id: ConversationId::from_uuid(r.conversation_id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            inbound: r.direction == "in",
            kind: r.kind,
            sent_by: r.sent_by,
            template,
            status: r.status,
            created_at: Timestamp::from_millis(r.created_at),
        }
    }
}

const MESSAGE: &str = "SELECT id, conversation_id, channel_id, direction, kind, sent_by, \
     content, status, created_at FROM messages";

/// A finished automation run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFacts {
    pub id: Uuid,
    pub workflow_id: WorkflowId,
    /// `completed` or `failed`.
    pub status: String,
    pub finished_at: Timestamp,
}

/// A booking as analytics counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingFacts {
    pub id: BookingId,
    pub service_id: ServiceId,
    pub starts_at: Timestamp,
    pub status: String,
}

impl TenantTx {
    /// The message, if it exists.
    pub async fn analytics_message(&mut self, id: MessageId) -> StoreResult<Option<MessageFacts>> {
        let sql = format!("{MESSAGE} WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, MessageRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(MessageFacts::from))
    }

    /// The newest campaign message of the conversation queued in
    /// `[since, until]`, if any: the one a customer's message replies to.
    pub async fn last_campaign_message(
        &mut self,
        conversation: ConversationId,
        since: Timestamp,
        until: Timestamp,
    ) -> StoreResult<Option<MessageFacts>> {
        let sql = format!(
            "{MESSAGE} WHERE tenant_id = $1 AND conversation_id = $2 AND direction = 'out' \
             AND created_at >= $3 AND created_at <= $4 AND sent_by LIKE 'campaign:%' \
             ORDER BY id DESC LIMIT 1"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, MessageRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .bind(since.as_millis())
        .bind(until.as_millis())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(MessageFacts::from))
    }

    /// Up to `limit` messages after `after` (by id: the order they were
    /// stored in), for a rebuild.
    pub async fn analytics_messages_after(
        &mut self,
        after: Option<MessageId>,
        limit: i64,
    ) -> StoreResult<Vec<MessageFacts>> {
        let sql = format!("{MESSAGE} WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3");
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, MessageRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(after.map_or(Uuid::nil(), |m| m.as_uuid()))
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(MessageFacts::from).collect())
    }

    /// Every finished (completed or failed) automation run, for a rebuild.
    pub async fn analytics_finished_runs(&mut self) -> StoreResult<Vec<RunFacts>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<
            _,
            (Uuid, Uuid, String, i64),
        >(
            "SELECT id, workflow_id, status, finished_at FROM workflow_runs \
             WHERE tenant_id = $1 AND status IN ('completed', 'failed') \
               AND finished_at IS NOT NULL ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, workflow, status, finished)| RunFacts {
                id,
                workflow_id: WorkflowId::from_uuid(workflow),
                status,
                finished_at: Timestamp::from_millis(finished),
            })
            .collect())
    }

    /// Every booking, for a rebuild.
    pub async fn analytics_bookings(&mut self) -> StoreResult<Vec<BookingFacts>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, (Uuid, Uuid, i64, String)>(
            "SELECT id, service_id, starts_at, status FROM bookings WHERE tenant_id = $1 ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, service, starts, status)| BookingFacts {
                id: BookingId::from_uuid(id),
                service_id: ServiceId::from_uuid(service),
                starts_at: Timestamp::from_millis(starts),
                status,
            })
            .collect())
    }
}

/// What a report names its rows by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Users,
    Teams,
    /// Numbers, by their display phone number.
    Channels,
    Campaigns,
    Workflows,
    Services,
}

impl Named {
    fn select(self) -> &'static str {
        match self {
            Named::Users => "SELECT id, name FROM users",
            Named::Teams => "SELECT id, name FROM teams",
            Named::Channels => "SELECT id, display_phone_number FROM channels",
            Named::Campaigns => "SELECT id, name FROM campaigns",
            Named::Workflows => "SELECT id, name FROM workflows",
            Named::Services => "SELECT id, name FROM booking_services",
        }
    }
}

impl TenantTx {
    /// The names of the workspace's `what` (all of them: a report names a
    /// few dozen at most, and one statement beats one per row).
    pub async fn analytics_names(
        &mut self,
        what: Named,
    ) -> StoreResult<std::collections::HashMap<Uuid, String>> {
        let sql = format!("{} WHERE tenant_id = $1", what.select());
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, (Uuid, String)>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().collect())
    }
}
