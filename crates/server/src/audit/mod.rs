//! The audit log: written by every rule in the transaction of its change,
//! and read by the tenant (its own entries, including operator looks into
//! it) and by the operator (the whole platform's).

pub mod api;

use crate::auth::{OperatorCtx, TenantCtx};
use crate::error::AppResult;
use crate::state::AppState;
use crate::tenancy::Staff;
use domain::{TenantId, Timestamp};
use serde_json::Value;
use store::audit::{AuditEntry, NewAuditEntry};
use store::page::{Page, PageRequest};
use store::{SystemTx, TenantTx};

/// Records a change made in a tenant, in the same transaction.
pub async fn tenant_change(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    now: Timestamp,
    action: &str,
    target: (&str, String),
    details: Value,
) -> AppResult<()> {
    tx.insert_audit(NewAuditEntry {
        actor: ctx.audit_actor(),
        action,
        target_kind: target.0,
        target_id: Some(target.1),
        ip: ctx.ip.as_deref(),
        details,
        now,
    })
    .await?;
    Ok(())
}

/// Records a change or look by the platform's staff (the operator, or the
/// command line), about one tenant or the platform, in the same
/// transaction.
pub async fn operator_action(
    tx: &mut SystemTx,
    by: impl Into<Staff<'_>>,
    tenant: Option<TenantId>,
    now: Timestamp,
    action: &str,
    target: (&str, String),
    details: Value,
) -> AppResult<()> {
    let by = by.into();
    tx.insert_audit(
        tenant,
        NewAuditEntry {
            actor: by.audit_actor(),
            action,
            target_kind: target.0,
            target_id: Some(target.1),
            ip: by.ip(),
            details,
            now,
        },
    )
    .await?;
    Ok(())
}

/// This tenant's audit log, newest first, including the operator's looks
/// into it.
pub async fn list_audit_log(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<AuditEntry>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let entries = tx.list_audit(page).await?;
    tx.commit().await?;
    Ok(entries)
}

/// The whole platform's audit log, or one tenant's, newest first.
pub async fn list_platform_audit_log(
    state: &AppState,
    _ctx: &OperatorCtx,
    tenant: Option<TenantId>,
    page: PageRequest,
) -> AppResult<Page<AuditEntry>> {
    let mut sys = state.store.system_read().await?;
    let entries = sys.list_audit(tenant, page).await?;
    sys.commit().await?;
    Ok(entries)
}
