//! Plans and their limits, edited by the operator.

use crate::auth::OperatorCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::PlanLimits;
use serde_json::json;
use store::tenancy::Plan;

/// Every plan.
pub async fn list_plans(state: &AppState, _ctx: &OperatorCtx) -> AppResult<Vec<Plan>> {
    let mut sys = state.store.system_read().await?;
    let plans = sys.list_plans().await?;
    sys.commit().await?;
    Ok(plans)
}

/// What to change about a plan; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct PlanChange {
    pub name: Option<String>,
    /// All four limits at once; `None` inside means unlimited.
    pub limits: Option<PlanLimits>,
}

/// Renames a plan or changes its limits. Tenants over a lowered limit keep
/// what they have but cannot take more; tenants on it holding customers'
/// messages (over the contact limit) get them released if the new limits
/// allow.
pub async fn update_plan(
    state: &AppState,
    ctx: &OperatorCtx,
    code: &str,
    change: PlanChange,
) -> AppResult<Plan> {
    let now = state.now();
    let mut sys = state.store.system().await?;
    let current = sys.find_plan(code).await?;
    let name = change.name.unwrap_or(current.name);
    let limits = change.limits.unwrap_or(current.limits);
    let negative = [
        ("limits.messages_per_month", limits.messages_per_month),
        ("limits.agents", limits.agents),
        ("limits.numbers", limits.numbers),
        ("limits.contacts", limits.contacts),
        (
            "limits.workflow_runs_per_month",
            limits.workflow_runs_per_month,
        ),
        ("limits.genesys_per_minute", limits.genesys_per_minute),
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
    let plan = sys.update_plan(code, name.trim(), limits, now).await?;
    for tenant in sys.find_tenants_holding_events(code).await? {
        let job = crate::channels::jobs::TenantRef { tenant_id: tenant };
        crate::jobs::enqueue_system::<crate::channels::jobs::ReleaseHeld>(
            &mut sys,
            Some(tenant),
            &job,
            now,
        )
        .await?;
    }
    crate::audit::operator_action(
        &mut sys,
        ctx,
        None,
        now,
        "plan.update",
        ("plan", code.to_owned()),
        json!({ "limits": limits }),
    )
    .await?;
    sys.commit().await?;
    Ok(plan)
}
