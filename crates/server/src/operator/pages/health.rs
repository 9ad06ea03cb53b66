//! The operator's health page: queue depths, webhook processing, failed
//! jobs, the deployment's nodes and the webhook events no tenant could
//! have (unroutable).

use crate::auth::OperatorCtx;
use crate::dashboard::csrf::CsrfToken;
use crate::dashboard::page::render;
use crate::dashboard::render::when;
use crate::error::AppResult;
use crate::operator::nodes::NodeStatus;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use domain::Timestamp;

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

#[derive(Debug, Clone)]
pub struct NumberRow {
    pub tenant: String,
    pub number: String,
    pub status: &'static str,
    pub reason: String,
    pub since: String,
}

#[derive(Debug, Clone)]
pub struct NodeRow {
    pub kind: &'static str,
    pub runs_jobs: &'static str,
    pub hostname: String,
    pub version: String,
    pub media_store: String,
    pub started: String,
    pub last_seen: String,
    pub live: bool,
    /// "live", or how long it has been silent.
    pub state: String,
}

impl NodeRow {
    fn new(s: NodeStatus, now: Timestamp) -> Self {
        let n = s.node;
        NodeRow {
            kind: n.kind.as_str(),
            runs_jobs: if n.runs_jobs { "yes" } else { "no" },
            hostname: n.hostname,
            version: n.version,
            media_store: n.media_store,
            started: when(n.started_at, now),
            last_seen: when(n.last_seen_at, now),
            live: s.live,
            state: if s.live {
                "live".to_owned()
            } else {
                format!("not seen for {} s", s.silent_seconds)
            },
        }
    }
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
    numbers: Vec<NumberRow>,
    nodes: Vec<NodeRow>,
}

pub async fn view_health(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    CsrfToken(csrf): CsrfToken,
) -> AppResult<Response> {
    let now = state.now();
    let health = crate::operator::health::get_health(&state, &ctx).await?;
    let nodes = crate::operator::nodes::list_nodes(&state, &ctx).await?;
    let webhook_success = match health.webhook_success_percent() {
        None => "no webhooks yet".to_owned(),
        Some(p) => format!("{p}% processed"),
    };
    Ok(render(&HealthPage {
        csrf,
        tab: "health",
        failed_jobs: health.failed_jobs,
        webhooks_processed: health.webhooks_processed,
        webhooks_pending: health.webhooks_pending,
        webhook_success,
        queues: health
            .queues
            .into_iter()
            .map(|d| QueueRow {
                queue: d.queue,
                status: d.status,
                jobs: d.jobs,
            })
            .collect(),
        unroutable: health
            .unroutable
            .into_iter()
            .map(|u| UnroutableRow {
                time: when(Timestamp::from_millis(u.created_at), now),
                phone_number_id: u.phone_number_id.unwrap_or_default(),
                waba_id: u.waba_id.unwrap_or_default(),
                reason: u.reason,
            })
            .collect(),
        numbers: health
            .numbers_not_sending
            .into_iter()
            .map(|(tenant, c)| NumberRow {
                tenant,
                number: c.display_phone_number,
                status: c.status.as_str(),
                reason: c.status_reason.unwrap_or_default(),
                since: when(c.updated_at, now),
            })
            .collect(),
        nodes: nodes.into_iter().map(|s| NodeRow::new(s, now)).collect(),
    }))
}
