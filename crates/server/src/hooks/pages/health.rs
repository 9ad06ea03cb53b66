//! Settings → Health: the month's message quota (a meter like the usage
//! page's), each endpoint's success rate over 24 hours, pending work and
//! the last 24 hours' failures. Complete without script; with it, the
//! figures refresh themselves (`data-poll` in `app.js`).

use super::form;
use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::{Meter, meter};
use crate::error::AppResult;
use crate::hooks::health::tenant_health;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;

/// How often the page fetches itself again while open, in seconds.
const POLL_SECONDS: u32 = 10;

#[derive(Debug, Clone)]
pub struct EndpointHealthRow {
    pub id: String,
    pub url: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub rate: String,
    pub rate_level: &'static str,
    pub attempts: i64,
}

/// One figure in a tile.
#[derive(Debug, Clone)]
pub struct Tile {
    pub id: &'static str,
    pub value: i64,
    pub label: &'static str,
    /// Whether a non-zero value is bad news.
    pub bad: bool,
}

#[derive(Template)]
#[template(path = "settings_health.html")]
struct HealthPage {
    shell: Shell,
    tab: &'static str,
    at: String,
    poll: u32,
    quota: Meter,
    pending: Vec<Tile>,
    failures: Vec<Tile>,
    endpoints: Vec<EndpointHealthRow>,
}

pub async fn view_health(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::TenantRead>,
) -> AppResult<Response> {
    let h = tenant_health(&state, &ctx).await?;
    let tile = |id, value, label, bad| Tile {
        id,
        value,
        label,
        bad: bad && value > 0,
    };
    Ok(render(&HealthPage {
        shell: shell.with_tab("settings"),
        tab: "health",
        at: when(h.at, h.at),
        poll: POLL_SECONDS,
        quota: meter(
            "Messages sent this month",
            h.quota.messages_this_month,
            h.quota.messages_per_month,
        ),
        pending: vec![
            tile(
                "queued-messages",
                h.pending.queued_messages,
                "messages waiting to be sent",
                false,
            ),
            tile(
                "pending-deliveries",
                h.pending.pending_deliveries,
                "webhook deliveries waiting",
                false,
            ),
            tile(
                "active-runs",
                h.pending.active_workflow_runs,
                "automation runs under way",
                false,
            ),
        ],
        failures: vec![
            tile(
                "failed-messages",
                h.failures_24h.failed_messages,
                "messages failed",
                true,
            ),
            tile(
                "failed-attempts",
                h.failures_24h.failed_delivery_attempts,
                "webhook attempts failed",
                true,
            ),
            tile(
                "dead-deliveries",
                h.failures_24h.dead_deliveries,
                "webhook deliveries dead-lettered",
                true,
            ),
            tile(
                "failed-runs",
                h.failures_24h.failed_workflow_runs,
                "automation runs failed",
                true,
            ),
        ],
        endpoints: h
            .endpoints
            .into_iter()
            .map(|e| EndpointHealthRow {
                id: e.id.to_string(),
                url: e.url,
                enabled: e.enabled,
                disabled_reason: e.disabled_reason,
                rate: form::rate(e.success_rate_24h),
                rate_level: form::rate_level(e.success_rate_24h),
                attempts: e.attempts_24h,
            })
            .collect(),
    }))
}
