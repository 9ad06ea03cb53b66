//! The import job (`contact_import.part`): each run applies one part of the
//! file (1,000 rows) in one transaction, which also moves the import's
//! position past the part, queues the run of the next part and records the
//! job's own completion. A crash before that commit leaves nothing of the
//! part behind, and the job runs again from the same position once its
//! lease ends; after it, the next part's job is there. Every write is
//! guarded by the position it started from, so a part is never applied
//! twice, even by two workers at once.

use super::apply::{self, Mode, Part};
use super::file::{self, PART_ROWS};
use super::mapping::Field;
use crate::events::{Event, record};
use crate::jobs::{JobKind, Outcome, Queue, Registry};
use crate::state::AppState;
use domain::events::ContactImportFinished;
use domain::{ContactImportId, TenantId, Timestamp};
use serde::{Deserialize, Serialize};
use store::crm::imports::{ContactImport, ImportStatus};
use store::{StoreError, TenantTx};

/// Registers the import's job.
pub fn register(registry: &mut Registry) {
    registry.register::<ImportPart>();
}

/// Which import, and the position its part starts at.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct PartPayload {
    pub import_id: ContactImportId,
    pub position: i64,
}

/// Applies the next part of an import.
pub struct ImportPart;

impl JobKind for ImportPart {
    const KIND: &'static str = "contact_import.part";
    const QUEUE: Queue = Queue::Tenants;
    const MAX_ATTEMPTS: i64 = 10;
    type Payload = PartPayload;

    fn dedupe_key(p: &PartPayload) -> Option<String> {
        Some(format!("contact_import:{}:{}", p.import_id, p.position))
    }

    /// Bulk work: conversational jobs of the queue go first.
    fn lane(_: &PartPayload) -> i64 {
        10
    }

    async fn run(state: &AppState, tenant: Option<TenantId>, p: PartPayload) -> Outcome {
        let Some(tenant) = tenant else {
            return Outcome::Fail {
                error: "an import part without a tenant".into(),
            };
        };
        match run_part(state, tenant, p.import_id).await {
            Ok(Some(tx)) => Outcome::CommitTenant(tx),
            Ok(None) => Outcome::Done,
            Err(e) => Outcome::retry(format!("{e:#}")),
        }
    }

    async fn given_up(
        tx: &mut TenantTx,
        p: PartPayload,
        error: &str,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        tracing::error!(error, import_id = %p.import_id, "a contact import failed");
        let reason = format!(
            "stopped by an internal error after {} rows; the rows before it are imported",
            p.position
        );
        end(tx, p.import_id, ImportStatus::Failed, Some(&reason), now).await?;
        Ok(())
    }
}

/// Queues the part of import `id` that starts at `position`, in `tx`.
pub async fn enqueue_part(
    tx: &mut TenantTx,
    id: ContactImportId,
    position: i64,
    now: Timestamp,
) -> store::StoreResult<()> {
    let payload = PartPayload {
        import_id: id,
        position,
    };
    crate::jobs::enqueue::<ImportPart>(tx, &payload, now).await
}

/// Ends a running or uploaded import as `status` (removing its file) with
/// its `contact_import.finished` event; `false` if it was over already.
pub async fn end(
    tx: &mut TenantTx,
    id: ContactImportId,
    status: ImportStatus,
    error: Option<&str>,
    now: Timestamp,
) -> store::StoreResult<bool> {
    if !tx.end_contact_import(id, status, error, now).await? {
        return Ok(false);
    }
    let import = tx.find_contact_import(id).await?;
    record(tx, finished_event(&import), now);
    Ok(true)
}

/// The `contact_import.finished` event of an import that just ended.
pub fn finished_event(i: &ContactImport) -> Event {
    Event::ContactImportFinished(ContactImportFinished {
        import_id: i.id,
        status: i.status.as_str().to_owned(),
        row_count: i.row_count,
        processed: i.position,
        created: i.created,
        updated: i.updated,
        rejected: i.rejected,
    })
}

/// Applies the part at import `id`'s position; answers the transaction to
/// commit with the job, or `None` when there is nothing to do (the import
/// is not running, or another worker moved it on).
async fn run_part(
    state: &AppState,
    tenant: TenantId,
    id: ContactImportId,
) -> anyhow::Result<Option<TenantTx>> {
    // What the part needs, read beside the writer.
    let mut read = state.store.tenant_read(tenant).await?;
    let import = match read.find_contact_import(id).await {
        Ok(i) => i,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if import.status != ImportStatus::Running {
        return Ok(None);
    }
    let rows = match file::read_part(&mut read, id, import.position / PART_ROWS).await {
        Ok(rows) => Some(rows),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let defs = read.all_contact_attributes().await?;
    read.commit().await?;

    let now = state.now();
    let mut tx = state.store.tenant(tenant).await?;
    let (Some(rows), Some(mode)) = (rows, import.mode.as_deref().and_then(Mode::parse)) else {
        let reason = "the uploaded file is incomplete; upload it again";
        end(&mut tx, id, ImportStatus::Failed, Some(reason), now).await?;
        return Ok(Some(tx));
    };
    let mapping: Vec<Field> = import
        .mapping
        .iter()
        .flatten()
        .map(|f| Field::parse(f).unwrap_or(Field::Skip))
        .collect();
    let part = Part {
        import: id,
        mapping: &mapping,
        mode,
        defs: &defs,
        now,
    };
    let (count, rows) = rows;
    let mut progress = apply::apply(&mut tx, &part, rows).await?;
    // The position moves by whole parts, whatever was in this one.
    progress.rows = count;
    let next = import.position + progress.rows;
    let finished = next >= import.row_count;
    if !tx
        .advance_contact_import(id, import.position, progress, finished, now)
        .await?
    {
        // Cancelled meanwhile, or applied by another worker: drop it all.
        return Ok(None);
    }
    if finished {
        let done = tx.find_contact_import(id).await?;
        record(&mut tx, finished_event(&done), now);
    } else {
        enqueue_part(&mut tx, id, next, now).await?;
    }
    Ok(Some(tx))
}
