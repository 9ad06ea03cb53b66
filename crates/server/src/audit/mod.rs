//! Writing the audit log from handlers.

pub mod api;

use crate::auth::{OperatorCtx, TenantCtx};
use crate::error::AppResult;
use domain::{TenantId, Timestamp};
use serde_json::Value;
use store::audit::NewAuditEntry;
use store::{SystemTx, TenantTx};

/// Records a change made by a tenant's user or key, in the same transaction.
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

/// Records an operator's change or look, about one tenant or the platform.
pub async fn operator_action(
    tx: &mut SystemTx,
    ctx: &OperatorCtx,
    tenant: Option<TenantId>,
    now: Timestamp,
    action: &str,
    target: (&str, String),
    details: Value,
) -> AppResult<()> {
    tx.insert_audit(
        tenant,
        NewAuditEntry {
            actor: ctx.audit_actor(),
            action,
            target_kind: target.0,
            target_id: Some(target.1),
            ip: ctx.ip.as_deref(),
            details,
            now,
        },
    )
    .await?;
    Ok(())
}
