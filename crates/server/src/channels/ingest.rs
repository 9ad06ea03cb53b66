//! `GET|POST /webhooks/whatsapp` (the platform's Meta app) and
//! `GET|POST /webhooks/whatsapp/{token}` (a tenant's own Meta app).
//!
//! A POST is answered 200 only after its raw body is committed; a wrong or
//! missing signature stores nothing and answers 401.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use subtle::ConstantTimeEq;

/// Meta sends up to about 3 MB; anything larger is refused with 413.
pub const WEBHOOK_BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/webhooks/whatsapp",
            get(verify_platform).post(receive_platform),
        )
        .route(
            "/webhooks/whatsapp/{token}",
            get(verify_own).post(receive_own),
        )
        .layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT))
}

/// Meta's subscription check: echo `hub.challenge` when the token matches.
fn answer_challenge(q: &HashMap<String, String>, expected: Option<&str>) -> Response {
    let mode_ok = q.get("hub.mode").is_some_and(|m| m == "subscribe");
    let token_ok = match (q.get("hub.verify_token"), expected) {
        (Some(given), Some(expected)) => bool::from(given.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    };
    match (mode_ok && token_ok, q.get("hub.challenge")) {
        (true, Some(challenge)) => (StatusCode::OK, challenge.clone()).into_response(),
        _ => (StatusCode::FORBIDDEN, "verification failed").into_response(),
    }
}

async fn verify_platform(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer_challenge(
        &q,
        state.config.meta_verify_token.as_ref().map(|s| s.expose()),
    )
}

async fn verify_own(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<Response> {
    let channel = super::intake::find_own_app_channel(&state, &token).await?;
    let expected = channel
        .verify_token
        .as_deref()
        .map(|sealed| state.secrets.open_str(sealed).map_err(AppError::internal))
        .transpose()?;
    Ok(answer_challenge(&q, expected.as_deref()))
}

fn body(b: Result<Bytes, BytesRejection>) -> AppResult<Bytes> {
    b.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge(WEBHOOK_BODY_LIMIT)
        } else {
            AppError::BadRequest("unreadable_body", e.body_text())
        }
    })
}

fn check_signature(secret: &[u8], body: &[u8], headers: &HeaderMap) -> AppResult<()> {
    let header = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    whatsapp::verify_signature(secret, body, header).map_err(|e| {
        metrics::counter!("switchboard_webhook_deliveries_total", "outcome" => "bad_signature")
            .increment(1);
        AppError::Unauthorized("invalid_signature", e.to_string())
    })
}

async fn receive_platform(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> AppResult<StatusCode> {
    let bytes = body(bytes)?;
    let secret = state.config.meta_app_secret.as_ref().ok_or_else(|| {
        AppError::Unauthorized(
            "webhook_not_configured",
            "SWITCHBOARD_META_APP_SECRET is not set on this deployment".into(),
        )
    })?;
    check_signature(secret.expose().as_bytes(), &bytes, &headers)?;
    super::intake::store_webhook(&state, None, bytes).await?;
    Ok(StatusCode::OK)
}

async fn receive_own(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    bytes: Result<Bytes, BytesRejection>,
) -> AppResult<StatusCode> {
    let bytes = body(bytes)?;
    let channel = super::intake::find_own_app_channel(&state, &token).await?;
    let secret = channel
        .app_secret
        .as_deref()
        .ok_or(AppError::NotFound)
        .and_then(|sealed| state.secrets.open(sealed).map_err(AppError::internal))?;
    check_signature(&secret, &bytes, &headers)?;
    super::intake::store_webhook(&state, Some(channel.tenant_id), bytes).await?;
    Ok(StatusCode::OK)
}
