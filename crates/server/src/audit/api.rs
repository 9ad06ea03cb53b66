//! The tenant's own audit log (`/api/v1/audit-log`).

use crate::auth::{Authorized, perm};
use crate::error::AppResult;
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{AuditId, TenantId, Timestamp};
use serde::Serialize;
use store::audit::AuditEntry;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_log))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: AuditId,
    pub tenant_id: Option<TenantId>,
    /// `user`, `api_key`, `operator` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    /// A stable dotted name such as `user.update`.
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: serde_json::Value,
    pub created_at: Timestamp,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        AuditEntryView {
            id: e.id,
            tenant_id: e.tenant_id,
            actor_kind: e.actor_kind,
            actor_id: e.actor_id,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            ip: e.ip,
            details: e.details,
            created_at: e.created_at,
        }
    }
}

/// This tenant's audit log, newest first, including operator looks into it.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(PageQuery),
    responses((status = 200, body = Paged<AuditEntryView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    ctx: Authorized<perm::AuditRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<AuditEntryView>>> {
    let page = crate::audit::list_audit_log(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, AuditEntryView::from)))
}
