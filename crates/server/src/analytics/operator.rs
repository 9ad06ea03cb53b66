//! The operator's view: every workspace by volume over a span, with its
//! growth against the span before, its failure rate, its plan and how much
//! of the month's message quota it has used; and any one workspace's
//! reports, each look recorded in the platform's and the workspace's
//! audit log.
//!
//! Each workspace's counts are kept by its own local days; the operator's
//! span (UTC days) takes each workspace's days of the same dates.

use super::reports::{Reading, Span, SpanQuery, change_percent, read};
use super::tally::local_date;
use crate::auth::{Actor, OperatorCtx, TenantCtx};
use crate::error::AppResult;
use crate::state::AppState;
use domain::TenantId;
use jiff::tz::TimeZone;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use utoipa::ToSchema;

/// One workspace in the operator's view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantVolume {
    pub tenant_id: TenantId,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub plan: String,
    pub messages_in: i64,
    pub messages_out: i64,
    pub messages_failed: i64,
    /// Messages in and out against the span before, in percent (`None`:
    /// none then).
    pub growth_percent: Option<i64>,
    /// Failed outbound messages in percent of those sent, one decimal.
    pub failure_rate: Option<f64>,
    /// Outbound messages this month (UTC) in percent of the plan's
    /// monthly limit (`None`: unlimited).
    pub quota_used_percent: Option<i64>,
}

/// Every workspace over a span, busiest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantsReport {
    pub span: Span,
    pub previous_span: Span,
    pub tenants: Vec<TenantVolume>,
}

/// The operator's view of every workspace over `q` (UTC days). Counts
/// only, no workspace data: not an audited look.
pub async fn tenants(
    state: &AppState,
    ctx: &OperatorCtx,
    q: &SpanQuery,
) -> AppResult<TenantsReport> {
    let span = Span::parse(q, local_date(&TimeZone::UTC, state.now()))?;
    let previous_span = span.previous();
    let overview = crate::operator::tenants::get_overview(state, ctx).await?;
    let mut sys = state.store.system_read().await?;
    let (from, to) = span.keys();
    let now = sys.analytics_totals("messages.", &from, &to).await?;
    let (pfrom, pto) = previous_span.keys();
    let before = sys.analytics_totals("messages.", &pfrom, &pto).await?;
    sys.commit().await?;
    let mut current: HashMap<(TenantId, String), i64> = HashMap::new();
    for t in now {
        current.insert((t.tenant_id, t.metric), t.value);
    }
    let mut previous: HashMap<TenantId, i64> = HashMap::new();
    for t in before.into_iter().filter(|t| t.metric != "messages.failed") {
        *previous.entry(t.tenant_id).or_default() += t.value;
    }
    let mut tenants: Vec<TenantVolume> = overview
        .tenants
        .into_iter()
        .map(|s| {
            let id = s.tenant.id;
            let count = |m: &str| current.get(&(id, m.to_owned())).copied().unwrap_or(0);
            let (messages_in, messages_out, messages_failed) = (
                count("messages.in"),
                count("messages.out"),
                count("messages.failed"),
            );
            TenantVolume {
                tenant_id: id,
                slug: s.tenant.slug.to_string(),
                name: s.tenant.name.clone(),
                status: s.tenant.status.as_str().to_owned(),
                plan: s.tenant.plan_code.clone(),
                messages_in,
                messages_out,
                messages_failed,
                growth_percent: change_percent(
                    messages_in + messages_out,
                    previous.get(&id).copied().unwrap_or(0),
                ),
                failure_rate: (messages_out > 0).then(|| {
                    (messages_failed as f64 * 1000.0 / messages_out as f64).round() / 10.0
                }),
                quota_used_percent: s
                    .message_limit
                    .filter(|l| *l > 0)
                    .map(|l| s.messages_this_month * 100 / l),
            }
        })
        .collect();
    tenants.sort_by_key(|t| std::cmp::Reverse(t.messages_in + t.messages_out));
    Ok(TenantsReport {
        span,
        previous_span,
        tenants,
    })
}

/// One of `tenant`'s reports, read by the operator: the look is audited
/// (`operator.view_analytics`, naming the report) before it is read.
pub async fn tenant_report<T>(
    state: &AppState,
    ctx: &OperatorCtx,
    tenant: TenantId,
    report: &str,
    q: &SpanQuery,
    read_report: impl AsyncFnOnce(&mut Reading) -> AppResult<T>,
) -> AppResult<T> {
    let mut sys = state.store.system().await?;
    sys.find_tenant(tenant).await?;
    crate::audit::operator_action(
        &mut sys,
        ctx,
        Some(tenant),
        state.now(),
        "operator.view_analytics",
        ("tenant", tenant.to_string()),
        json!({ "report": report, "from": q.from, "to": q.to }),
    )
    .await?;
    sys.commit().await?;
    let as_operator = TenantCtx {
        tenant_id: tenant,
        actor: Actor::Operator {
            operator_id: ctx.operator_id,
        },
        ip: ctx.ip.clone(),
    };
    read(state, &as_operator, q, read_report).await
}
