//! Contacts → Import: the upload form with the recent imports, the mapping
//! page (a field per column, the suggestions chosen, and the mode), and the
//! progress page (a live bar, the counts, the rejected rows' download).
//! Adapters over [`crate::crm::imports`]: each parses the form, calls one
//! rule and renders or redirects.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::imports::file::MAX_FILE_BYTES;
use crate::crm::imports::{self as rules, ContactImportView};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::ContactImportId;
use std::collections::BTreeMap;
use store::page::PageRequest;

pub fn router() -> Router<AppState> {
    const ONE: &str = "/app/contacts/import/{id}";
    Router::new()
        .route(
            "/app/contacts/import",
            get(view_imports).post(create_import),
        )
        // The upload: a file, not a small form.
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + 64 * 1024))
        .route(ONE, get(view_import))
        .route(&format!("{ONE}/start"), post(start_import))
        .route(&format!("{ONE}/cancel"), post(cancel_import))
        .route(&format!("{ONE}/rejected.csv"), get(download_rejected))
}

/// An import as the pages show it.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: String,
    pub file_name: String,
    pub status: String,
    pub rows: i64,
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
    pub percent: i64,
    pub error: Option<String>,
    pub when: String,
    /// Still moving: the page refreshes itself.
    pub running: bool,
    /// Uploaded or running: it can be cancelled.
    pub open: bool,
}

fn row(i: &ContactImportView, now: domain::Timestamp) -> ImportRow {
    ImportRow {
        id: i.id.to_string(),
        file_name: i
            .file_name
            .clone()
            .unwrap_or_else(|| "(uploaded through the API)".into()),
        status: i.status.clone(),
        rows: i.row_count,
        processed: i.processed,
        created: i.created,
        updated: i.updated,
        rejected: i.rejected,
        percent: i.percent,
        error: i.error.clone(),
        when: when(i.created_at, now),
        running: i.status == "running",
        open: i.status == "uploaded" || i.status == "running",
    }
}

#[derive(Template)]
#[template(path = "contact_import.html")]
struct ImportsPage {
    shell: Shell,
    imports: Vec<ImportRow>,
    error: Option<String>,
}

async fn imports_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let found = rules::list_imports(state, ctx, PageRequest::new(None, 20)).await?;
    Ok(render(&ImportsPage {
        shell: shell.with_tab("contacts"),
        imports: found.items.iter().map(|i| row(i, now)).collect(),
        error,
    }))
}

pub async fn view_imports(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
) -> AppResult<Response> {
    imports_page(&state, shell, &ctx, None).await
}

/// The upload: the form's `file` part (its `csrf` part was checked in
/// front of the route).
pub async fn create_import(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    multipart: Multipart,
) -> AppResult<Response> {
    let uploaded = match read_file(multipart).await {
        Ok((name, bytes)) => rules::upload_import(&state, &ctx, name.as_deref(), &bytes).await,
        Err(e) => Err(e),
    };
    match uploaded {
        Ok(i) => Ok(Redirect::to(&format!("/app/contacts/import/{}", i.id)).into_response()),
        Err(e @ AppError::PayloadTooLarge(_)) => {
            let msg = format!("{e}: split the file and import the parts one after the other");
            let mut res = imports_page(&state, shell, &ctx, Some(msg)).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
        Err(e) => match inline(&e) {
            Some(msg) => {
                let mut res = imports_page(&state, shell, &ctx, Some(msg)).await?;
                *res.status_mut() = e.status();
                Ok(res)
            }
            None => Err(e),
        },
    }
}

/// The `file` part's name and bytes.
async fn read_file(mut multipart: Multipart) -> AppResult<(Option<String>, Vec<u8>)> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(MAX_FILE_BYTES)
        } else {
            AppError::validation("file", "the upload did not arrive whole; try again")
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(broken)? {
        if field.name() == Some("file") {
            let name = field.file_name().map(str::to_owned);
            let bytes = field.bytes().await.map_err(broken)?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(AppError::validation("file", "choose a CSV file to upload"))
}

/// A column on the mapping page.
#[derive(Debug, Clone)]
pub struct Column {
    pub index: usize,
    pub header: String,
    pub suggested: String,
    /// The first rows' values in it.
    pub sample: String,
}

#[derive(Template)]
#[template(path = "contact_import_map.html")]
struct MapPage {
    shell: Shell,
    import: ImportRow,
    columns: Vec<Column>,
    choices: Vec<(String, String)>,
    mode: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "contact_import_progress.html")]
struct ProgressPage {
    shell: Shell,
    import: ImportRow,
}

/// The mapping page, with `chosen` fields (the suggestions if none).
async fn map_page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    id: ContactImportId,
    chosen: Option<(BTreeMap<String, String>, String)>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let preview = rules::mapping_preview(state, ctx, id).await?;
    let i = &preview.import;
    if i.status != "uploaded" {
        return Ok(render(&ProgressPage {
            shell: shell.with_tab("contacts"),
            import: row(i, now),
        }));
    }
    let (fields, mode) =
        chosen.unwrap_or_else(|| (i.suggested_mapping.clone(), "create_only".into()));
    let columns = i
        .header
        .iter()
        .enumerate()
        .map(|(index, header)| Column {
            index,
            header: header.clone(),
            suggested: fields
                .get(&index.to_string())
                .cloned()
                .unwrap_or_else(|| "skip".into()),
            sample: preview
                .sample
                .iter()
                .filter_map(|r| r.get(index).map(|c| c.trim()).filter(|c| !c.is_empty()))
                .collect::<Vec<_>>()
                .join(" · "),
        })
        .collect();
    Ok(render(&MapPage {
        shell: shell.with_tab("contacts"),
        import: row(i, now),
        columns,
        choices: preview.choices,
        mode,
        error,
    }))
}

/// Uploaded: the mapping page; started: the progress page.
pub async fn view_import(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Response> {
    map_page(&state, shell, &ctx, id, None, None).await
}

/// The mapping form: `col_<n>` per column and `mode`.
pub async fn start_import(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mapping: BTreeMap<String, String> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("col_")?.to_owned(), v.clone())))
        .collect();
    let mode = fields
        .iter()
        .find(|(k, _)| k == "mode")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "create_only".into());
    match rules::start_import(&state, &ctx, id, Some(&mapping), Some(&mode)).await {
        Ok(_) => Ok(Redirect::to(&format!("/app/contacts/import/{id}")).into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => {
                let status = e.status();
                let mut res =
                    map_page(&state, shell, &ctx, id, Some((mapping, mode)), Some(msg)).await?;
                *res.status_mut() = status;
                Ok(res)
            }
            None => Err(e),
        },
    }
}

pub async fn cancel_import(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Response> {
    rules::cancel_import(&state, &ctx, id).await?;
    Ok(Redirect::to(&format!("/app/contacts/import/{id}")).into_response())
}

pub async fn download_rejected(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Response> {
    Ok(rules::rejected_csv(&state, &ctx, id).await?.into_response())
}
