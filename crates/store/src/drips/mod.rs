//! Drip sequences (`drips`), their subscribers (`drip_subscribers`: one
//! contact's enrolment each, [`subscribers`]) and what each subscriber's
//! steps did (`drip_sends`). A drip's definition is JSON to the store: the
//! server reads and checks it.

mod history;
mod subscribers;

pub use history::*;
pub use subscribers::*;

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{DripId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A drip as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Drip {
    pub id: DripId,
    pub name: String,
    pub enabled: bool,
    pub definition: Value,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct DripRow {
    id: Uuid,
    name: String,
    enabled: i64,
    definition: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<DripRow> for Drip {
    type Error = StoreError;
    fn try_from(r: DripRow) -> StoreResult<Self> {
        Ok(Drip {
            id: DripId::from_uuid(r.id),
            name: r.name,
            enabled: r.enabled != 0,
            definition: serde_json::from_str(&r.definition).map_err(StoreError::corrupt)?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const DRIP_COLUMNS: &str = "id, name, enabled, definition, created_at, updated_at";

impl TenantTx {
    /// Inserts `d` (a name another drip has, in any case, is a `Conflict`).
    pub async fn insert_drip(&mut self, d: &Drip) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO drips (tenant_id, id, name, enabled, definition, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )
        .bind(self.tenant.as_uuid())
        .bind(d.id.as_uuid())
        .bind(&d.name)
        .bind(i64::from(d.enabled))
        .bind(d.definition.to_string())
        .bind(d.created_at.as_millis())
        .bind(d.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Writes `d`'s name, enabled, definition and `updated_at`.
    pub async fn update_drip(&mut self, d: &Drip) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE drips SET name = $3, enabled = $4, definition = $5, updated_at = $6 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(d.id.as_uuid())
        .bind(&d.name)
        .bind(i64::from(d.enabled))
        .bind(d.definition.to_string())
        .bind(d.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_drip(&mut self, id: DripId) -> StoreResult<Drip> {
        let sql = format!("SELECT {DRIP_COLUMNS} FROM drips WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, DripRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Every drip of the tenant, by name.
    pub async fn list_drips(&mut self) -> StoreResult<Vec<Drip>> {
        let sql = format!(
            "SELECT {DRIP_COLUMNS} FROM drips WHERE tenant_id = $1 ORDER BY LOWER(name), id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, DripRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(Drip::try_from).collect()
    }

    pub async fn count_drips(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM drips WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// Deletes drip `id` with its subscribers and their history.
    pub async fn delete_drip(&mut self, id: DripId) -> StoreResult<()> {
        for table in ["drip_sends", "drip_subscribers"] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND drip_id = $2");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await)?;
        }
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM drips WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}
