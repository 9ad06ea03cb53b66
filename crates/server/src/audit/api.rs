//! The tenant's own audit log (`/api/v1/audit-log`).

use crate::auth::{Authorized, perm};
use crate::error::AppResult;
use crate::http::extract::ApiQuery;
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{AuditId, TenantId, Timestamp};
use serde::Deserialize;
use serde::Serialize;
use store::audit::AuditEntry;
use utoipa::IntoParams;
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
    /// Who acted, for people: the user's name and email, the API key's
    /// name, `operator`, or `system via whatsapp|worker|cli`.
    pub actor_name: String,
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
            actor_name: crate::audit::actor_label(&e),
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

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogQuery {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
    /// Only this actor: `user:<id>`, `api_key:<id>`, or a kind alone
    /// (`user`, `api_key`, `operator`, `system`).
    pub actor: Option<String>,
    /// Only this action (`user.update`) or family of actions (`user`).
    pub action: Option<String>,
    /// From this time on: RFC 3339, or `YYYY-MM-DD` (UTC).
    pub since: Option<String>,
    /// Before this time: RFC 3339, or `YYYY-MM-DD` (to the end of that day).
    pub until: Option<String>,
}

/// This tenant's audit log, newest first, including operator looks into
/// it; narrowed by actor, action and time when asked.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "audit", params(AuditLogQuery),
    responses((status = 200, body = Paged<AuditEntryView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_audit_log(
    State(state): State<AppState>,
    ctx: Authorized<perm::AuditRead>,
    ApiQuery(q): ApiQuery<AuditLogQuery>,
) -> AppResult<Json<Paged<AuditEntryView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let filter = crate::audit::AuditQuery {
        actor: q.actor,
        action: q.action,
        since: q.since,
        until: q.until,
    }
    .filter()?;
    let page = crate::audit::list_audit_log(&state, &ctx, &filter, page).await?;
    Ok(Json(Paged::from_page(page, AuditEntryView::from)))
}
