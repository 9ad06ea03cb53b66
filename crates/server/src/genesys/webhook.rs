//! What Genesys calls: `POST /webhooks/genesys/{link}` (the outbound
//! notification webhook of a number's Open Messaging integration) and
//! `GET /genesys/media/{tenant}/{media}` (a customer's attachment, through
//! a signed, expiring link).
//!
//! A webhook POST is verified against its link's secret (base64
//! HMAC-SHA256 of the raw body in `X-Hub-Signature-256`) and refused with
//! 401 otherwise; an agent's message is answered 200 once it is queued on
//! WhatsApp or refused (with a failed receipt queued), in one commit, so a
//! retry by Genesys finds it done. An agent's typing becomes WhatsApp's
//! typing indicator and an agent's `Read` receipt the customer's blue
//! ticks; other receipts and unknown types are acknowledged and logged.

use super::media_link;
use super::reply::{self, Taken};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::{GenesysLinkId, MediaId, TenantId};
use genesys::wire::OutboundMessage;
use serde::Deserialize;
use serde_json::json;
use store::StoreError;
use store::genesys::GenesysLink;

/// Genesys' messages are small; attachments come as links.
const BODY_LIMIT: usize = 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/genesys/{link}", post(receive))
        .route("/genesys/media/{tenant}/{media}", get(media))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
}

/// The link a webhook URL names, in whichever workspace.
async fn link_of(state: &AppState, id: &str) -> AppResult<GenesysLink> {
    let id: GenesysLinkId = id.parse().map_err(|_| AppError::NotFound)?;
    let mut sys = state.store.system_read().await?;
    let link = sys.find_genesys_link_anywhere(id).await;
    sys.commit().await?;
    link.map_err(|e| match e {
        StoreError::NotFound => AppError::NotFound,
        other => other.into(),
    })
}

async fn receive(
    State(state): State<AppState>,
    Path(link): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let link = link_of(&state, &link).await?;
    let secret = state
        .secrets
        .open_str(&link.webhook_secret)
        .map_err(AppError::internal)?;
    let signature = headers
        .get(genesys::signature::HEADER)
        .and_then(|v| v.to_str().ok());
    if !genesys::signature::verify(&secret, &body, signature) {
        return Err(AppError::Unauthorized(
            "invalid_signature",
            "the X-Hub-Signature-256 header does not match this integration's secret".into(),
        ));
    }
    let message: OutboundMessage = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(
            "invalid_body",
            format!("not a Genesys outbound message: {e}"),
        )
    })?;
    if message.channel.id != link.integration_id {
        return Err(AppError::BadRequest(
            "integration_mismatch",
            "the message is for another Open Messaging integration".into(),
        ));
    }
    let outcome = match message.kind.as_str() {
        "Text" | "Structured" => match reply::take(&state, &link, &message).await? {
            Taken::Sent(ids) => json!({ "status": "sent", "message_ids": ids }),
            Taken::Refused(reason) => json!({ "status": "refused", "reason": reason }),
            Taken::Again => json!({ "status": "duplicate" }),
            Taken::Unroutable => json!({ "status": "ignored", "reason": "unknown recipient" }),
        },
        "Event" => {
            if message.events.iter().any(|e| e.event_type == "Typing") {
                let to = message.channel.to.id.clone();
                tokio::spawn(show_read(state.clone(), link.clone(), to, None));
            }
            json!({ "status": "accepted" })
        }
        "Receipt" if message.status.as_deref() == Some("Read") => {
            let to = message.channel.to.id.clone();
            tokio::spawn(show_read(
                state.clone(),
                link.clone(),
                to,
                Some(message.id.clone()),
            ));
            json!({ "status": "accepted" })
        }
        other => {
            tracing::info!(tenant_id = %link.tenant_id, kind = other, status = ?message.status,
                "a Genesys notification acknowledged");
            json!({ "status": "accepted" })
        }
    };
    Ok((StatusCode::OK, axum::Json(outcome)).into_response())
}

/// What a Genesys agent does shows on WhatsApp, best effort (it is gone
/// in seconds, so a failure is only logged): typing (`read` none) shows
/// the typing indicator on customer `to`'s latest message, which WhatsApp
/// marks read with it; reading customer message `read` (Genesys' id) marks
/// it read, the customer's blue ticks.
async fn show_read(state: AppState, link: GenesysLink, to: String, read: Option<String>) {
    let found = async {
        let mut tx = state.store.tenant_read(link.tenant_id).await?;
        let Some(h) = tx.find_open_handover_of_customer(link.id, &to).await? else {
            tx.commit().await?;
            return Ok::<_, anyhow::Error>(None);
        };
        let channel = tx.find_channel(h.channel_id).await?;
        let message = match &read {
            Some(genesys_id) => match tx.find_genesys_outbox_by_genesys_id(genesys_id).await? {
                Some(row) => match row.message_id {
                    Some(id) => Some(tx.find_message(id).await?),
                    None => None,
                },
                None => None,
            },
            None => tx.latest_inbound_message(h.conversation_id).await?,
        };
        tx.commit().await?;
        Ok(message.and_then(|m| m.wamid).map(|w| (channel, w)))
    }
    .await;
    let (channel, wamid) = match found {
        Ok(Some(x)) => x,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "could not show a Genesys agent's activity");
            return;
        }
    };
    let Ok(token) = state.secrets.open_str(&channel.access_token) else {
        return;
    };
    let typing = read.is_none();
    if let Err(e) = state
        .graph
        .mark_as_read(&channel.phone_number_id, &token, &wamid, typing)
        .await
    {
        tracing::info!(error = %e, "WhatsApp refused a read receipt or typing indicator");
    }
}

#[derive(Deserialize)]
struct LinkQuery {
    expires: i64,
    sig: String,
}

async fn media(
    State(state): State<AppState>,
    Path((tenant, media)): Path<(String, String)>,
    Query(q): Query<LinkQuery>,
) -> AppResult<Response> {
    let (Ok(tenant), Ok(media)) = (tenant.parse::<TenantId>(), media.parse::<MediaId>()) else {
        return Err(AppError::NotFound);
    };
    if !media_link::opens(&state, tenant, media, q.expires, &q.sig, state.now()) {
        return Err(AppError::Forbidden(
            "invalid_link",
            "this link is not valid, or has expired".into(),
        ));
    }
    let mut tx = state.store.tenant_read(tenant).await?;
    let found = tx.find_media(media).await?;
    tx.commit().await?;
    let Some(path) = found.path.as_deref() else {
        return Err(AppError::NotFound);
    };
    let bytes = state.media.get(path).await.map_err(AppError::internal)?;
    let mime = found
        .mime_type
        .as_deref()
        .and_then(|m| HeaderValue::from_str(m).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, mime),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=600"),
            ),
        ],
        bytes,
    )
        .into_response())
}
