//! `GET /api/v1/contacts/export.csv`: an adapter over [`crate::crm::export`].

use crate::auth::{Authorized, perm};
use crate::crm::export::{self as rules, ExportFilter};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiQuery;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::{SegmentId, TagId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_contacts))
}

/// Empty parameters mean "any", so the contact list's filter form can send
/// its fields as they are (`q` is the form's name for `search`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Only the segment's contacts (its id).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub segment: Option<String>,
    /// Only contacts whose name, email, WhatsApp id or phone contains this.
    #[param(max_length = 200)]
    #[serde(alias = "q")]
    pub search: Option<String>,
    /// Only contacts carrying this tag (its id).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub tag: Option<String>,
    /// `true`: only those who opted out; `false`: only those who did not.
    #[param(pattern = "^(true|false)?$")]
    pub opted_out: Option<String>,
}

/// An id parameter: empty is none, else the hyphenated form.
fn id_param<T: std::str::FromStr>(name: &str, v: Option<String>) -> AppResult<Option<T>> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.len() == 36 => s
            .parse()
            .map(Some)
            .map_err(|_| AppError::validation(name, "an id")),
        Some(_) => Err(AppError::validation(name, "an id")),
    }
}

/// Export contacts as CSV, streamed: a segment's (`segment`), or the
/// contact list's filtered by `search`, `tag`, `opted_out` and, as the
/// contact list takes them, `attr.<key>` (equal), `attr.<key>.gte` and
/// `attr.<key>.lte` (every parameter given must hold). Columns: `id, name, profile_name, wa_id,
/// phone, email, language, opted_out, created_at, tags` (names joined by
/// `;`), then one per custom attribute. Cells a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`) get a leading `'`, plain
/// numbers excepted. Audited (`contact.export`).
#[utoipa::path(get, path = "/api/v1/contacts/export.csv", tag = "crm", params(ExportQuery),
    responses((status = 200, description = "The contacts, one per line after the header.",
               content_type = "text/csv", body = String),
              (status = 404, description = "No such segment (`not_found`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn export_contacts(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ExportQuery>,
    RawQuery(raw): RawQuery,
) -> AppResult<Response> {
    let attributes = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k.starts_with("attr."))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let opted_out = match q.opted_out.as_deref() {
        None | Some("") => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => return Err(AppError::validation("opted_out", "true or false")),
    };
    let filter = ExportFilter {
        segment: id_param::<SegmentId>("segment", q.segment)?,
        search: q.search,
        tag: id_param::<TagId>("tag", q.tag)?,
        opted_out,
        attributes,
    };
    let export = rules::export_contacts(&state, &ctx, filter).await?;
    let disposition = format!("attachment; filename=\"{}\"", export.filename);
    let mut res = Body::from_stream(export.body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
