//! Erasing a contact with everything of theirs, and merging two contacts
//! into one. Both are one transaction's worth of statements; the caller
//! removes erased media files once it has committed.
//!
//! Tables of the CRM that hang off a contact or conversation (`contact_tags`,
//! `conversation_tags`, `notes`, `tasks`) go with them through their
//! foreign keys (`ON DELETE CASCADE`); a merge moves them first.

use super::Contact;
use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use crate::inbox::{Conversation, ConversationStatus};
use domain::{ContactId, ConversationId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// What erasing a contact removed.
#[derive(Debug, Clone, Default)]
pub struct ErasedContact {
    pub conversations: u64,
    pub messages: u64,
    /// The media store paths of their stored media (files to remove).
    pub media_paths: Vec<String>,
}

/// What a merge moved.
#[derive(Debug, Clone, Default)]
pub struct MergedContacts {
    /// Conversations that changed hands whole.
    pub conversations_moved: u64,
    /// Conversations on a number both had: their messages were moved into
    /// the kept contact's conversation and they were removed.
    pub conversations_combined: u64,
    pub messages_moved: u64,
}

/// The messages of a contact's conversations (`$1` tenant, `$2` contact).
const MESSAGES_OF_CONTACT: &str = "SELECT id FROM messages WHERE tenant_id = $1 AND conversation_id IN \
     (SELECT id FROM conversations WHERE tenant_id = $1 AND contact_id = $2)";

impl TenantTx {
    /// Runs `sql` with `$1` the tenant and `$2`, `$3` two ids.
    async fn exec_ids(&mut self, sql: &str, a: Uuid, b: Option<Uuid>) -> StoreResult<u64> {
        exec!(&mut self.tx, |c| {
            let q = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .bind(self.tenant.as_uuid())
                .bind(a);
            match b {
                Some(b) => q.bind(b),
                None => q,
            }
            .execute(c)
            .await
        })
    }

    /// Deletes contact `id`, their conversations, messages, statuses,
    /// revisions and media rows (and, by cascade, their tags, notes and
    /// tasks).
    pub async fn delete_contact(&mut self, id: ContactId) -> StoreResult<ErasedContact> {
        let contact = id.as_uuid();
        let media_sql = format!(
            "SELECT path FROM media WHERE tenant_id = $1 AND path IS NOT NULL \
             AND message_id IN ({MESSAGES_OF_CONTACT})"
        );
        let media_paths: Vec<String> = run!(&mut self.tx, |c| sqlx::query_scalar(
            sqlx::AssertSqlSafe(media_sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(contact)
        .fetch_all(c)
        .await)?;
        for table in ["media", "message_statuses", "message_revisions"] {
            let sql = format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND message_id IN ({MESSAGES_OF_CONTACT})"
            );
            self.exec_ids(&sql, contact, None).await?;
        }
        let messages = self
            .exec_ids(
                "DELETE FROM messages WHERE tenant_id = $1 AND conversation_id IN \
                 (SELECT id FROM conversations WHERE tenant_id = $1 AND contact_id = $2)",
                contact,
                None,
            )
            .await?;
        // A campaign keeps no trace of an erased contact.
        self.exec_ids(
            "DELETE FROM campaign_recipients WHERE tenant_id = $1 AND contact_id = $2",
            contact,
            None,
        )
        .await?;
        let conversations = self
            .exec_ids(
                "DELETE FROM conversations WHERE tenant_id = $1 AND contact_id = $2",
                contact,
                None,
            )
            .await?;
        let n = self
            .exec_ids(
                "DELETE FROM contacts WHERE tenant_id = $1 AND id = $2",
                contact,
                None,
            )
            .await?;
        if n == 0 {
            return Err(crate::StoreError::NotFound);
        }
        Ok(ErasedContact {
            conversations,
            messages,
            media_paths,
        })
    }

    /// Merges contact `other` into `merged.id`: moves their conversations
    /// (combining two on the same number into the kept one), tags, notes,
    /// tasks, deals and timeline, deletes `other`, and writes `merged`'s
    /// identity and fields on the kept contact.
    pub async fn merge_contacts(
        &mut self,
        other: ContactId,
        merged: &Contact,
        now: Timestamp,
    ) -> StoreResult<MergedContacts> {
        let kept = merged.id.as_uuid();
        let gone = other.as_uuid();
        let theirs = self.list_contact_conversations(other).await?;
        let ours = self.list_contact_conversations(merged.id).await?;
        let mut out = MergedContacts::default();
        for conv in &theirs {
            match ours.iter().find(|k| k.channel_id == conv.channel_id) {
                Some(into) => {
                    out.messages_moved += self.combine_conversations(conv, into, now).await?;
                    out.conversations_combined += 1;
                }
                None => {
                    out.messages_moved += self.count_messages(conv.id).await?;
                    self.exec_ids(
                        "UPDATE conversations SET contact_id = $3 WHERE tenant_id = $1 AND id = $2",
                        conv.id.as_uuid(),
                        Some(kept),
                    )
                    .await?;
                    out.conversations_moved += 1;
                }
            }
        }
        self.exec_ids(
            "INSERT INTO contact_tags (tenant_id, contact_id, tag_id, created_at) \
             SELECT tenant_id, $3, tag_id, created_at FROM contact_tags \
             WHERE tenant_id = $1 AND contact_id = $2 ON CONFLICT DO NOTHING",
            gone,
            Some(kept),
        )
        .await?;
        for table in ["notes", "tasks", "deals", "events", "scheduled_messages"] {
            let sql = format!(
                "UPDATE {table} SET contact_id = $3 WHERE tenant_id = $1 AND contact_id = $2"
            );
            self.exec_ids(&sql, gone, Some(kept)).await?;
        }
        // Gone first: its WhatsApp id and user id may move to the kept one.
        self.exec_ids(
            "DELETE FROM contacts WHERE tenant_id = $1 AND id = $2",
            gone,
            None,
        )
        .await?;
        let attributes = Value::Object(merged.attributes.clone()).to_string();
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contacts SET wa_id = $3, user_id = $4, username = $5, profile_name = $6, \
                 phone = $7, opted_out_at = $8, identity_changed_at = $9, name = $10, \
                 email = $11, language = $12, attributes = $13, updated_at = $14 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(kept)
        .bind(merged.wa_id.as_deref())
        .bind(merged.user_id.as_deref())
        .bind(merged.username.as_deref())
        .bind(merged.profile_name.as_deref())
        .bind(merged.phone.as_deref())
        .bind(merged.opted_out_at.map(Timestamp::as_millis))
        .bind(merged.identity_changed_at.map(Timestamp::as_millis))
        .bind(merged.name.as_deref())
        .bind(merged.email.as_deref())
        .bind(merged.language.as_deref())
        .bind(attributes.as_str())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        self.refresh_contact_activity(merged.id).await?;
        Ok(out)
    }

    async fn count_messages(&mut self, conversation: ConversationId) -> StoreResult<u64> {
        let n: i64 = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM messages WHERE tenant_id = $1 AND conversation_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(conversation.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Moves everything of conversation `from` into `into` (same number)
    /// and deletes `from`; returns how many messages moved.
    async fn combine_conversations(
        &mut self,
        from: &Conversation,
        into: &Conversation,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let (a, b) = (from.id.as_uuid(), Some(into.id.as_uuid()));
        let moved = self
            .exec_ids(
                "UPDATE messages SET conversation_id = $3 WHERE tenant_id = $1 AND conversation_id = $2",
                a,
                b,
            )
            .await?;
        self.exec_ids(
            "INSERT INTO conversation_tags (tenant_id, conversation_id, tag_id, created_at) \
             SELECT tenant_id, $3, tag_id, created_at FROM conversation_tags \
             WHERE tenant_id = $1 AND conversation_id = $2 ON CONFLICT DO NOTHING",
            a,
            b,
        )
        .await?;
        for table in ["notes", "tasks", "events"] {
            let sql = format!(
                "UPDATE {table} SET conversation_id = $3 \
                 WHERE tenant_id = $1 AND conversation_id = $2"
            );
            self.exec_ids(&sql, a, b).await?;
        }
        self.exec_ids(
            "DELETE FROM conversations WHERE tenant_id = $1 AND id = $2",
            a,
            None,
        )
        .await?;
        // The busier state wins: open over pending over resolved.
        let rank = |s: ConversationStatus| match s {
            ConversationStatus::Open => 2,
            ConversationStatus::Pending => 1,
            ConversationStatus::Resolved => 0,
        };
        let status = if rank(from.status) > rank(into.status) {
            from.status
        } else {
            into.status
        };
        let later = |x: Option<Timestamp>, y: Option<Timestamp>| x.max(y).map(Timestamp::as_millis);
        exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE conversations SET status = $3, unread_count = $4, assigned_user_id = $5, \
                 last_message_at = $6, last_inbound_at = $7, window_closes_at = $8, updated_at = $9 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(into.id.as_uuid())
        .bind(status.as_str())
        .bind(into.unread_count + from.unread_count)
        .bind(into.assigned_user_id.or(from.assigned_user_id).map(|u| u.as_uuid()))
        .bind(into.last_message_at.max(from.last_message_at).as_millis())
        .bind(later(into.last_inbound_at, from.last_inbound_at))
        .bind(later(into.window_closes_at, from.window_closes_at))
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        Ok(moved)
    }
}
