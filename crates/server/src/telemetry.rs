//! Logs and metrics.
//!
//! Logs are `tracing` events; they never carry message bodies, phone
//! numbers, tokens or secrets (request paths are logged through
//! [`loggable_path`], which hides the own-app webhook token). Metrics are
//! Prometheus, served at `/metrics` (behind a bearer token when
//! `SWITCHBOARD_METRICS_TOKEN` is set), and carry no tenant labels: routes
//! are labelled by their template, never by a path with ids in it.

use crate::error::{AppError, AppResult, InternalErrorReport};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Instant;

/// Sets up logging: `RUST_LOG`-style filter from `SWITCHBOARD_LOG`
/// (default `info`), JSON when `SWITCHBOARD_LOG_FORMAT=json`.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SWITCHBOARD_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("SWITCHBOARD_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// The process-wide Prometheus recorder (installed once; several servers
/// in one test process share it).
pub fn prometheus() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

/// Counts and times every request by route, and logs each 500 once with
/// its cause (the client only ever sees an opaque message).
pub async fn observe(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let res = next.run(req).await;
    let status = res.status().as_u16();
    if let Some(InternalErrorReport(err)) = res.extensions().get::<InternalErrorReport>() {
        tracing::error!(%method, %route, error = ?err, "request failed");
    }
    let labels = [
        ("method", method.to_string()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("switchboard_http_requests_total", &labels).increment(1);
    metrics::histogram!("switchboard_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    res
}

/// Where own-app webhooks arrive; the next path segment is a secret.
const OWN_APP_WEBHOOK: &str = "/webhooks/whatsapp/";

/// `path` as logs may show it: the own-app webhook's token (a secret that
/// routes a delivery to its tenant) is replaced by `{token}`.
pub fn loggable_path(path: &str) -> Cow<'_, str> {
    match path.strip_prefix(OWN_APP_WEBHOOK) {
        Some(rest) if !rest.is_empty() => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            Cow::Owned(format!("{OWN_APP_WEBHOOK}{{token}}{tail}"))
        }
        _ => Cow::Borrowed(path),
    }
}

/// Whether this request may read `/metrics`: anyone when no token is
/// configured, else only `Authorization: Bearer <SWITCHBOARD_METRICS_TOKEN>`.
pub fn check_metrics_access(state: &AppState, headers: &axum::http::HeaderMap) -> AppResult<()> {
    let Some(expected) = state.config.metrics_token.as_ref() else {
        return Ok(());
    };
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    // Compared as hashes, so the comparison's time says nothing of the token.
    let hash = crate::auth::tokens::hash_token;
    match given {
        Some(g) if hash(g) == hash(expected.expose()) => Ok(()),
        Some(_) => Err(AppError::Unauthorized(
            "invalid_credentials",
            "wrong metrics token".into(),
        )),
        None => Err(AppError::Unauthenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn own_app_webhook_tokens_are_hidden_from_logged_paths() {
        assert_eq!(
            loggable_path("/webhooks/whatsapp/s3cr3t"),
            "/webhooks/whatsapp/{token}"
        );
        assert_eq!(
            loggable_path("/webhooks/whatsapp/s3cr3t/x"),
            "/webhooks/whatsapp/{token}/x"
        );
        assert_eq!(loggable_path("/webhooks/whatsapp"), "/webhooks/whatsapp");
        assert_eq!(loggable_path("/api/v1/users"), "/api/v1/users");
    }
}
