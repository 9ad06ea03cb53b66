use crate::audit::api::AuditEntryView;
use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::TenantId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorAuditQuery {
    /// Only this tenant's entries.
    pub tenant_id: Option<TenantId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// The whole platform's audit log, newest first.
#[utoipa::path(get, path = "/api/v1/operator/audit-log", tag = "operator",
    params(OperatorAuditQuery),
    responses((status = 200, body = Paged<AuditEntryView>)), security(("bearer" = [])))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<OperatorAuditQuery>,
) -> AppResult<Json<Paged<AuditEntryView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let entries = crate::audit::list_platform_audit_log(&state, &ctx, q.tenant_id, page).await?;
    Ok(Json(Paged::from_page(entries, AuditEntryView::from)))
}
