//! One delivery of an endpoint's log: the body it sends and every attempt
//! (time, HTTP status, latency, the truncated answer), with a Replay
//! button.

use crate::auth::{Authorized, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::error::{AppError, AppResult};
use crate::hooks::log;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use domain::{DeliveryId, EndpointId};
use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct AttemptRow {
    pub attempt: i64,
    pub time: String,
    pub status: String,
    pub ok: bool,
    pub latency_ms: i64,
    pub response: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "settings_webhook_delivery.html")]
struct DeliveryPage {
    shell: Shell,
    tab: &'static str,
    endpoint_id: String,
    endpoint_url: String,
    id: String,
    event: String,
    event_id: String,
    seq: String,
    status: String,
    created: String,
    delivered: String,
    next: String,
    payload: String,
    attempts: Vec<AttemptRow>,
    ok: Option<&'static str>,
}

/// What the last action did (`replayed`).
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

pub async fn view_delivery(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath((endpoint, id)): ApiPath<(EndpointId, DeliveryId)>,
    Query(q): Query<Done>,
) -> AppResult<Response> {
    let now = state.now();
    let detail = log::get_delivery(&state, &ctx, id).await?;
    let d = detail.delivery;
    if d.endpoint_id != endpoint {
        return Err(AppError::NotFound);
    }
    Ok(render(&DeliveryPage {
        shell: shell.with_tab("settings"),
        tab: "webhooks",
        endpoint_id: endpoint.to_string(),
        endpoint_url: d.endpoint_url,
        id: d.id.to_string(),
        event: d.event,
        event_id: d.event_id.to_string(),
        seq: d.event_seq.map(|s| s.to_string()).unwrap_or_default(),
        status: d.status,
        created: when(d.created_at, now),
        delivered: d.delivered_at.map(|t| when(t, now)).unwrap_or_default(),
        next: d.next_attempt_at.map(|t| when(t, now)).unwrap_or_default(),
        payload: serde_json::to_string_pretty(&detail.payload).unwrap_or_default(),
        attempts: detail
            .attempts
            .into_iter()
            .map(|a| AttemptRow {
                attempt: a.attempt,
                time: when(a.started_at, now),
                ok: a.status_code.is_some_and(|s| (200..300).contains(&s)),
                status: a
                    .status_code
                    .map(|s| format!("HTTP {s}"))
                    .unwrap_or_else(|| "no answer".to_owned()),
                latency_ms: a.latency_ms,
                response: a.response_body.unwrap_or_default(),
                error: a.error.unwrap_or_default(),
            })
            .collect(),
        ok: (q.done == "replayed").then_some("Queued again: a new series of attempts starts now."),
    }))
}

pub async fn replay_delivery(
    State(state): State<AppState>,
    ctx: Authorized<perm::WebhooksManage>,
    ApiPath((_, id)): ApiPath<(EndpointId, DeliveryId)>,
) -> AppResult<Response> {
    // The delivery's own endpoint, whatever the URL said.
    let d = log::replay_delivery(&state, &ctx, id).await?;
    Ok(Redirect::to(&format!(
        "/app/settings/webhooks/{}/deliveries/{id}?done=replayed",
        d.endpoint_id
    ))
    .into_response())
}
