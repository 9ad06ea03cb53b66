//! Plans, made, edited and retired by the operator: prices, limits and
//! feature switches.

use crate::auth::OperatorCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{PlanFeatures, PlanLimits, PlanPrices};
use serde_json::json;
use store::SystemTx;
use store::tenancy::{Plan, PlanSettings};

/// Every plan, cheapest first.
pub async fn list_plans(state: &AppState, _ctx: &OperatorCtx) -> AppResult<Vec<Plan>> {
    let mut sys = state.store.system_read().await?;
    let plans = sys.list_plans().await?;
    sys.commit().await?;
    Ok(plans)
}

/// A new plan.
#[derive(Debug, Clone)]
pub struct NewPlan {
    /// Lowercase letters, digits and hyphens, as for a slug (`growth-2027`).
    pub code: String,
    pub name: String,
    pub limits: PlanLimits,
    pub prices: PlanPrices,
    pub features: PlanFeatures,
}

/// Adds a plan. Its code is its name in the API and in Stripe's metadata,
/// and cannot change.
pub async fn create_plan(state: &AppState, ctx: &OperatorCtx, input: NewPlan) -> AppResult<Plan> {
    check_code(&input.code)?;
    let settings = PlanSettings {
        name: input.name.trim(),
        limits: input.limits,
        prices: &input.prices,
        features: input.features,
    };
    check(&settings)?;
    let now = state.now();
    let mut sys = state.store.system().await?;
    if !sys.insert_plan(&input.code, &settings, now).await? {
        return Err(AppError::Conflict(
            "plan_exists",
            format!("there is already a plan `{}`", input.code),
        ));
    }
    let plan = sys.find_plan(&input.code).await?;
    audit(&mut sys, ctx, "plan.create", &plan, now).await?;
    sys.commit().await?;
    Ok(plan)
}

/// What to change about a plan; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct PlanChange {
    pub name: Option<String>,
    /// Every limit at once; `None` inside means unlimited.
    pub limits: Option<PlanLimits>,
    pub prices: Option<PlanPrices>,
    pub features: Option<PlanFeatures>,
    /// `Some(true)` retires the plan (it keeps its tenants, takes no new
    /// ones); `Some(false)` offers it again.
    pub retired: Option<bool>,
}

/// Changes a plan. Tenants over a lowered limit keep what they have but
/// cannot take more; tenants on it holding customers' messages (over the
/// contact limit) get them released if the new limits allow. A price
/// change applies from each tenant's next renewal.
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
    let prices = change.prices.unwrap_or(current.prices);
    let settings = PlanSettings {
        name: name.trim(),
        limits: change.limits.unwrap_or(current.limits),
        prices: &prices,
        features: change.features.unwrap_or(current.features),
    };
    check(&settings)?;
    let mut plan = sys.update_plan(code, &settings, now).await?;
    if let Some(retire) = change.retired
        && retire != current.retired_at.is_some()
    {
        plan = sys
            .set_plan_retired(code, retire.then_some(now), now)
            .await?;
    }
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
    audit(&mut sys, ctx, "plan.update", &plan, now).await?;
    sys.commit().await?;
    Ok(plan)
}

async fn audit(
    sys: &mut SystemTx,
    ctx: &OperatorCtx,
    action: &str,
    plan: &Plan,
    now: domain::Timestamp,
) -> AppResult<()> {
    crate::audit::operator_action(
        sys,
        ctx,
        None,
        now,
        action,
        ("plan", plan.code.clone()),
        json!({
            "name": plan.name,
            "limits": plan.limits,
            "prices": plan.prices,
            "features": plan.features,
            "retired": plan.retired_at.is_some(),
        }),
    )
    .await
}

/// A plan code reads like a slug: 2 to 40 lowercase letters, digits and
/// inner hyphens.
fn check_code(code: &str) -> AppResult<()> {
    let ok = (2..=40).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-')
        && !code.ends_with('-');
    if ok {
        return Ok(());
    }
    Err(AppError::validation(
        "code",
        "2 to 40 lowercase letters, digits and inner hyphens",
    ))
}

/// The rules every plan's settings obey.
fn check(p: &PlanSettings<'_>) -> AppResult<()> {
    if let Some((name, _)) = p
        .limits
        .named()
        .into_iter()
        .find(|(_, v)| v.is_some_and(|v| v < 0))
    {
        return Err(AppError::validation(
            format!("limits.{name}"),
            "must be 0 or more, or null for unlimited",
        ));
    }
    if p.name.is_empty() {
        return Err(AppError::validation("name", "must not be empty"));
    }
    if p.prices.monthly < 0 || p.prices.yearly < 0 {
        return Err(AppError::validation("prices", "prices cannot be negative"));
    }
    let currency = &p.prices.currency;
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(AppError::validation(
            "prices.currency",
            "an ISO 4217 code in lowercase (`usd`, `eur`)",
        ));
    }
    Ok(())
}
