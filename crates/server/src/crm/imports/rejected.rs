//! The rejected rows of an import as a CSV file: the file's own columns
//! (its header, then each rejected row's cells as uploaded) and an `error`
//! column saying why, in the file's separator. Streamed a page of rows at
//! a time, each page read in its own short transaction, so a file of
//! 100,000 rejected rows never sits in memory whole.

use super::csv::{spreadsheet_safe, write_record};
use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use axum::body::Bytes;
use domain::{ContactImportId, Permission, TenantId};
use futures::stream::{self, BoxStream, StreamExt};

/// Rows per page read.
const PAGE: i64 = 1000;

/// The file: a name to save it under and its bytes as they are read.
pub struct RejectedFile {
    pub file_name: String,
    pub body: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

impl std::fmt::Debug for RejectedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RejectedFile")
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

impl axum::response::IntoResponse for RejectedFile {
    /// A download: `text/csv`, saved as [`RejectedFile::file_name`].
    fn into_response(self) -> axum::response::Response {
        use axum::http::{HeaderValue, header};
        let disposition =
            HeaderValue::from_str(&format!("attachment; filename=\"{}\"", self.file_name))
                .unwrap_or(HeaderValue::from_static("attachment"));
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            axum::body::Body::from_stream(self.body),
        )
            .into_response()
    }
}

/// Where the stream is.
enum Next {
    Header,
    After(i64),
    Done,
}

/// The rejected rows of import `id` (there may be none yet: a running
/// import's are those of the parts done).
pub async fn rejected_csv(
    state: &AppState,
    ctx: &TenantCtx,
    id: ContactImportId,
) -> AppResult<RejectedFile> {
    ctx.require(Permission::InboxWrite)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let import = tx.find_contact_import(id).await?;
    tx.commit().await?;
    let (state, tenant) = (state.clone(), ctx.tenant_id);
    let (header, delimiter) = (import.header, import.delimiter);
    let body = stream::unfold(Next::Header, move |at| {
        let (state, header) = (state.clone(), header.clone());
        async move {
            match at {
                Next::Header => {
                    let mut out = String::new();
                    let cells = header.iter().map(String::as_str).chain(["error"]);
                    write_record(&mut out, cells, delimiter);
                    Some((Ok(Bytes::from(out)), Next::After(0)))
                }
                Next::After(after) => {
                    match page(&state, tenant, id, after, delimiter, header.len()).await {
                        Ok(Some((text, last))) => Some((Ok(Bytes::from(text)), Next::After(last))),
                        Ok(None) => None,
                        Err(e) => {
                            tracing::error!(error = %e, "reading rejected rows failed");
                            Some((Err(std::io::Error::other(e.to_string())), Next::Done))
                        }
                    }
                }
                Next::Done => None,
            }
        }
    })
    .boxed();
    Ok(RejectedFile {
        file_name: format!("rejected-rows-{id}.csv"),
        body,
    })
}

/// The CSV text of the rejected rows after row `after` (each padded to
/// `width` cells, so `error` stays in its column), and the last row number
/// in it; `None` when there are no more.
async fn page(
    state: &AppState,
    tenant: TenantId,
    id: ContactImportId,
    after: i64,
    delimiter: char,
    width: usize,
) -> store::StoreResult<Option<(String, i64)>> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let rows = tx.list_contact_import_rejects(id, after, PAGE).await?;
    tx.commit().await?;
    let Some(last) = rows.last().map(|r| r.row_number) else {
        return Ok(None);
    };
    let mut out = String::new();
    for r in &rows {
        let mut cells = r
            .cells
            .iter()
            .map(|c| spreadsheet_safe(c))
            .collect::<Vec<_>>();
        if cells.len() < width {
            cells.resize(width, "".into());
        }
        let reason = spreadsheet_safe(&r.reason);
        write_record(
            &mut out,
            cells.iter().map(|c| c.as_ref()).chain([reason.as_ref()]),
            delimiter,
        );
    }
    Ok(Some((out, last)))
}
