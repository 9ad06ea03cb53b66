//! The caller's own tenant (`/api/v1/tenant`).

use crate::auth::{Authorized, perm};
use crate::error::AppResult;
use crate::operator::api::TenantView;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::PlanLimits;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_tenant))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Usage {
    /// Active (not disabled) users, counted against `limits.agents`.
    pub users: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnTenantView {
    pub tenant: TenantView,
    pub plan_name: String,
    /// `null` means unlimited.
    pub limits: PlanLimits,
    pub usage: Usage,
}

/// My tenant: its status, plan, limits and usage.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant",
    responses((status = 200, body = OwnTenantView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_tenant(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<OwnTenantView>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tenant = tx.find_tenant().await?;
    let plan = tx.find_plan().await?;
    let users = tx.count_active_users().await?;
    tx.commit().await?;
    Ok(Json(OwnTenantView {
        tenant: tenant.into(),
        plan_name: plan.name,
        limits: plan.limits,
        usage: Usage { users },
    }))
}
