//! Columns that hold ciphertext sealed under the master key, so rotating
//! the key can re-seal every one of them.
//!
//! Each listed table is keyed by `(tenant_id, id)`. Add a line here when a
//! migration adds a sealed column.

use crate::db::{SystemTx, exec, run};
use crate::error::StoreResult;
use sqlx::AssertSqlSafe;
use uuid::Uuid;

/// `(table, column)` pairs holding sealed secrets.
pub const SEALED_COLUMNS: &[(&str, &str)] = &[
    ("users", "totp_secret"),
    ("channels", "access_token"),
    ("channels", "app_secret"),
    ("channels", "webhook_token"),
    ("channels", "verify_token"),
    ("hook_endpoints", "secret"),
    ("hook_endpoints", "previous_secret"),
    ("hook_endpoints", "headers"),
    ("hook_endpoints", "verify_token"),
    ("genesys_accounts", "client_secret"),
    ("genesys_links", "webhook_secret"),
    // Emails carry invitation and reset links; the platform's own have no
    // tenant.
    ("emails", "body"),
];

/// One sealed value and where it lives.
#[derive(Debug, Clone)]
pub struct SealedValue {
    pub table: &'static str,
    pub column: &'static str,
    /// `None` for a platform row (an operator's email).
    pub tenant_id: Option<Uuid>,
    pub id: Uuid,
    pub sealed: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    tenant_id: Option<Uuid>,
    id: Uuid,
    sealed: String,
}

impl SystemTx {
    /// Every sealed value in the database.
    pub async fn list_sealed_values(&mut self) -> StoreResult<Vec<SealedValue>> {
        let mut out = Vec::new();
        for &(table, column) in SEALED_COLUMNS {
            // Table and column names come from the constant list above.
            let sql = format!(
                "SELECT tenant_id, id, {column} AS sealed FROM {table} WHERE {column} IS NOT NULL"
            );
            let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(AssertSqlSafe(
                sql.clone()
            ))
            .fetch_all(c)
            .await)?;
            out.extend(rows.into_iter().map(|r| SealedValue {
                table,
                column,
                tenant_id: r.tenant_id,
                id: r.id,
                sealed: r.sealed,
            }));
        }
        Ok(out)
    }

    /// Replaces one sealed value (same place, new ciphertext).
    pub async fn update_sealed_value(&mut self, v: &SealedValue, sealed: &str) -> StoreResult<()> {
        let sql = format!(
            "UPDATE {} SET {} = $3 \
             WHERE ((tenant_id IS NULL AND $1 IS NULL) OR tenant_id = $1) AND id = $2",
            v.table, v.column
        );
        exec!(&mut self.tx, |c| sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(v.tenant_id)
            .bind(v.id)
            .bind(sealed)
            .execute(c)
            .await)?;
        Ok(())
    }
}
