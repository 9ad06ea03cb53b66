//! CSV import of contacts (docs/DESIGN.md, "CRM: contact import"). A file
//! is uploaded ([`upload_import`]: stored in parts, its columns' fields
//! suggested from the header), mapped and started ([`start_import`]), then
//! applied part by part by a job ([`jobs`]) that resumes after a restart
//! where it stopped; it can be cancelled ([`cancel_import`]). Rejected rows
//! are kept with why and downloaded as CSV ([`rejected_csv`]). Everything
//! needs `inbox:write`; upload, start and cancel are audited, and an import
//! records `contact_import.started` and `contact_import.finished`.

pub mod apply;
pub mod csv;
pub mod file;
pub mod jobs;
pub mod mapping;
pub mod rejected;
pub mod row;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use apply::Mode;
use domain::events::ContactImportStarted;
use domain::{ContactImportId, Permission, Timestamp};
use mapping::Field;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use store::crm::attributes::AttributeDef;
use store::crm::imports::{ContactImport, ImportStatus};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

pub use rejected::{RejectedFile, rejected_csv};

/// An import as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContactImportView {
    pub id: ContactImportId,
    /// `uploaded` (waiting for its mapping), `running`, `finished`,
    /// `failed` or `cancelled`.
    pub status: String,
    /// The uploaded file's name (dashboard uploads).
    pub file_name: Option<String>,
    /// The header row's cells, in column order.
    pub header: Vec<String>,
    /// Data rows (the header and blank rows aside).
    pub row_count: i64,
    pub size_bytes: i64,
    /// The field suggested for each column, by column number (from `"0"`):
    /// `phone`, `name`, `email`, `language`, `tags`, `attr.<key>` or `skip`.
    /// Send it back as `mapping` to start with it.
    pub suggested_mapping: BTreeMap<String, String>,
    /// The mapping it runs with, once started.
    pub mapping: Option<BTreeMap<String, String>>,
    /// `create_only` or `create_or_update`, once started.
    pub mode: Option<String>,
    /// Rows processed so far.
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
    /// `processed` as a share of `row_count`, 0 to 100.
    pub percent: i64,
    /// Why it failed.
    pub error: Option<String>,
    pub started_at: Option<Timestamp>,
    pub finished_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn view(i: ContactImport, defs: &[AttributeDef]) -> ContactImportView {
    let percent = if i.row_count > 0 {
        (i.position * 100 / i.row_count).clamp(0, 100)
    } else {
        100
    };
    let mapping = i.mapping.as_ref().map(|m| {
        m.iter()
            .enumerate()
            .map(|(n, f)| (n.to_string(), f.clone()))
            .collect()
    });
    ContactImportView {
        id: i.id,
        status: i.status.as_str().to_owned(),
        suggested_mapping: mapping::to_object(&mapping::suggest(&i.header, defs)),
        file_name: i.file_name,
        header: i.header,
        row_count: i.row_count,
        size_bytes: i.size_bytes,
        mapping,
        mode: i.mode,
        processed: i.position,
        created: i.created,
        updated: i.updated,
        rejected: i.rejected,
        percent,
        error: i.error,
        started_at: i.started_at,
        finished_at: i.finished_at,
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

/// A file name as kept: its last path segment, at most 255 characters.
fn file_name(raw: Option<&str>) -> Option<String> {
    let name = raw?.rsplit(['/', '\\']).next()?.trim();
    let name: String = name.chars().filter(|c| !c.is_control()).take(255).collect();
    (!name.is_empty()).then_some(name)
}

/// Stores an uploaded CSV file as a new import, `uploaded`: its header,
/// row count and the suggested field of each column. The file may be up to
/// [`file::MAX_FILE_BYTES`], UTF-8 (or Latin-1), separated by `,`, `;` or
/// tabs; its first row is the header.
pub async fn upload_import(
    state: &AppState,
    ctx: &TenantCtx,
    name: Option<&str>,
    bytes: &[u8],
) -> AppResult<ContactImportView> {
    ctx.require(Permission::InboxWrite)?;
    if bytes.len() > file::MAX_FILE_BYTES {
        return Err(AppError::PayloadTooLarge(file::MAX_FILE_BYTES));
    }
    let split = file::split(bytes)?;
    let now = state.now();
    let import = ContactImport {
        id: ContactImportId::new(),
        file_name: file_name(name),
        status: ImportStatus::Uploaded,
        delimiter: split.delimiter,
        header: split.header.clone(),
        row_count: split.rows,
        size_bytes: bytes.len() as i64,
        mapping: None,
        mode: None,
        position: 0,
        created: 0,
        updated: 0,
        rejected: 0,
        error: None,
        started_at: None,
        finished_at: None,
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.insert_contact_import(&import).await?;
    file::store_file(&mut tx, import.id, &split).await?;
    let defs = tx.all_contact_attributes().await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact_import.upload",
        ("contact_import", import.id.to_string()),
        json!({ "file_name": import.file_name, "rows": import.row_count, "bytes": import.size_bytes }),
    )
    .await?;
    tx.commit().await?;
    Ok(view(import, &defs))
}

/// Starts an uploaded import with `mapping` (column number or header →
/// field; left out: the suggested mapping) and `mode` (`create_only`, the
/// default, or `create_or_update`). One column must be the phone number.
/// Refused with `409 import_not_uploaded` once started.
pub async fn start_import(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactImportId,
    mapping: Option<&BTreeMap<String, String>>,
    mode: Option<&str>,
) -> AppResult<ContactImportView> {
    ctx.require(Permission::InboxWrite)?;
    let mode = match mode {
        None => Mode::CreateOnly,
        Some(m) => Mode::parse(m)
            .ok_or_else(|| AppError::validation("mode", "create_only or create_or_update"))?,
    };
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let import = tx.find_contact_import(id).await?;
    if import.status != ImportStatus::Uploaded {
        return Err(not_uploaded(&import));
    }
    let defs = tx.all_contact_attributes().await?;
    let fields = match mapping {
        Some(given) => mapping::resolve(&import.header, given, &defs)?,
        None => {
            let suggested = mapping::suggest(&import.header, &defs);
            if !suggested.contains(&Field::Phone) {
                return Err(AppError::validation(
                    "mapping",
                    "no column looks like a phone number: map one to `phone`",
                ));
            }
            suggested
        }
    };
    let fields: Vec<String> = fields.iter().map(Field::as_string).collect();
    if !tx
        .start_contact_import(id, &fields, mode.as_str(), now)
        .await?
    {
        return Err(not_uploaded(&import));
    }
    jobs::enqueue_part(&mut tx, id, 0, now).await?;
    let started = Event::ContactImportStarted(ContactImportStarted {
        import_id: id,
        row_count: import.row_count,
        mode: mode.as_str().to_owned(),
    });
    record(&mut tx, started, now);
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact_import.start",
        ("contact_import", id.to_string()),
        json!({ "mode": mode.as_str(), "mapping": fields, "rows": import.row_count }),
    )
    .await?;
    let import = tx.find_contact_import(id).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(view(import, &defs))
}

fn not_uploaded(i: &ContactImport) -> AppError {
    AppError::Conflict(
        "import_not_uploaded",
        format!(
            "this import has started already (it is {})",
            i.status.as_str()
        ),
    )
}

/// Stops an import that is uploaded or running; the rows it processed stay
/// imported. Refused with `409 import_over` once it is over.
pub async fn cancel_import(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactImportId,
) -> AppResult<ContactImportView> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let import = tx.find_contact_import(id).await?;
    if !jobs::end(&mut tx, id, ImportStatus::Cancelled, None, now).await? {
        return Err(AppError::Conflict(
            "import_over",
            format!("this import is over (it is {})", import.status.as_str()),
        ));
    }
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "contact_import.cancel",
        ("contact_import", id.to_string()),
        json!({ "processed": import.position, "rows": import.row_count }),
    )
    .await?;
    let import = tx.find_contact_import(id).await?;
    let defs = tx.all_contact_attributes().await?;
    tx.commit().await?;
    Ok(view(import, &defs))
}

/// One import, with its progress.
pub async fn get_import(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactImportId,
) -> AppResult<ContactImportView> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let import = tx.find_contact_import(id).await?;
    let defs = tx.all_contact_attributes().await?;
    tx.commit().await?;
    Ok(view(import, &defs))
}

/// Imports, newest first.
pub async fn list_imports(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<ContactImportView>> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_contact_imports(page).await?;
    let defs = tx.all_contact_attributes().await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(|i| view(i, &defs)).collect(),
        next: found.next,
    })
}

/// What the mapping page shows of an uploaded import: the import, the
/// fields a column may fill (value and label), and its first rows.
#[derive(Debug, Clone)]
pub struct MappingPreview {
    pub import: ContactImportView,
    pub choices: Vec<(String, String)>,
    pub sample: Vec<Vec<String>>,
}

pub async fn mapping_preview(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactImportId,
) -> AppResult<MappingPreview> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let import = tx.find_contact_import(id).await?;
    let defs = tx.all_contact_attributes().await?;
    let sample = if import.status == ImportStatus::Uploaded {
        let (_, rows) = file::read_part(&mut tx, id, 0).await?;
        rows.into_iter().take(3).map(|(_, cells)| cells).collect()
    } else {
        Vec::new()
    };
    tx.commit().await?;
    let mut choices: Vec<(String, String)> = [
        ("skip", "Don't import"),
        ("phone", "Phone number"),
        ("name", "Name"),
        ("email", "Email"),
        ("language", "Language"),
        ("tags", "Tags"),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_owned(), l.to_owned()))
    .collect();
    choices.extend(
        defs.iter()
            .map(|d| (format!("attr.{}", d.key), format!("Field: {}", d.label))),
    );
    Ok(MappingPreview {
        import: view(import, &defs),
        choices,
        sample,
    })
}
