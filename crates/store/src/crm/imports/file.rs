//! An import's uploaded file, kept in parts of 1,000 rows until the import
//! ends, and removed with the numbers it has seen.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use domain::ContactImportId;

impl TenantTx {
    /// Stores part `part` of an import's file: `rows` data rows as `data`.
    pub async fn insert_contact_import_part(
        &mut self,
        id: ContactImportId,
        part: i64,
        rows: i64,
        data: &[u8],
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO contact_import_parts (tenant_id, import_id, part, row_count, data) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(part)
        .bind(rows)
        .bind(data)
        .execute(c)
        .await)
        .map(drop)
    }

    /// Part `part` of an import's file: its row count and bytes.
    pub async fn find_contact_import_part(
        &mut self,
        id: ContactImportId,
        part: i64,
    ) -> StoreResult<(i64, Vec<u8>)> {
        let row: Option<(i64, Vec<u8>)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT row_count, data FROM contact_import_parts \
             WHERE tenant_id = $1 AND import_id = $2 AND part = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(part)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()
    }

    /// Removes an import's file and its list of phone numbers seen (the
    /// import and its rejected rows stay).
    pub async fn delete_contact_import_file(&mut self, id: ContactImportId) -> StoreResult<()> {
        for table in ["contact_import_parts", "contact_import_phones"] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND import_id = $2");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await)?;
        }
        Ok(())
    }
}
