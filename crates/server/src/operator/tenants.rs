//! What the operator sees of tenants: one tenant (an audited look), and the
//! console's overview of every tenant with its usage. Changes to tenants
//! are `crate::tenancy`'s rules.

use crate::auth::OperatorCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::TenantId;
use serde_json::json;
use store::page::PageRequest;
use store::tenancy::{Plan, Tenant};

/// How many tenants the console's overview shows.
const OVERVIEW_TENANTS: u32 = 200;

/// One tenant. The look is recorded in the platform's and the tenant's
/// audit log.
pub async fn get_tenant(state: &AppState, ctx: &OperatorCtx, id: TenantId) -> AppResult<Tenant> {
    let mut sys = state.store.system().await?;
    let tenant = sys.find_tenant(id).await?;
    crate::audit::operator_action(
        &mut sys,
        ctx,
        Some(id),
        state.now(),
        "operator.view_tenant",
        ("tenant", id.to_string()),
        json!({}),
    )
    .await?;
    sys.commit().await?;
    Ok(tenant)
}

/// A tenant with what it uses of its plan.
#[derive(Debug, Clone)]
pub struct TenantSummary {
    pub tenant: Tenant,
    /// Outbound messages since the start of the month (UTC).
    pub messages_this_month: i64,
    /// The plan's monthly message limit; `None` is unlimited.
    pub message_limit: Option<i64>,
    /// Active (not disabled) users.
    pub users: i64,
}

/// The newest tenants with their usage, and every plan.
#[derive(Debug, Clone)]
pub struct TenantsOverview {
    pub tenants: Vec<TenantSummary>,
    pub plans: Vec<Plan>,
}

/// The console's overview: the newest tenants with their usage, and the
/// plans a new tenant can be put on. Counts only, no tenant data: not an
/// audited look.
pub async fn get_overview(state: &AppState, _ctx: &OperatorCtx) -> AppResult<TenantsOverview> {
    let now = state.now();
    let mut sys = state.store.system_read().await?;
    let tenants = sys
        .list_tenants(PageRequest::new(None, OVERVIEW_TENANTS))
        .await?
        .items;
    let plans = sys.list_plans().await?;
    sys.commit().await?;
    let mut summaries = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let mut tx = state.store.tenant_read(tenant.id).await?;
        let messages_this_month = crate::billing::usage::messages_this_period(&mut tx, now).await?;
        let users = tx.count_active_users().await?;
        tx.commit().await?;
        let message_limit = plans
            .iter()
            .find(|p| p.code == tenant.plan_code)
            .and_then(|p| p.limits.messages_per_month);
        summaries.push(TenantSummary {
            tenant,
            messages_this_month,
            message_limit,
            users,
        });
    }
    Ok(TenantsOverview {
        tenants: summaries,
        plans,
    })
}
