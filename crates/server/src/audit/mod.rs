//! The audit log: written by every rule in the transaction of its change,
//! and read by the tenant (its own entries, including operator looks into
//! it) and by the operator (the whole platform's). Listings name who
//! acted ([`actor_label`]) and the tenant's can be narrowed by actor, action
//! and time ([`AuditQuery`]).

pub mod api;

use crate::auth::{OperatorCtx, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Staff;
use domain::{TenantId, Timestamp};
use serde_json::Value;
pub use store::audit::AuditFilter;
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

/// How a listing is narrowed, as people type it (query string or form).
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// `user:<id>`, `api_key:<id>`, or a kind alone: `user`, `api_key`,
    /// `operator`, `system`.
    pub actor: Option<String>,
    /// An action (`user.update`) or a family (`user`).
    pub action: Option<String>,
    /// RFC 3339 time or `YYYY-MM-DD` (from the start of that day, UTC).
    pub since: Option<String>,
    /// RFC 3339 time (exclusive) or `YYYY-MM-DD` (to the end of that day).
    pub until: Option<String>,
}

const ACTOR_KINDS: [&str; 4] = ["user", "api_key", "operator", "system"];

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A time bound: RFC 3339, or a date meaning its start (or, for an upper
/// bound, its end).
fn time_bound(field: &'static str, v: &str, end_of_day: bool) -> AppResult<Timestamp> {
    if let Some(t) = Timestamp::parse_rfc3339(v) {
        return Ok(t);
    }
    let day = Timestamp::parse_rfc3339(&format!("{v}T00:00:00Z"))
        .ok_or_else(|| AppError::validation(field, "use an RFC 3339 time or YYYY-MM-DD"))?;
    Ok(if end_of_day {
        day.plus_seconds(86_400)
    } else {
        day
    })
}

impl AuditQuery {
    /// Checks the query: `422` naming the field at fault.
    pub fn filter(&self) -> AppResult<AuditFilter> {
        let mut f = AuditFilter::default();
        if let Some(actor) = given(&self.actor) {
            let (kind, id) = match actor.split_once(':') {
                Some((k, id)) => (k, Some(id)),
                None => (actor, None),
            };
            if !ACTOR_KINDS.contains(&kind) {
                return Err(AppError::validation(
                    "actor",
                    "use user, api_key, operator or system, optionally with :<id>",
                ));
            }
            f.actor_kind = Some(kind.to_owned());
            f.actor_id = match id {
                Some(id) => Some(
                    id.parse()
                        .map_err(|_| AppError::validation("actor", "the id is not an id"))?,
                ),
                None => None,
            };
        }
        f.action = given(&self.action).map(str::to_owned);
        f.since = given(&self.since)
            .map(|v| time_bound("since", v, false))
            .transpose()?;
        f.until = given(&self.until)
            .map(|v| time_bound("until", v, true))
            .transpose()?;
        Ok(f)
    }
}

/// Who acted, as people read it: the user's name and email, the API key's
/// name, `operator`, or `system via …`.
pub fn actor_label(e: &AuditEntry) -> String {
    match e.actor_kind.as_str() {
        "user" => match (&e.actor_name, &e.actor_email) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            _ => "a removed user".to_owned(),
        },
        "api_key" => match &e.actor_name {
            Some(name) => format!("API key \u{201c}{name}\u{201d}"),
            None => "a removed API key".to_owned(),
        },
        "system" => match &e.actor_via {
            Some(via) => format!("system via {via}"),
            None => "system".to_owned(),
        },
        other => other.to_owned(),
    }
}

/// This tenant's audit log, newest first, including the operator's looks
/// into it, narrowed by `filter`.
pub async fn list_audit_log(
    state: &AppState,
    ctx: &TenantCtx,
    filter: &AuditFilter,
    page: PageRequest,
) -> AppResult<Page<AuditEntry>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let entries = tx.list_audit(filter, page).await?;
    tx.commit().await?;
    Ok(entries)
}

/// The people and keys a tenant's log can be narrowed to: (`actor` value,
/// label), users first.
pub async fn audit_actor_choices(
    state: &AppState,
    ctx: &TenantCtx,
) -> AppResult<Vec<(String, String)>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let users = tx.list_users(PageRequest::new(None, 200)).await?;
    let keys = tx.list_api_keys(PageRequest::new(None, 200)).await?;
    tx.commit().await?;
    let users = users.items.into_iter().map(|u| {
        (
            format!("user:{}", u.id),
            format!("{} <{}>", u.name, u.email),
        )
    });
    let keys = keys.items.into_iter().map(|k| {
        (
            format!("api_key:{}", k.id),
            format!("API key \u{201c}{}\u{201d}", k.name),
        )
    });
    Ok(users.chain(keys).collect())
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
