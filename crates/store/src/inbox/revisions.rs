//! Messages changed after the fact: edited or deleted by the customer
//! (their earlier content kept as revisions), and messages the business
//! sent from the WhatsApp Business app (echoes).

use super::messages::Message;
use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{ChannelId, ConversationId, MessageId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// How a customer changed one of their messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevisionKind {
    Edited,
    Deleted,
}

impl RevisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::Edited => "edited",
            RevisionKind::Deleted => "deleted",
        }
    }
}

/// An edit or a deletion of message `message`, reported by Meta as a
/// message of its own (`wamid`).
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    pub message: &'a Message,
    pub kind: RevisionKind,
    pub wamid: &'a str,
    /// The edited message's new type and content (edits only).
    pub new_content: Option<(&'a str, &'a Value)>,
    pub occurred_at: Timestamp,
    pub now: Timestamp,
}

/// What a message was before one edit or deletion.
#[derive(Debug, Clone)]
pub struct Revision {
    pub kind: String,
    pub previous_kind: String,
    pub previous_content: Value,
    pub occurred_at: Timestamp,
}

/// A message the business sent from the WhatsApp Business app.
#[derive(Debug, Clone)]
pub struct NewEcho<'a> {
    pub conversation: ConversationId,
    pub channel: ChannelId,
    pub wamid: &'a str,
    pub kind: &'a str,
    pub content: &'a Value,
    pub provider_time: Timestamp,
    pub now: Timestamp,
}

impl TenantTx {
    /// Applies an edit or deletion once: the earlier content goes to the
    /// history, the message takes the new content (or is marked deleted).
    /// A redelivery (same `wamid`) returns `None` and changes nothing.
    pub async fn revise_message(&mut self, r: NewRevision<'_>) -> StoreResult<Option<Message>> {
        let m = r.message;
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO message_revisions (tenant_id, id, message_id, kind, wamid, previous_kind, \
                                            previous_content, occurred_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(m.id.as_uuid())
        .bind(r.kind.as_str())
        .bind(r.wamid)
        .bind(&m.kind)
        .bind(m.content.to_string())
        .bind(r.occurred_at.as_millis())
        .bind(r.now.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Ok(None);
        }
        match (r.kind, r.new_content) {
            (RevisionKind::Edited, Some((kind, content))) => {
                exec!(&mut self.tx, |c| sqlx::query(
                    "UPDATE messages SET kind = $3, content = $4, edited_at = $5, updated_at = $6 \
                     WHERE tenant_id = $1 AND id = $2"
                )
                .bind(self.tenant.as_uuid())
                .bind(m.id.as_uuid())
                .bind(kind)
                .bind(content.to_string())
                .bind(r.occurred_at.as_millis())
                .bind(r.now.as_millis())
                .execute(c)
                .await)?;
            }
            _ => {
                exec!(&mut self.tx, |c| sqlx::query(
                    "UPDATE messages SET deleted_at = COALESCE(deleted_at, $3), updated_at = $4 \
                     WHERE tenant_id = $1 AND id = $2"
                )
                .bind(self.tenant.as_uuid())
                .bind(m.id.as_uuid())
                .bind(r.occurred_at.as_millis())
                .bind(r.now.as_millis())
                .execute(c)
                .await)?;
            }
        }
        self.find_message(m.id).await.map(Some)
    }

    /// A message's edits and deletion, oldest first.
    pub async fn list_message_revisions(&mut self, id: MessageId) -> StoreResult<Vec<Revision>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<
            _,
            (String, String, String, i64),
        >(
            "SELECT kind, previous_kind, previous_content, occurred_at FROM message_revisions \
             WHERE tenant_id = $1 AND message_id = $2 ORDER BY occurred_at, id"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(kind, previous_kind, content, at)| {
                Ok(Revision {
                    kind,
                    previous_kind,
                    previous_content: serde_json::from_str(&content)
                        .map_err(crate::error::StoreError::corrupt)?,
                    occurred_at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }

    /// Stores an echo once, as an outbound message already sent: a
    /// redelivery of the same wamid (or a wamid we sent ourselves) returns
    /// `None` and changes nothing.
    pub async fn insert_echo_message(&mut self, m: NewEcho<'_>) -> StoreResult<Option<Message>> {
        let id = MessageId::new();
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO messages (tenant_id, id, conversation_id, channel_id, direction, wamid, \
                                   kind, content, status, status_rank, provider_time, created_at, \
                                   updated_at, sent_by) \
             VALUES ($1, $2, $3, $4, 'out', $5, $6, $7, 'sent', $8, $9, $10, $10, 'app') \
             ON CONFLICT (tenant_id, wamid) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(m.conversation.as_uuid())
        .bind(m.channel.as_uuid())
        .bind(m.wamid)
        .bind(m.kind)
        .bind(m.content.to_string())
        .bind(domain::messaging::MessageStatus::Sent.rank())
        .bind(m.provider_time.as_millis())
        .bind(m.now.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Ok(None);
        }
        self.note_contact_outbound(m.conversation, m.now).await?;
        self.find_message(id).await.map(Some)
    }
}
