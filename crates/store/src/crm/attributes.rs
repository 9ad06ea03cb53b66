//! Custom contact attributes: a tenant's definitions (`contact_attributes`:
//! key, label, type, the choices of a `choice`). The values live on each
//! contact (`contacts.attributes`, a JSON object by key); deleting a
//! definition removes its value from every contact in the same
//! transaction.

use crate::db::{TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{AttributeId, Timestamp};
use uuid::Uuid;

/// What values an attribute takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    Text,
    Number,
    /// `YYYY-MM-DD`.
    Date,
    Boolean,
    /// One of the definition's options.
    Choice,
}

impl AttributeKind {
    pub const ALL: [AttributeKind; 5] = [
        AttributeKind::Text,
        AttributeKind::Number,
        AttributeKind::Date,
        AttributeKind::Boolean,
        AttributeKind::Choice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttributeKind::Text => "text",
            AttributeKind::Number => "number",
            AttributeKind::Date => "date",
            AttributeKind::Boolean => "boolean",
            AttributeKind::Choice => "choice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An attribute definition as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributeDef {
    pub id: AttributeId,
    /// Lower-case `[a-z][a-z0-9_]*`, unique in the tenant.
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    /// The allowed values of a `choice` (empty for the other kinds).
    pub options: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    key: String,
    label: String,
    kind: String,
    options: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for AttributeDef {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(AttributeDef {
            id: AttributeId::from_uuid(r.id),
            kind: AttributeKind::parse(&r.kind)
                .ok_or_else(|| StoreError::corrupt(format!("attribute kind {}", r.kind)))?,
            options: serde_json::from_str(&r.options).map_err(StoreError::corrupt)?,
            key: r.key,
            label: r.label,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const SELECT: &str =
    "SELECT id, key, label, kind, options, created_at, updated_at FROM contact_attributes";

fn defs(rows: Vec<Row>) -> StoreResult<Vec<AttributeDef>> {
    rows.into_iter().map(AttributeDef::try_from).collect()
}

impl TenantTx {
    /// Inserts `a` (a key another attribute has is a `Conflict`).
    pub async fn insert_contact_attribute(&mut self, a: &AttributeDef) -> StoreResult<()> {
        let options = serde_json::to_string(&a.options).map_err(StoreError::corrupt)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO contact_attributes (tenant_id, id, key, label, kind, options, \
                                             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(self.tenant.as_uuid())
        .bind(a.id.as_uuid())
        .bind(&a.key)
        .bind(&a.label)
        .bind(a.kind.as_str())
        .bind(options.as_str())
        .bind(a.created_at.as_millis())
        .bind(a.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes `a`'s label, options and `updated_at` (key and kind never
    /// change).
    pub async fn update_contact_attribute(&mut self, a: &AttributeDef) -> StoreResult<()> {
        let options = serde_json::to_string(&a.options).map_err(StoreError::corrupt)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contact_attributes SET label = $3, options = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(a.id.as_uuid())
        .bind(&a.label)
        .bind(options.as_str())
        .bind(a.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_contact_attribute(&mut self, id: AttributeId) -> StoreResult<AttributeDef> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Definitions, newest first.
    pub async fn list_contact_attributes(
        &mut self,
        page: PageRequest,
    ) -> StoreResult<Page<AttributeDef>> {
        let sql = format!(
            "{SELECT} WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(defs(rows)?, |a: &AttributeDef| a.id.as_uuid()))
    }

    /// Every definition, oldest first: for forms and value checks (the
    /// rules bound how many a tenant has).
    pub async fn all_contact_attributes(&mut self) -> StoreResult<Vec<AttributeDef>> {
        let sql = format!("{SELECT} WHERE tenant_id = $1 ORDER BY id");
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        defs(rows)
    }

    /// Deletes a definition and removes its value from every contact that
    /// has one; returns how many contacts lost a value.
    pub async fn delete_contact_attribute(
        &mut self,
        id: AttributeId,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let def = self.find_contact_attribute(id).await?;
        // The one statement whose JSON the engines spell differently.
        let (sql, key) = match self.tx {
            Tx::Sqlite(_) => (
                "UPDATE contacts SET attributes = json_remove(attributes, $2), updated_at = $3 \
                 WHERE tenant_id = $1 AND json_type(attributes, $2) IS NOT NULL",
                format!("$.{}", def.key),
            ),
            Tx::Postgres(_) => (
                "UPDATE contacts SET attributes = (attributes::jsonb - $2::text)::text, \
                     updated_at = $3 \
                 WHERE tenant_id = $1 AND (attributes::jsonb -> $2::text) IS NOT NULL",
                def.key.clone(),
            ),
        };
        let cleared = exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(self.tenant.as_uuid())
            .bind(key.as_str())
            .bind(now.as_millis())
            .execute(c)
            .await)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM contact_attributes WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        Ok(cleared)
    }
}
