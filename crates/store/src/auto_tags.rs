//! Auto-tag rules (`auto_tag_rules`): in order, each tags the contact
//! whose message or fields match it. What a rule matches is JSON to the
//! store: the server reads and checks it.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{AutoTagRuleId, TagId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// A rule as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoTagRule {
    pub id: AutoTagRuleId,
    pub name: String,
    /// Rules apply in ascending position (then id).
    pub position: i64,
    pub enabled: bool,
    pub matcher: Value,
    pub tag_id: TagId,
    /// A match stops the rules after it.
    pub stop: bool,
    /// How often it tagged someone, and when last.
    pub matches: i64,
    pub last_matched_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    position: i64,
    enabled: i64,
    matcher: String,
    tag_id: Uuid,
    stop: i64,
    matches: i64,
    last_matched_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for AutoTagRule {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(AutoTagRule {
            id: AutoTagRuleId::from_uuid(r.id),
            name: r.name,
            position: r.position,
            enabled: r.enabled != 0,
            matcher: serde_json::from_str(&r.matcher).map_err(StoreError::corrupt)?,
            tag_id: TagId::from_uuid(r.tag_id),
            stop: r.stop != 0,
            matches: r.matches,
            last_matched_at: r.last_matched_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "id, name, position, enabled, matcher, tag_id, stop, matches, \
     last_matched_at, created_at, updated_at";

impl TenantTx {
    /// Inserts `r` (a name another rule has, in any case, is a `Conflict`).
    pub async fn insert_auto_tag_rule(&mut self, r: &AutoTagRule) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO auto_tag_rules (tenant_id, id, name, position, enabled, matcher, tag_id, \
                 stop, matches, last_matched_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .bind(&r.name)
        .bind(r.position)
        .bind(i64::from(r.enabled))
        .bind(r.matcher.to_string())
        .bind(r.tag_id.as_uuid())
        .bind(i64::from(r.stop))
        .bind(r.matches)
        .bind(r.last_matched_at.map(Timestamp::as_millis))
        .bind(r.created_at.as_millis())
        .bind(r.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Writes `r`'s name, position, enabled, matcher, tag, stop and
    /// `updated_at`.
    pub async fn update_auto_tag_rule(&mut self, r: &AutoTagRule) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE auto_tag_rules SET name = $3, position = $4, enabled = $5, matcher = $6, \
                 tag_id = $7, stop = $8, updated_at = $9 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .bind(&r.name)
        .bind(r.position)
        .bind(i64::from(r.enabled))
        .bind(r.matcher.to_string())
        .bind(r.tag_id.as_uuid())
        .bind(i64::from(r.stop))
        .bind(r.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_auto_tag_rule(&mut self, id: AutoTagRuleId) -> StoreResult<AutoTagRule> {
        let sql = format!("SELECT {COLUMNS} FROM auto_tag_rules WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Every rule of the tenant, in the order they apply.
    pub async fn list_auto_tag_rules(&mut self) -> StoreResult<Vec<AutoTagRule>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM auto_tag_rules WHERE tenant_id = $1 ORDER BY position, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(AutoTagRule::try_from).collect()
    }

    /// The position after the last rule's.
    pub async fn next_auto_tag_position(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM auto_tag_rules WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    pub async fn delete_auto_tag_rule(&mut self, id: AutoTagRuleId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM auto_tag_rules WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Counts a match of rule `id` at `now`.
    pub async fn count_auto_tag_match(
        &mut self,
        id: AutoTagRuleId,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE auto_tag_rules SET matches = matches + 1, last_matched_at = $3 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
