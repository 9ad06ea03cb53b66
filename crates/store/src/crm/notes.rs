//! Private notes (`notes`): on a conversation or on a contact, never sent
//! to the customer. A note goes with its conversation or contact, and its
//! notifications with it (foreign keys `ON DELETE CASCADE`).

use crate::db::{TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ApiKeyId, ContactId, ConversationId, NoteId, Timestamp, UserId};
use uuid::Uuid;

/// A note as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: NoteId,
    /// Set for a note on a conversation.
    pub conversation_id: Option<ConversationId>,
    /// The contact it is about: the one it is on, or its conversation's.
    pub contact_id: Option<ContactId>,
    pub body: String,
    /// Exactly one of the two.
    pub author_user_id: Option<UserId>,
    pub author_api_key_id: Option<ApiKeyId>,
    /// The users its body mentions.
    pub mentions: Vec<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which notes a list shows (all of the tenant's when both are `None`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoteFilter {
    pub conversation: Option<ConversationId>,
    /// Notes on this contact and on its conversations.
    pub contact: Option<ContactId>,
}

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: Uuid,
    conversation_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    body: String,
    author_user_id: Option<Uuid>,
    author_api_key_id: Option<Uuid>,
    mentions: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<NoteRow> for Note {
    type Error = StoreError;
    fn try_from(r: NoteRow) -> StoreResult<Self> {
        Ok(Note {
            id: NoteId::from_uuid(r.id),
            conversation_id: r.conversation_id.map(ConversationId::from_uuid),
            contact_id: r.contact_id.map(ContactId::from_uuid),
            body: r.body,
            author_user_id: r.author_user_id.map(UserId::from_uuid),
            author_api_key_id: r.author_api_key_id.map(ApiKeyId::from_uuid),
            mentions: serde_json::from_str(&r.mentions).map_err(StoreError::corrupt)?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

/// A note with the contact it is about (its own, or its conversation's).
const SELECT: &str = "SELECT n.id, n.conversation_id, COALESCE(n.contact_id, v.contact_id) AS contact_id, \
       n.body, n.author_user_id, n.author_api_key_id, n.mentions, n.created_at, n.updated_at \
     FROM notes n LEFT JOIN conversations v ON v.tenant_id = n.tenant_id AND v.id = n.conversation_id";

fn mentions_json(m: &[UserId]) -> StoreResult<String> {
    serde_json::to_string(m).map_err(StoreError::corrupt)
}

impl TenantTx {
    /// Inserts `n` as it is (its `contact_id` is stored only for a note on
    /// a contact).
    pub async fn insert_note(&mut self, n: &Note) -> StoreResult<()> {
        let mentions = mentions_json(&n.mentions)?;
        let contact = if n.conversation_id.is_some() {
            None
        } else {
            n.contact_id
        };
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO notes (tenant_id, id, conversation_id, contact_id, body, author_user_id, \
               author_api_key_id, mentions, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(self.tenant.as_uuid())
        .bind(n.id.as_uuid())
        .bind(n.conversation_id.map(|i| i.as_uuid()))
        .bind(contact.map(|i| i.as_uuid()))
        .bind(&n.body)
        .bind(n.author_user_id.map(|i| i.as_uuid()))
        .bind(n.author_api_key_id.map(|i| i.as_uuid()))
        .bind(&mentions)
        .bind(n.created_at.as_millis())
        .bind(n.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes a note's new body and mentions.
    pub async fn update_note(&mut self, n: &Note) -> StoreResult<()> {
        let mentions = mentions_json(&n.mentions)?;
        let changed = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE notes SET body = $3, mentions = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(n.id.as_uuid())
        .bind(&n.body)
        .bind(&mentions)
        .bind(n.updated_at.as_millis())
        .execute(c)
        .await)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn find_note(&mut self, id: NoteId) -> StoreResult<Note> {
        let sql = format!("{SELECT} WHERE n.tenant_id = $1 AND n.id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, NoteRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Removes a note and the notifications about it.
    pub async fn delete_note(&mut self, id: NoteId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM notes WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Notes matching `filter`, newest first.
    pub async fn list_notes(
        &mut self,
        filter: NoteFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Note>> {
        let sql = format!(
            "{SELECT} WHERE n.tenant_id = $1 \
               AND ($2 IS NULL OR n.conversation_id = $2) \
               AND ($3 IS NULL OR n.contact_id = $3 OR v.contact_id = $3) \
               AND ($4 IS NULL OR n.id < $4) \
             ORDER BY n.id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, NoteRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.conversation.map(|i| i.as_uuid()))
        .bind(filter.contact.map(|i| i.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let notes = rows
            .into_iter()
            .map(Note::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(notes, |n| n.id.as_uuid()))
    }

    /// Notes containing every word (each as a prefix), newest first — the
    /// same matching as [`TenantTx::search_messages`].
    pub async fn search_notes(
        &mut self,
        words: &[String],
        page: PageRequest,
    ) -> StoreResult<Page<Note>> {
        if words.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let tenant = self.tenant.as_uuid();
        let rows = match &mut self.tx {
            Tx::Sqlite(t) => {
                let sql = format!(
                    "{SELECT} WHERE n.rowid IN \
                         (SELECT rowid FROM notes_fts WHERE notes_fts MATCH $2) \
                       AND n.tenant_id = $1 \
                       AND ($3 IS NULL OR n.id < $3) ORDER BY n.id DESC LIMIT $4"
                );
                sqlx::query_as::<_, NoteRow>(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .bind(crate::inbox::fts5_query(words))
                    .bind(page.after)
                    .bind(page.fetch_limit())
                    .fetch_all(&mut **t)
                    .await
            }
            Tx::Postgres(t) => {
                let sql = format!(
                    "{SELECT} WHERE n.tenant_id = $1 \
                       AND to_tsvector('simple', n.body) @@ to_tsquery('simple', $2) \
                       AND ($3::uuid IS NULL OR n.id < $3) ORDER BY n.id DESC LIMIT $4"
                );
                sqlx::query_as::<_, NoteRow>(sqlx::AssertSqlSafe(sql))
                    .bind(tenant)
                    .bind(crate::inbox::tsquery(words))
                    .bind(page.after)
                    .bind(page.fetch_limit())
                    .fetch_all(&mut **t)
                    .await
            }
        }
        .map_err(crate::error::classify)?;
        let notes = rows
            .into_iter()
            .map(Note::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(notes, |n| n.id.as_uuid()))
    }
}
