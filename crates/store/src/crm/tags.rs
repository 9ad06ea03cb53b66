//! Tags: a tenant's catalogue of labels with a colour (`tags`), and which
//! contacts (`contact_tags`) and conversations (`conversation_tags`) carry
//! them. A tag's links go with it, and with their contact or conversation
//! (foreign keys `ON DELETE CASCADE`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::inbox::{Contact, Conversation};
use crate::page::{Page, PageRequest};
use domain::{ContactId, ConversationId, TagId, Timestamp};
use std::collections::HashMap;
use uuid::Uuid;

/// A tag as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    /// `#rrggbb`, lower case.
    pub colour: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct TagRow {
    id: Uuid,
    name: String,
    colour: String,
    created_at: i64,
    updated_at: i64,
}

impl From<TagRow> for Tag {
    fn from(r: TagRow) -> Self {
        Tag {
            id: TagId::from_uuid(r.id),
            name: r.name,
            colour: r.colour,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

/// A tag with what carries it (a contact's or a conversation's id).
#[derive(sqlx::FromRow)]
struct LinkRow {
    owner: Uuid,
    #[sqlx(flatten)]
    tag: TagRow,
}

/// What carries tags: the link table and its owner column.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Contact,
    Conversation,
}

impl Owner {
    fn table(self) -> &'static str {
        match self {
            Owner::Contact => "contact_tags",
            Owner::Conversation => "conversation_tags",
        }
    }
    fn column(self) -> &'static str {
        match self {
            Owner::Contact => "contact_id",
            Owner::Conversation => "conversation_id",
        }
    }
}

impl TenantTx {
    /// Inserts `t` (a name another tag has, in any case, is a `Conflict`).
    pub async fn insert_tag(&mut self, t: &Tag) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO tags (tenant_id, id, name, colour, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.name)
        .bind(&t.colour)
        .bind(t.created_at.as_millis())
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes `t`'s name, colour and `updated_at`.
    pub async fn update_tag(&mut self, t: &Tag) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE tags SET name = $3, colour = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.name)
        .bind(&t.colour)
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_tag(&mut self, id: TagId) -> StoreResult<Tag> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, TagRow>(
            "SELECT id, name, colour, created_at, updated_at FROM tags \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// Tags, newest first.
    pub async fn list_tags(&mut self, page: PageRequest) -> StoreResult<Page<Tag>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, TagRow>(
            "SELECT id, name, colour, created_at, updated_at FROM tags \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let tags = rows.into_iter().map(Tag::from).collect();
        Ok(page.finish(tags, |t: &Tag| t.id.as_uuid()))
    }

    /// Every tag, by name: for pickers and name checks (a catalogue is
    /// bounded by the rules).
    pub async fn all_tags(&mut self) -> StoreResult<Vec<Tag>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, TagRow>(
            "SELECT id, name, colour, created_at, updated_at FROM tags \
             WHERE tenant_id = $1 ORDER BY LOWER(name), id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Tag::from).collect())
    }

    /// How many contacts and conversations carry each tag (tags carried by
    /// nothing are left out).
    pub async fn tag_usage(&mut self) -> StoreResult<HashMap<TagId, (i64, i64)>> {
        let rows: Vec<(Uuid, i64, i64)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT tag_id, SUM(contacts), SUM(conversations) FROM ( \
               SELECT tag_id, 1 AS contacts, 0 AS conversations FROM contact_tags \
               WHERE tenant_id = $1 \
               UNION ALL \
               SELECT tag_id, 0, 1 FROM conversation_tags WHERE tenant_id = $1) u \
             GROUP BY tag_id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(id, a, b)| (TagId::from_uuid(id), (a, b)))
            .collect())
    }

    /// Removes a tag from everything that carries it, then the tag.
    pub async fn delete_tag(&mut self, id: TagId) -> StoreResult<()> {
        for table in ["contact_tags", "conversation_tags"] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND tag_id = $2");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await)?;
        }
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM tags WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Puts a tag on a contact; `false` if it was already there.
    pub async fn tag_contact(
        &mut self,
        contact: ContactId,
        tag: TagId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.link(Owner::Contact, contact.as_uuid(), tag, now).await
    }

    /// Takes a tag off a contact; `false` if it was not there.
    pub async fn untag_contact(&mut self, contact: ContactId, tag: TagId) -> StoreResult<bool> {
        self.unlink(Owner::Contact, contact.as_uuid(), tag).await
    }

    /// Puts a tag on a conversation; `false` if it was already there.
    pub async fn tag_conversation(
        &mut self,
        conversation: ConversationId,
        tag: TagId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        self.link(Owner::Conversation, conversation.as_uuid(), tag, now)
            .await
    }

    /// Takes a tag off a conversation; `false` if it was not there.
    pub async fn untag_conversation(
        &mut self,
        conversation: ConversationId,
        tag: TagId,
    ) -> StoreResult<bool> {
        self.unlink(Owner::Conversation, conversation.as_uuid(), tag)
            .await
    }

    /// Fills in the `tags` of each contact (by name), in one query.
    pub async fn load_contact_tags(&mut self, contacts: &mut [Contact]) -> StoreResult<()> {
        let ids: Vec<Uuid> = contacts.iter().map(|c| c.id.as_uuid()).collect();
        let mut found = self.tags_of(Owner::Contact, &ids).await?;
        for c in contacts {
            c.tags = found.remove(&c.id.as_uuid()).unwrap_or_default();
        }
        Ok(())
    }

    /// Fills in the `tags` of each conversation (by name), in one query.
    pub async fn load_conversation_tags(
        &mut self,
        conversations: &mut [Conversation],
    ) -> StoreResult<()> {
        let ids: Vec<Uuid> = conversations.iter().map(|c| c.id.as_uuid()).collect();
        let mut found = self.tags_of(Owner::Conversation, &ids).await?;
        for c in conversations {
            c.tags = found.remove(&c.id.as_uuid()).unwrap_or_default();
        }
        Ok(())
    }

    async fn link(
        &mut self,
        owner: Owner,
        id: Uuid,
        tag: TagId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let sql = format!(
            "INSERT INTO {} (tenant_id, {}, tag_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            owner.table(),
            owner.column()
        );
        let n = exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(self.tenant.as_uuid())
        .bind(id)
        .bind(tag.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    async fn unlink(&mut self, owner: Owner, id: Uuid, tag: TagId) -> StoreResult<bool> {
        let sql = format!(
            "DELETE FROM {} WHERE tenant_id = $1 AND {} = $2 AND tag_id = $3",
            owner.table(),
            owner.column()
        );
        let n = exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(self.tenant.as_uuid())
        .bind(id)
        .bind(tag.as_uuid())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// The tags of each of `ids`, by name.
    async fn tags_of(
        &mut self,
        owner: Owner,
        ids: &[Uuid],
    ) -> StoreResult<HashMap<Uuid, Vec<Tag>>> {
        let mut out: HashMap<Uuid, Vec<Tag>> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let params: Vec<String> = (2..ids.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT l.{col} AS owner, t.id, t.name, t.colour, t.created_at, t.updated_at \
             FROM {table} l JOIN tags t ON t.tenant_id = l.tenant_id AND t.id = l.tag_id \
             WHERE l.tenant_id = $1 AND l.{col} IN ({list}) ORDER BY LOWER(t.name), t.id",
            col = owner.column(),
            table = owner.table(),
            list = params.join(", "),
        );
        let rows = run!(&mut self.tx, |c| {
            let mut q = sqlx::query_as::<_, LinkRow>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.as_uuid());
            for id in ids {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })?;
        for r in rows {
            out.entry(r.owner).or_default().push(r.tag.into());
        }
        Ok(out)
    }
}
