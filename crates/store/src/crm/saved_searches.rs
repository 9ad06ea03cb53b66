//! Saved inbox searches (`saved_searches`): a name and the inbox list's
//! query parameters, personal (`owner`: the one user who sees it) or shared
//! with the team (`owner` `None`). A user's personal ones go with them
//! (foreign key `ON DELETE CASCADE`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{SavedSearchId, Timestamp, UserId};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A saved search as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSearch {
    pub id: SavedSearchId,
    pub name: String,
    /// The inbox list's query parameters, by name.
    pub filter: BTreeMap<String, String>,
    /// `None`: shared with the team.
    pub owner: Option<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    filter: String,
    owner_user_id: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for SavedSearch {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(SavedSearch {
            id: SavedSearchId::from_uuid(r.id),
            name: r.name,
            filter: serde_json::from_str(&r.filter).map_err(StoreError::corrupt)?,
            owner: r.owner_user_id.map(UserId::from_uuid),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const SELECT: &str =
    "SELECT id, name, filter, owner_user_id, created_at, updated_at FROM saved_searches";

impl TenantTx {
    pub async fn insert_saved_search(&mut self, s: &SavedSearch) -> StoreResult<()> {
        let filter = serde_json::to_string(&s.filter).map_err(StoreError::corrupt)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO saved_searches (tenant_id, id, name, filter, owner_user_id, created_at, \
                                         updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(filter.as_str())
        .bind(s.owner.map(|u| u.as_uuid()))
        .bind(s.created_at.as_millis())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes `s`'s name, filter, owner and `updated_at`.
    pub async fn update_saved_search(&mut self, s: &SavedSearch) -> StoreResult<()> {
        let filter = serde_json::to_string(&s.filter).map_err(StoreError::corrupt)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE saved_searches SET name = $3, filter = $4, owner_user_id = $5, \
                 updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(filter.as_str())
        .bind(s.owner.map(|u| u.as_uuid()))
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// The saved search `id` if `viewer` may see it: a shared one, or
    /// `viewer`'s own (`viewer` `None`: shared ones only). Another user's
    /// personal search is `NotFound`.
    pub async fn find_saved_search(
        &mut self,
        id: SavedSearchId,
        viewer: Option<UserId>,
    ) -> StoreResult<SavedSearch> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND id = $2 \
             AND (owner_user_id IS NULL OR owner_user_id = $3)"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(viewer.map(|u| u.as_uuid()))
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// The saved searches `viewer` sees (shared ones and their own; shared
    /// ones only for `None`), newest first.
    pub async fn list_saved_searches(
        &mut self,
        viewer: Option<UserId>,
        page: PageRequest,
    ) -> StoreResult<Page<SavedSearch>> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND (owner_user_id IS NULL OR owner_user_id = $2) \
             AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(viewer.map(|u| u.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows
            .into_iter()
            .map(SavedSearch::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(items, |s: &SavedSearch| s.id.as_uuid()))
    }

    pub async fn delete_saved_search(&mut self, id: SavedSearchId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM saved_searches WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}
