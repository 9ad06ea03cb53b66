//! Quick replies (`quick_replies`): a tenant's canned responses, each
//! found by a shortcut unique in the tenant.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{QuickReplyId, Timestamp};
use uuid::Uuid;

/// A quick reply as stored (its body with its placeholders unfilled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickReply {
    pub id: QuickReplyId,
    /// Lower-case letters, digits, `-` and `_`.
    pub shortcut: String,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    shortcut: String,
    title: String,
    body: String,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for QuickReply {
    fn from(r: Row) -> Self {
        QuickReply {
            id: QuickReplyId::from_uuid(r.id),
            shortcut: r.shortcut,
            title: r.title,
            body: r.body,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

impl TenantTx {
    /// Inserts `q` (a shortcut another quick reply has is a `Conflict`).
    pub async fn insert_quick_reply(&mut self, q: &QuickReply) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO quick_replies (tenant_id, id, shortcut, title, body, created_at, \
                                        updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(q.id.as_uuid())
        .bind(&q.shortcut)
        .bind(&q.title)
        .bind(&q.body)
        .bind(q.created_at.as_millis())
        .bind(q.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes `q`'s shortcut, title, body and `updated_at`.
    pub async fn update_quick_reply(&mut self, q: &QuickReply) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE quick_replies SET shortcut = $3, title = $4, body = $5, updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(q.id.as_uuid())
        .bind(&q.shortcut)
        .bind(&q.title)
        .bind(&q.body)
        .bind(q.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_quick_reply(&mut self, id: QuickReplyId) -> StoreResult<QuickReply> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT id, shortcut, title, body, created_at, updated_at FROM quick_replies \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// Quick replies, newest first.
    pub async fn list_quick_replies(&mut self, page: PageRequest) -> StoreResult<Page<QuickReply>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT id, shortcut, title, body, created_at, updated_at FROM quick_replies \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows.into_iter().map(QuickReply::from).collect();
        Ok(page.finish(items, |q: &QuickReply| q.id.as_uuid()))
    }

    /// Every quick reply, by shortcut: for the composer (a catalogue is
    /// bounded by the rules).
    pub async fn all_quick_replies(&mut self) -> StoreResult<Vec<QuickReply>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT id, shortcut, title, body, created_at, updated_at FROM quick_replies \
             WHERE tenant_id = $1 ORDER BY shortcut"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(QuickReply::from).collect())
    }

    /// How many quick replies the tenant has.
    pub async fn count_quick_replies(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM quick_replies WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    pub async fn delete_quick_reply(&mut self, id: QuickReplyId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM quick_replies WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}
