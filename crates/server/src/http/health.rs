//! Liveness, readiness and metrics.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = String), (status = 503, body = String)))]
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (axum::http::StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
        }
    }
}

/// Prometheus metrics, text exposition format. With
/// `SWITCHBOARD_METRICS_TOKEN` set, only for `Authorization: Bearer <token>`.
#[utoipa::path(get, path = "/metrics", tag = "health", responses((status = 200, body = String),
    (status = 401, description = "`SWITCHBOARD_METRICS_TOKEN` is set and the bearer token is missing or wrong.",
     body = crate::error::ErrorBody)))]
pub async fn metrics(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> AppResult<impl IntoResponse> {
    crate::telemetry::check_metrics_access(&state, &headers)?;
    let handle = state
        .metrics
        .as_ref()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("metrics recorder unavailable")))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    ))
}
