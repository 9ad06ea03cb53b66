use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::operator::plans::{self, NewPlan, PlanChange};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{PlanFeatures, PlanLimits, PlanPrices, Timestamp};
use serde::{Deserialize, Serialize};
use store::tenancy::Plan;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub code: String,
    pub name: String,
    /// `null` means unlimited.
    pub limits: PlanLimits,
    pub prices: PlanPrices,
    pub features: PlanFeatures,
    /// When the plan stopped taking new tenants; `null` while offered.
    pub retired_at: Option<Timestamp>,
    pub updated_at: Timestamp,
}

impl From<Plan> for PlanView {
    fn from(p: Plan) -> Self {
        PlanView {
            code: p.code,
            name: p.name,
            limits: p.limits,
            prices: p.prices,
            features: p.features,
            retired_at: p.retired_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    /// 2 to 40 lowercase letters, digits and inner hyphens; cannot change.
    #[schema(example = "growth")]
    pub code: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    /// Every limit; `null` for unlimited.
    pub limits: PlanLimits,
    pub prices: PlanPrices,
    /// Every switch on when left out.
    pub features: Option<PlanFeatures>,
}

/// Add a plan.
#[utoipa::path(post, path = "/api/v1/operator/plans", tag = "operator",
    request_body = CreatePlanRequest,
    responses((status = 201, body = PlanView),
              (status = 409, description = "A plan with this code exists (`plan_exists`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_plan(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiJson(body): ApiJson<CreatePlanRequest>,
) -> AppResult<(StatusCode, Json<PlanView>)> {
    let input = NewPlan {
        code: body.code,
        name: body.name,
        limits: body.limits,
        prices: body.prices,
        features: body.features.unwrap_or(PlanFeatures::ALL),
    };
    let plan = plans::create_plan(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(plan.into())))
}

/// All plans, cheapest first.
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
    /// The new limits (every one; `null` for unlimited).
    pub limits: Option<PlanLimits>,
    pub prices: Option<PlanPrices>,
    pub features: Option<PlanFeatures>,
    /// `true` retires the plan: its tenants keep it, no other tenant can
    /// be put on it. `false` offers it again.
    pub retired: Option<bool>,
}

/// Edit a plan: its name, limits, prices, features, or retire it.
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
        prices: body.prices,
        features: body.features,
        retired: body.retired,
    };
    let plan = plans::update_plan(&state, &ctx, &code, change).await?;
    Ok(Json(plan.into()))
}
