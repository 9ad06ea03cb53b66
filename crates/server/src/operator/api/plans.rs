use crate::auth::OperatorCtx;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{PlanLimits, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
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
    _ctx: OperatorCtx,
) -> AppResult<Json<Vec<PlanView>>> {
    let mut sys = state.store.system_read().await?;
    let plans = sys.list_plans().await?;
    sys.commit().await?;
    Ok(Json(plans.into_iter().map(PlanView::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePlanRequest {
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
    let now = state.now();
    let mut sys = state.store.system().await?;
    let current = sys.find_plan(&code).await?;
    let name = body.name.unwrap_or(current.name);
    let limits = body.limits.unwrap_or(current.limits);
    let negative = [
        ("limits.messages_per_month", limits.messages_per_month),
        ("limits.agents", limits.agents),
        ("limits.numbers", limits.numbers),
        ("limits.contacts", limits.contacts),
    ]
    .into_iter()
    .find(|(_, v)| v.is_some_and(|v| v < 0));
    if let Some((field, _)) = negative {
        return Err(AppError::validation(
            field,
            "must be 0 or more, or null for unlimited",
        ));
    }
    if name.trim().is_empty() {
        return Err(AppError::validation("name", "must not be empty"));
    }
    let plan = sys.update_plan(&code, name.trim(), limits, now).await?;
    crate::audit::operator_action(
        &mut sys,
        &ctx,
        None,
        now,
        "plan.update",
        ("plan", code.clone()),
        json!({ "limits": limits }),
    )
    .await?;
    sys.commit().await?;
    Ok(Json(plan.into()))
}
