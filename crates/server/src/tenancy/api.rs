//! The caller's own tenant (`/api/v1/tenant`).

use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::operator::api::TenantView;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::PlanLimits;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_tenant, update_tenant))
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
    /// The IANA time zone (`Europe/Lisbon`) the dashboard shows times in
    /// and reads wall times in (`local_time` of scheduled messages);
    /// `UTC` until set.
    pub time_zone: String,
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
            time_zone: o.time_zone,
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOwnTenant {
    /// An IANA time zone name (`America/Sao_Paulo`); any case.
    #[schema(example = "Europe/Lisbon")]
    pub time_zone: Option<String>,
}

/// Change my tenant's settings: its time zone (`settings:manage`). Times
/// already scheduled keep their instant.
#[utoipa::path(patch, path = "/api/v1/tenant", tag = "tenant",
    request_body = UpdateOwnTenant,
    responses((status = 200, body = OwnTenantView),
              (status = 422, description = "Not an IANA time zone.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_tenant(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<UpdateOwnTenant>,
) -> AppResult<Json<OwnTenantView>> {
    if let Some(zone) = body.time_zone {
        crate::tenancy::zone::set_time_zone(&state, &ctx, &zone).await?;
    }
    let own = crate::tenancy::get_own_tenant(&state, &ctx).await?;
    Ok(Json(own.into()))
}
