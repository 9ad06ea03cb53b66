//! `Idempotency-Key` on creating calls: the first answer to a key is stored
//! and replayed for every retry with the same key and the same request; the
//! same key with a different request is refused (422).
//!
//! Only successful answers are stored, so a request that failed can be
//! retried under the same key. Keys are scoped to the caller.

use crate::auth::TenantCtx;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use store::idempotency::StoredResponse;

pub const HEADER: &str = "idempotency-key";
const MAX_RESPONSE: usize = 1024 * 1024;

pub async fn idempotency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let Some(key) = req.headers().get(HEADER) else {
        return Ok(next.run(req).await);
    };
    if req.method() != Method::POST {
        return Ok(next.run(req).await);
    }
    let key = key
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()))
        .ok_or_else(|| {
            AppError::validation("Idempotency-Key", "must be 1 to 255 visible characters")
        })?
        .to_owned();
    let ctx = req
        .extensions()
        .get::<TenantCtx>()
        .cloned()
        .ok_or(AppError::Unauthenticated)?;
    let principal = ctx.principal_key();

    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, state.config.body_limit)
        .await
        .map_err(|_| AppError::PayloadTooLarge(state.config.body_limit))?;
    let mut h = Sha256::new();
    h.update(parts.method.as_str());
    h.update(b" ");
    h.update(parts.uri.path());
    h.update(b"\n");
    h.update(&bytes);
    let request_hash = hex::encode(h.finalize());

    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let stored = tx.find_idempotent_response(&principal, &key).await?;
    tx.commit().await?;
    if let Some(stored) = stored {
        if stored.request_hash != request_hash {
            return Err(AppError::Rule(
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request".into(),
            ));
        }
        return Ok(replay(&stored));
    }

    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if !res.status().is_success() {
        return Ok(res);
    }
    let (parts, body) = res.into_parts();
    let body = to_bytes(body, MAX_RESPONSE)
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("buffering response: {e}")))?;
    let stored = StoredResponse {
        request_hash,
        status_code: parts.status.as_u16(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.insert_idempotent_response(&principal, &key, &stored, state.now())
        .await?;
    tx.commit().await?;
    Ok(Response::from_parts(parts, Body::from(body)))
}

fn replay(stored: &StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status_code).unwrap_or(StatusCode::OK);
    let mut res = (status, stored.body.clone()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}
