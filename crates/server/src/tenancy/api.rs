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

impl From<crate::tenancy::OwnTenant> for OwnTenantView {
    fn from(o: crate::tenancy::OwnTenant) -> Self {
        OwnTenantView {
            tenant: o.tenant.into(),
            plan_name: o.plan.name,
            limits: o.plan.limits,
            usage: Usage {
                users: o.usage.users,
            },
        }
    }
}

/// My tenant: its status, plan, limits and usage.
#[utoipa::path(get, path = "/api/v1/tenant", tag = "tenant",
    responses((status = 200, body = OwnTenantView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_tenant(
    State(state): State<AppState>,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Json<OwnTenantView>> {
    let own = crate::tenancy::get_own_tenant(&state, &ctx).await?;
    Ok(Json(own.into()))
}
