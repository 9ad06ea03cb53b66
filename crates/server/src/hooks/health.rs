//! The tenant's health figures (`GET /api/v1/health`, the dashboard's
//! Health page): the month's message quota, each endpoint's success rate
//! over 24 hours, pending work, and the failures of the last 24 hours.

use crate::auth::TenantCtx;
use crate::error::AppResult;
use crate::state::AppState;
use domain::{EndpointId, Permission, Timestamp};
use serde::Serialize;
use store::hooks::deliveries::DeliveryStatus;
use store::page::PageRequest;
use store::workflows::RunStatus;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TenantHealth {
    /// When these figures were taken.
    pub at: Timestamp,
    pub quota: Quota,
    pub endpoints: Vec<EndpointHealth>,
    pub pending: PendingWork,
    pub failures_24h: Failures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quota {
    /// Outbound messages since the start of the month (UTC).
    pub messages_this_month: i64,
    /// The plan's monthly limit (`null`: unlimited).
    pub messages_per_month: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EndpointHealth {
    pub id: EndpointId,
    pub url: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Share of the last 24 hours' attempts answered 2xx (`null`: none).
    pub success_rate_24h: Option<f64>,
    pub attempts_24h: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PendingWork {
    /// Outbound messages waiting to be sent.
    pub queued_messages: i64,
    /// Webhook deliveries waiting for an attempt.
    pub pending_deliveries: i64,
    /// Workflow runs under way (running, or waiting for a time).
    pub active_workflow_runs: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Failures {
    pub failed_messages: i64,
    /// Webhook attempts that got no 2xx answer.
    pub failed_delivery_attempts: i64,
    /// Deliveries dead-lettered.
    pub dead_deliveries: i64,
    /// Workflow runs that stopped at a step that could not be done.
    pub failed_workflow_runs: i64,
}

/// The figures, as of now.
pub async fn tenant_health(state: &AppState, ctx: &TenantCtx) -> AppResult<TenantHealth> {
    ctx.require(Permission::TenantRead)?;
    let now = state.now();
    let day_ago = now.plus_seconds(-86_400);
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let plan = tx.find_plan().await?;
    let quota = Quota {
        messages_this_month: crate::billing::usage::messages_this_period(&mut tx, now).await?,
        messages_per_month: plan.limits.messages_per_month,
    };
    let tallies = tx.hook_attempt_tallies(day_ago).await?;
    let mut endpoints = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .list_hook_endpoints(PageRequest::new(after, PageRequest::MAX_LIMIT))
            .await?;
        for e in page.items {
            let tally = tallies.iter().find(|t| t.endpoint_id == e.id);
            endpoints.push(EndpointHealth {
                id: e.id,
                url: e.url,
                enabled: e.enabled,
                disabled_reason: e.disabled_reason,
                success_rate_24h: tally.map(|t| t.succeeded as f64 / t.attempts as f64),
                attempts_24h: tally.map_or(0, |t| t.attempts),
            });
        }
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let pending = PendingWork {
        queued_messages: tx.count_outbound_in_status("queued", None).await?,
        pending_deliveries: tx
            .count_hook_deliveries(DeliveryStatus::Pending, None)
            .await?,
        active_workflow_runs: tx.count_workflow_runs(RunStatus::Running, None).await?
            + tx.count_workflow_runs(RunStatus::Waiting, None).await?,
    };
    let failures_24h = Failures {
        failed_messages: tx.count_outbound_in_status("failed", Some(day_ago)).await?,
        failed_delivery_attempts: tx.count_failed_hook_attempts(day_ago).await?,
        dead_deliveries: tx
            .count_hook_deliveries(DeliveryStatus::Dead, Some(day_ago))
            .await?,
        failed_workflow_runs: tx
            .count_workflow_runs(RunStatus::Failed, Some(day_ago))
            .await?,
    };
    tx.commit().await?;
    Ok(TenantHealth {
        at: now,
        quota,
        endpoints,
        pending,
        failures_24h,
    })
}
