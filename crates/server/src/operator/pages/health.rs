//! The operator's health page: queue depths, webhook processing, failed
//! jobs and the webhook events no tenant could have (unroutable).

use crate::auth::OperatorCtx;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Timestamp;
use store::page::PageRequest;

#[derive(Debug, Clone)]
pub struct QueueRow {
    pub queue: String,
    pub status: String,
    pub jobs: i64,
}

#[derive(Debug, Clone)]
pub struct UnroutableRow {
    pub time: String,
    pub phone_number_id: String,
    pub waba_id: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "operator_health.html")]
struct HealthPage {
    csrf: String,
    tab: &'static str,
    queues: Vec<QueueRow>,
    failed_jobs: i64,
    webhooks_processed: i64,
    webhooks_pending: i64,
    webhook_success: String,
    unroutable: Vec<UnroutableRow>,
}

pub async fn view_health(
    State(state): State<AppState>,
    _ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let now = state.now();
    let depths = state.store.queue_depths().await?;
    let mut sys = state.store.system_read().await?;
    let processed = sys.count_deliveries("processed").await?;
    let pending = sys.count_deliveries("pending").await?;
    let unroutable = sys.list_unroutable(PageRequest::new(None, 50)).await?;
    sys.commit().await?;
    let failed_jobs = depths
        .iter()
        .filter(|d| d.status == "failed")
        .map(|d| d.jobs)
        .sum();
    let webhook_success = match processed + pending {
        0 => "no webhooks yet".to_owned(),
        total => format!("{}% processed", processed * 100 / total),
    };
    Ok(render(&HealthPage {
        csrf,
        tab: "health",
        queues: depths
            .into_iter()
            .map(|d| QueueRow {
                queue: d.queue,
                status: d.status,
                jobs: d.jobs,
            })
            .collect(),
        failed_jobs,
        webhooks_processed: processed,
        webhooks_pending: pending,
        webhook_success,
        unroutable: unroutable
            .items
            .into_iter()
            .map(|u| UnroutableRow {
                time: when(Timestamp::from_millis(u.created_at), now),
                phone_number_id: u.phone_number_id.unwrap_or_default(),
                waba_id: u.waba_id.unwrap_or_default(),
                reason: u.reason,
            })
            .collect(),
    }))
}
