//! `Idempotency-Key` on creating calls: the first answer to a key is stored
//! and replayed for every retry with the same key and the same request; the
//! same key with a different request is refused (422).
//!
//! The key is claimed in the handler's own write transaction, and the
//! answer is stored in that transaction before it commits
//! (`store::idempotency`): the change and its answer are committed
//! together or not at all, so neither two concurrent requests nor a retry
//! after a crash can have a second effect. A request that waited for a
//! concurrent one with the same key replays its answer. Only successful
//! answers are kept: a request that ends in an error keeps no effect and
//! can be retried under the same key. Keys are scoped to the caller.
//!
//! Answers are stored sealed with the server's secret box: they can carry
//! secrets shown once (a new API key, an invitation token, a TOTP seed,
//! recovery codes).

use crate::auth::TenantCtx;
use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use store::idempotency::{Claim, Claimed, StoredResponse, claimed};

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

    if let Some(answer) = stored_answer(&state, &ctx, &principal, &key, &request_hash).await? {
        return Ok(answer);
    }
    let claim = Claim {
        tenant: ctx.tenant_id,
        principal: principal.clone(),
        key: key.clone(),
        request_hash: request_hash.clone(),
        now: state.now(),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let (res, claimed) = claimed(claim, next.run(request)).await;
    match claimed {
        // A concurrent request with this key got there first.
        Claimed::Lost => stored_answer(&state, &ctx, &principal, &key, &request_hash)
            .await?
            .ok_or_else(in_progress),
        Claimed::Abandoned => Ok(res),
        // An error answer: its held change is rolled back with it.
        Claimed::Held(_) if !res.status().is_success() => Ok(res),
        Claimed::Held(held) => {
            let (parts, body) = res.into_parts();
            let body = buffer(body).await?;
            let sealed = seal(&state, &body);
            held.commit_with(parts.status.as_u16(), &sealed).await?;
            Ok(Response::from_parts(parts, Body::from(body)))
        }
        Claimed::Unused if !res.status().is_success() => Ok(res),
        // The handler changed nothing in the tenant: the answer is all
        // there is to keep.
        Claimed::Unused => {
            let (parts, body) = res.into_parts();
            let body = buffer(body).await?;
            let stored = StoredResponse {
                request_hash,
                status_code: parts.status.as_u16(),
                body: seal(&state, &body),
            };
            let mut tx = state.store.tenant(ctx.tenant_id).await?;
            tx.insert_idempotent_response(&principal, &key, &stored, state.now())
                .await?;
            tx.commit().await?;
            Ok(Response::from_parts(parts, Body::from(body)))
        }
    }
}

/// The answer stored for `key`, replayed; `None` if the key is free.
async fn stored_answer(
    state: &AppState,
    ctx: &TenantCtx,
    principal: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Response>, AppError> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let stored = tx.find_idempotent_response(principal, key).await?;
    tx.commit().await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    if stored.request_hash != request_hash {
        return Err(AppError::Rule(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request".into(),
        ));
    }
    if stored.status_code == 0 {
        // Claimed, its answer not stored: the first request is still running.
        return Err(in_progress());
    }
    // Sealed under a master key since retired: the request was carried
    // out, but its answer can no longer be read.
    let body = state.secrets.open_str(&stored.body).map_err(|_| {
        AppError::Conflict(
            "idempotency_answer_unavailable",
            "a request with this Idempotency-Key was carried out, but its stored answer \
             was sealed under a retired key and can no longer be shown"
                .into(),
        )
    })?;
    Ok(Some(replay(stored.status_code, body)))
}

fn in_progress() -> AppError {
    AppError::Conflict(
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being processed; retry shortly".into(),
    )
}

async fn buffer(body: Body) -> Result<Bytes, AppError> {
    to_bytes(body, MAX_RESPONSE)
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("buffering response: {e}")))
}

fn seal(state: &AppState, body: &[u8]) -> String {
    state.secrets.seal_str(&String::from_utf8_lossy(body))
}

fn replay(status_code: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status_code).unwrap_or(StatusCode::OK);
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    res
}
