//! Tenants: their life-cycle (created, renamed, moved between plans,
//! suspended and reactivated by the operator or `switchboard admin`), the
//! caller's own tenant and its usage, and the plan's limits.

pub mod api;
mod lifecycle;
pub mod limits;
mod own;
pub mod zone;

pub use lifecycle::{
    CreateTenant, CreatedTenant, DEFAULT_PLAN, TenantChange, create_tenant, find_tenant_by_slug,
    list_tenants, reactivate_tenant, set_plan, suspend_tenant, update_tenant,
};
pub use own::{OwnTenant, TenantUsage, get_own_tenant};

use crate::auth::{Actor, OperatorCtx, TenantCtx, Via};
use crate::error::AppResult;
use domain::TenantId;

/// How long an invitation stays valid.
pub const INVITE_DAYS: i64 = 7;

/// A tenant's or a person's display name: 1 to 120 characters, trimmed,
/// printable.
pub fn check_name(name: &str) -> AppResult<String> {
    Ok(domain::values::display_name(name, 120)?)
}

/// Who runs a tenant's life-cycle from outside it: the signed-in operator
/// (operator API and console), or `switchboard admin` on the command line,
/// which has no operator session and is audited as `system`. Both run the
/// same rules; rules take `impl Into<Staff>` so adapters pass their
/// `&OperatorCtx` as it is.
#[derive(Debug, Clone, Copy)]
pub enum Staff<'a> {
    Operator(&'a OperatorCtx),
    Cli,
}

impl<'a> From<&'a OperatorCtx> for Staff<'a> {
    fn from(ctx: &'a OperatorCtx) -> Self {
        Staff::Operator(ctx)
    }
}

impl<'a> Staff<'a> {
    pub fn audit_actor(self) -> store::audit::Actor {
        match self {
            Staff::Operator(ctx) => ctx.audit_actor(),
            Staff::Cli => store::audit::Actor::SystemVia("cli"),
        }
    }

    pub fn ip(self) -> Option<&'a str> {
        match self {
            Staff::Operator(ctx) => ctx.ip.as_deref(),
            Staff::Cli => None,
        }
    }

    /// The same caller acting inside `tenant_id` (for rules that write in
    /// the tenant's own scope).
    pub fn in_tenant(self, tenant_id: TenantId) -> TenantCtx {
        match self {
            Staff::Operator(ctx) => TenantCtx {
                tenant_id,
                actor: Actor::Operator {
                    operator_id: ctx.operator_id,
                },
                ip: ctx.ip.clone(),
            },
            Staff::Cli => TenantCtx::system(tenant_id, Via::Cli),
        }
    }
}
