//! `/api/v1/contact-imports`: CSV imports of contacts. Adapters over
//! [`crate::crm::imports`].

use crate::auth::{Authorized, perm};
use crate::crm::imports::{self as rules, ContactImportView, file::MAX_FILE_BYTES};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::ContactImportId;
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        // Files are far larger than the server's usual body limit.
        .routes(routes!(list_contact_imports, create_contact_import))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES))
        .routes(routes!(get_contact_import))
        .routes(routes!(start_contact_import))
        .routes(routes!(cancel_contact_import))
        .routes(routes!(get_rejected_rows))
}

/// How rows meet contacts that exist already.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// A row whose number a contact has already is rejected.
    CreateOnly,
    /// A row whose number a contact has already updates that contact's
    /// mapped fields (empty cells change nothing).
    CreateOrUpdate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartImport {
    /// Column number (`"0"`) or header name → `phone`, `name`, `email`,
    /// `language`, `tags`, `attr.<key>` or `skip`; columns left out are
    /// skipped. Exactly one column is `phone`. Left out: the import's
    /// `suggested_mapping`.
    pub mapping: Option<BTreeMap<String, String>>,
    /// Default `create_only`.
    pub mode: Option<ImportMode>,
}

/// Whether a content type is one a CSV file is sent as.
fn is_csv(value: Option<&HeaderValue>) -> bool {
    let essence = value
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        essence.as_str(),
        "text/csv" | "application/csv" | "text/plain" | "application/vnd.ms-excel"
    )
}

/// Upload a CSV file of contacts (up to 64 MiB; UTF-8 or Latin-1;
/// separated by `,`, `;` or tabs; the first row is the header). Nothing is
/// imported yet: the answer shows the header, the row count and the
/// suggested field of each column; start it with `…/start`.
#[utoipa::path(post, path = "/api/v1/contact-imports", tag = "crm",
    request_body(content = String, content_type = "text/csv",
        description = "The file itself. (With an `Idempotency-Key`, files up to the server's general body limit only.)"),
    responses((status = 201, body = ContactImportView),
              (status = 400, description = "Not sent as `text/csv` (`unsupported_media_type`).", body = ErrorBody),
              (status = 413, description = "Larger than 64 MiB (`payload_too_large`).", body = ErrorBody),
              (status = 422, description = "Empty, no rows, too many columns or a quote never closed (`validation_failed`, field `file`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_contact_import(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    req: Request,
) -> AppResult<(StatusCode, Json<ContactImportView>)> {
    if !is_csv(req.headers().get(header::CONTENT_TYPE)) {
        return Err(AppError::BadRequest(
            "unsupported_media_type",
            "send the file as Content-Type: text/csv".into(),
        ));
    }
    let bytes = Bytes::from_request(req, &state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(MAX_FILE_BYTES)
        } else {
            AppError::BadRequest("unreadable_body", e.body_text())
        }
    })?;
    let created = rules::upload_import(&state, &ctx, None, &bytes).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Imports, newest first.
#[utoipa::path(get, path = "/api/v1/contact-imports", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<ContactImportView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_contact_imports(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<ContactImportView>>> {
    let page = rules::list_imports(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |i| i)))
}

/// One import: its status and progress (`processed` of `row_count`, with
/// `created`, `updated` and `rejected`).
#[utoipa::path(get, path = "/api/v1/contact-imports/{import_id}", tag = "crm",
    params(("import_id" = ContactImportId, Path)),
    responses((status = 200, body = ContactImportView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_contact_import(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Json<ContactImportView>> {
    Ok(Json(rules::get_import(&state, &ctx, id).await?))
}

/// Start an uploaded import with a column mapping and a mode. Its rows
/// are processed in the background, 1,000 at a time; follow its progress
/// with `GET …/{import_id}`.
#[utoipa::path(post, path = "/api/v1/contact-imports/{import_id}/start", tag = "crm",
    params(("import_id" = ContactImportId, Path)), request_body = StartImport,
    responses((status = 202, body = ContactImportView),
              (status = 409, description = "It has started already (`import_not_uploaded`).", body = ErrorBody),
              (status = 422, description = "A bad mapping (`validation_failed`, fields `mapping.<column>`) or no phone column.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn start_contact_import(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
    ApiJson(body): ApiJson<StartImport>,
) -> AppResult<(StatusCode, Json<ContactImportView>)> {
    let mode = body.mode.map(|m| match m {
        ImportMode::CreateOnly => "create_only",
        ImportMode::CreateOrUpdate => "create_or_update",
    });
    let started = rules::start_import(&state, &ctx, id, body.mapping.as_ref(), mode).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// Stop an uploaded or running import. Rows already processed stay
/// imported.
#[utoipa::path(post, path = "/api/v1/contact-imports/{import_id}/cancel", tag = "crm",
    params(("import_id" = ContactImportId, Path)),
    responses((status = 200, body = ContactImportView),
              (status = 409, description = "It is over already (`import_over`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn cancel_contact_import(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Json<ContactImportView>> {
    Ok(Json(rules::cancel_import(&state, &ctx, id).await?))
}

/// The rejected rows as CSV: the file's columns and an `error` column
/// saying why each was not imported. Streamed.
#[utoipa::path(get, path = "/api/v1/contact-imports/{import_id}/rejected.csv", tag = "crm",
    params(("import_id" = ContactImportId, Path)),
    responses((status = 200, description = "The rejected rows", content_type = "text/csv")),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_rejected_rows(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactImportId>,
) -> AppResult<Response> {
    Ok(rules::rejected_csv(&state, &ctx, id).await?.into_response())
}
