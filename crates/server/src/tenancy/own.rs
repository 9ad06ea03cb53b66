//! The caller's own tenant: its status, plan and how much of the plan it
//! uses (the tenant API's `GET /tenant` and the dashboard's usage page).

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use store::tenancy::{Plan, Tenant};

/// The caller's tenant, its plan and its usage of that plan.
#[derive(Debug, Clone)]
pub struct OwnTenant {
    pub tenant: Tenant,
    pub plan: Plan,
    pub usage: TenantUsage,
    /// The IANA zone its times are shown and given in.
    pub time_zone: String,
}

/// What the tenant uses of its plan's limits.
#[derive(Debug, Clone, Copy)]
pub struct TenantUsage {
    /// Outbound messages since the start of the month (UTC).
    pub messages_this_month: i64,
    /// Active (not disabled) users, counted against the plan's seats.
    pub users: i64,
    /// Connected WhatsApp numbers.
    pub numbers: i64,
}

/// My tenant, its plan and usage.
pub async fn get_own_tenant(state: &AppState, ctx: &TenantCtx) -> AppResult<OwnTenant> {
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let tenant = tx.find_tenant().await?;
    let plan = tx.find_plan().await?;
    let usage = TenantUsage {
        messages_this_month: crate::billing::usage::messages_this_period(&mut tx, now).await?,
        users: tx.count_active_users().await?,
        numbers: tx.count_channels().await?,
    };
    let time_zone = super::zone::tenant_zone(&mut tx).await?;
    tx.commit().await?;
    Ok(OwnTenant {
        tenant,
        plan,
        usage,
        time_zone,
    })
}
