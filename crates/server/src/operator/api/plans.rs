use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::operator::plans::{self, PlanChange};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{PlanLimits, Timestamp};
use serde::{Deserialize, Serialize};
use store::tenancy::Plan;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub code: String,
    pub name: String,
    /// `null` means unlimited.
    pub limits: PlanLimits,
    pub updated_at: Timestamp,
}

impl From<Plan> for PlanView {
    fn from(p: Plan) -> Self {
        PlanView {
            code: p.code,
            name: p.name,
            limits: p.limits,
            updated_at: p.updated_at,
        }
    }
}

/// All plans.
#[utoipa::path(get, path = "/api/v1/operator/plans", tag = "operator",
    responses((status = 200, body = Vec<PlanView>)), security(("bearer" = [])))]
pub async fn list_plans(
    State(state): State<AppState>,
    ctx: OperatorCtx,
) -> AppResult<Json<Vec<PlanView>>> {
    let plans = plans::list_plans(&state, &ctx).await?;
    Ok(Json(plans.into_iter().map(PlanView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanRequest {
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: Option<String>,
    /// The new limits (all four; `null` for unlimited).
    pub limits: Option<PlanLimits>,
}

/// Edit a plan's name or limits.
#[utoipa::path(patch, path = "/api/v1/operator/plans/{plan_code}", tag = "operator",
    params(("plan_code" = String, Path)), request_body = UpdatePlanRequest,
    responses((status = 200, body = PlanView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(code): ApiPath<String>,
    ApiJson(body): ApiJson<UpdatePlanRequest>,
) -> AppResult<Json<PlanView>> {
    let change = PlanChange {
        name: body.name,
        limits: body.limits,
    };
    let plan = plans::update_plan(&state, &ctx, &code, change).await?;
    Ok(Json(plan.into()))
}
