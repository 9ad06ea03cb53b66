//! CSV imports of contacts: the import (`contact_imports`: its header, row
//! count, mapping, mode, position and counts), the uploaded file in parts
//! (`contact_import_parts`), the rows it rejected (`contact_import_rejects`)
//! and the phone numbers it has seen (`contact_import_phones`). The bulk
//! writes of one part's contacts are in [`rows`].

pub mod file;
pub mod rows;

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ContactImportId, Timestamp};
use uuid::Uuid;

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    /// Stored, waiting for its mapping.
    Uploaded,
    /// Its rows are being processed.
    Running,
    /// Every row processed.
    Finished,
    /// Given up (the reason is in `error`).
    Failed,
    /// Stopped by the team; what was processed stays.
    Cancelled,
}

impl ImportStatus {
    pub const ALL: [ImportStatus; 5] = [
        ImportStatus::Uploaded,
        ImportStatus::Running,
        ImportStatus::Finished,
        ImportStatus::Failed,
        ImportStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportStatus::Uploaded => "uploaded",
            ImportStatus::Running => "running",
            ImportStatus::Finished => "finished",
            ImportStatus::Failed => "failed",
            ImportStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Finished, failed or cancelled: nothing more happens to it.
    pub fn is_over(self) -> bool {
        !matches!(self, ImportStatus::Uploaded | ImportStatus::Running)
    }
}

/// An import as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactImport {
    pub id: ContactImportId,
    pub file_name: Option<String>,
    pub status: ImportStatus,
    /// The field separator.
    pub delimiter: char,
    pub header: Vec<String>,
    /// Data rows, the header aside.
    pub row_count: i64,
    pub size_bytes: i64,
    /// The field of each column (`phone`, `attr.tier`, `skip`, …), once
    /// started.
    pub mapping: Option<Vec<String>>,
    /// `create_only` or `create_or_update`, once started.
    pub mode: Option<String>,
    /// Data rows processed.
    pub position: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
    pub error: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    file_name: Option<String>,
    status: String,
    delimiter: String,
    header: String,
    row_count: i64,
    size_bytes: i64,
    mapping: Option<String>,
    mode: Option<String>,
    position: i64,
    created_count: i64,
    updated_count: i64,
    rejected_count: i64,
    error: Option<String>,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for ContactImport {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        let mapping = match r.mapping {
            Some(m) => Some(serde_json::from_str(&m).map_err(StoreError::corrupt)?),
            None => None,
        };
        Ok(ContactImport {
            id: ContactImportId::from_uuid(r.id),
            file_name: r.file_name,
            status: ImportStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("import status {}", r.status)))?,
            delimiter: r.delimiter.chars().next().unwrap_or(','),
            header: serde_json::from_str(&r.header).map_err(StoreError::corrupt)?,
            row_count: r.row_count,
            size_bytes: r.size_bytes,
            mapping,
            mode: r.mode,
            position: r.position,
            created: r.created_count,
            updated: r.updated_count,
            rejected: r.rejected_count,
            error: r.error,
            started_at: r.started_at.map(Timestamp::from_millis),
            finished_at: r.finished_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const SELECT: &str = "SELECT id, file_name, status, delimiter, header, row_count, size_bytes, \
     mapping, mode, position, created_count, updated_count, rejected_count, error, started_at, \
     finished_at, created_at, updated_at FROM contact_imports";

/// What one part of an import did, added to its counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub rows: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
}

/// A rejected row: its number in the file, its cells, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReject {
    pub row_number: i64,
    pub cells: Vec<String>,
    pub reason: String,
}

fn to_json(v: &impl serde::Serialize) -> StoreResult<String> {
    serde_json::to_string(v).map_err(StoreError::corrupt)
}

impl TenantTx {
    /// Inserts a new import (its file goes in with
    /// [`insert_contact_import_part`](Self::insert_contact_import_part)).
    pub async fn insert_contact_import(&mut self, i: &ContactImport) -> StoreResult<()> {
        let header = to_json(&i.header)?;
        let mapping = i.mapping.as_ref().map(to_json).transpose()?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO contact_imports (tenant_id, id, file_name, status, delimiter, header, \
                 row_count, size_bytes, mapping, mode, position, created_count, updated_count, \
                 rejected_count, error, started_at, finished_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                     $18, $19)"
        )
        .bind(self.tenant.as_uuid())
        .bind(i.id.as_uuid())
        .bind(i.file_name.as_deref())
        .bind(i.status.as_str())
        .bind(i.delimiter.to_string())
        .bind(header.as_str())
        .bind(i.row_count)
        .bind(i.size_bytes)
        .bind(mapping.as_deref())
        .bind(i.mode.as_deref())
        .bind(i.position)
        .bind(i.created)
        .bind(i.updated)
        .bind(i.rejected)
        .bind(i.error.as_deref())
        .bind(i.started_at.map(Timestamp::as_millis))
        .bind(i.finished_at.map(Timestamp::as_millis))
        .bind(i.created_at.as_millis())
        .bind(i.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    pub async fn find_contact_import(&mut self, id: ContactImportId) -> StoreResult<ContactImport> {
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

    /// Imports, newest first.
    pub async fn list_contact_imports(
        &mut self,
        page: PageRequest,
    ) -> StoreResult<Page<ContactImport>> {
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
        let imports = rows
            .into_iter()
            .map(ContactImport::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(imports, |i: &ContactImport| i.id.as_uuid()))
    }

    /// Starts an uploaded import with its mapping and mode; `false` if it
    /// was not `uploaded` any more.
    pub async fn start_contact_import(
        &mut self,
        id: ContactImportId,
        mapping: &[String],
        mode: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mapping = to_json(&mapping)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contact_imports SET status = 'running', mapping = $3, mode = $4, \
                 started_at = $5, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'uploaded'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(mapping.as_str())
        .bind(mode)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Ends an import that is not over yet as `status` (failed or
    /// cancelled) and removes its file; `false` if it was already over.
    pub async fn end_contact_import(
        &mut self,
        id: ContactImportId,
        status: ImportStatus,
        error: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE contact_imports SET status = $3, error = $4, finished_at = $5, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2 AND status IN ('uploaded', 'running')"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(status.as_str())
        .bind(error)
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        if n > 0 {
            self.delete_contact_import_file(id).await?;
        }
        Ok(n > 0)
    }

    /// Adds a part's progress to a running import whose position is still
    /// `from` (and, with `finished`, marks it finished and removes its
    /// file); `false` if it is not running there any more (cancelled, or
    /// another worker moved it), and the caller must not commit.
    pub async fn advance_contact_import(
        &mut self,
        id: ContactImportId,
        from: i64,
        p: ImportProgress,
        finished: bool,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let status = if finished { "finished" } else { "running" };
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE contact_imports SET position = position + $4, \
                 created_count = created_count + $5, updated_count = updated_count + $6, \
                 rejected_count = rejected_count + $7, status = $8, \
                 finished_at = CASE WHEN $8 = 'finished' THEN $9 ELSE finished_at END, \
                 updated_at = $9 \
             WHERE tenant_id = $1 AND id = $2 AND status = 'running' AND position = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(from)
        .bind(p.rows)
        .bind(p.created)
        .bind(p.updated)
        .bind(p.rejected)
        .bind(status)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if n > 0 && finished {
            self.delete_contact_import_file(id).await?;
        }
        Ok(n > 0)
    }

    /// Up to `limit` rejected rows of an import after row `after`, in file
    /// order.
    pub async fn list_contact_import_rejects(
        &mut self,
        id: ContactImportId,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<ImportReject>> {
        let rows: Vec<(i64, String, String)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT row_number, cells, reason FROM contact_import_rejects \
             WHERE tenant_id = $1 AND import_id = $2 AND row_number > $3 \
             ORDER BY row_number LIMIT $4"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(after)
        .bind(limit)
        .fetch_all(c)
        .await)?;
        rows.into_iter()
            .map(|(row_number, cells, reason)| {
                Ok(ImportReject {
                    row_number,
                    cells: serde_json::from_str(&cells).map_err(StoreError::corrupt)?,
                    reason,
                })
            })
            .collect()
    }
}
