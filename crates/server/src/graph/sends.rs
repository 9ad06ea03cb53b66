//! `POST /graph/{version}/{phone_number_id}/messages`: Meta's exact send
//! and mark-as-read bodies, answered in Meta's shapes.
//!
//! A send obeys every rule of `POST /api/v1/messages` and shows in the
//! inbox. Unlike that route it answers with Meta's wamid, because a Cloud
//! API client keys everything on it (status webhooks, replies, reactions,
//! mark-as-read): after queuing, the send is handed to Meta inline, and
//! the answer waits for Meta's verdict up to `graph_timeout_ms`.
//!
//! - Meta took it: `messages[0].id` is the wamid.
//! - Meta refused it: Meta's error, in Meta's envelope, with Meta's code.
//! - Still unknown when the time is up (Meta slow, the number paced or
//!   waiting for credentials): HTTP 200 with Switchboard's message id and
//!   `"message_status": "accepted"`. The send stays queued and goes out;
//!   its status events carry both ids.
//!
//! The inline attempt is the queued job's own attempt
//! ([`crate::channels::deliver::deliver`]); the job stays and later finds
//! the message settled, and `begin_send_attempt` keeps a worker from
//! sending it at the same time. It runs in its own task, so a client that
//! hangs up mid-send never cuts a send in half.
//!
//! The 24-hour rule: a free-form send outside the customer-service window
//! is refused at once with Meta's 131047 envelope, rather than accepted
//! and failed later as Meta does. A client learns it sooner, and no
//! message that cannot go is queued.
//!
//! Every id a client passes back is Meta's: `context.message_id` and
//! `reaction.message_id` go to Meta as given (stored as the reply's
//! `reply_to_wamid`), and mark-as-read finds the message by its wamid.

use super::MarkReadError;
use super::api::{Caller, check_version};
use super::error::{MetaError, require};
use crate::channels::deliver::{SendAttempt, deliver};
use crate::channels::send::{Lane, Outgoing, send_message};
use crate::error::AppError;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::messaging::{MessageStatus, WaId};
use domain::{MessageId, Permission, TenantId};
use serde_json::{Value, json};
use std::time::Duration;
use store::inbox::Message;
use tokio::time::Instant;
use whatsapp::outgoing::MessagesRequest;

/// How often a send still in flight is looked at again.
const POLL: Duration = Duration::from_millis(25);

pub async fn post_messages(
    State(state): State<AppState>,
    Path((version, pnid)): Path<(String, String)>,
    Caller(ctx): Caller,
    body: Result<Bytes, BytesRejection>,
) -> Result<axum::Json<Value>, MetaError> {
    check_version(&version)?;
    require(&ctx, Permission::InboxWrite)?;
    let channel = super::known::number(&state, &ctx, &pnid, "post").await?;
    let body = body.map_err(|e| MetaError::invalid(e.body_text()))?;
    let request: MessagesRequest = serde_json::from_slice(&body)
        .map_err(|e| MetaError::invalid(format!("invalid request body: {e}")))?;
    match request {
        MessagesRequest::Send(m) => {
            if m.messaging_product != "whatsapp" {
                return Err(MetaError::invalid("messaging_product must be whatsapp"));
            }
            let (to, wa_id, user_id) =
                recipient(&state, &ctx, m.to.as_deref(), m.recipient.as_deref()).await?;
            let message = send_message(
                &state,
                &ctx,
                Outgoing {
                    conversation_id: None,
                    channel_id: Some(channel.id),
                    to: Some(wa_id.clone()),
                    reply_to: m.context.map(|c| c.message_id),
                    content: m.content,
                    lane: Lane::Conversational,
                },
            )
            .await?;
            let sent = match send_now(&state, ctx.tenant_id, message.id).await? {
                Sent::Accepted(wamid) if message.kind == "template" => {
                    json!({ "id": wamid, "message_status": "accepted" })
                }
                Sent::Accepted(wamid) => json!({ "id": wamid }),
                Sent::Refused(m) => return Err(refusal(&m)),
                Sent::Pending => {
                    json!({ "id": message.id.to_string(), "message_status": "accepted" })
                }
            };
            Ok(axum::Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [contact_answer(&to, &wa_id, user_id.as_deref())],
                "messages": [sent],
            })))
        }
        MessagesRequest::MarkRead(r) => {
            let typing = r.typing_indicator.is_some();
            super::mark_read(&state, &ctx, &channel, &r.message_id, typing)
                .await
                .map_err(|e| match e {
                    MarkReadError::UnknownMessage => {
                        MetaError::invalid(format!("message {} not found", r.message_id))
                    }
                    MarkReadError::App(e) => e.into(),
                    MarkReadError::Graph(e) => match e.meta() {
                        Some(meta) => MetaError::from_code(e.code().unwrap_or(1), &meta.message),
                        None => MetaError::unavailable(e.to_string()),
                    },
                })?;
            Ok(axum::Json(json!({ "success": true })))
        }
    }
}

/// Who a send is for: `to` (a phone number, any formatting) or, failing
/// that, `recipient` (a business-scoped user id of a customer who wrote to
/// this workspace). The input as given, the customer's wa_id, and their
/// user id when known.
async fn recipient(
    state: &AppState,
    ctx: &crate::auth::TenantCtx,
    to: Option<&str>,
    recipient: Option<&str>,
) -> Result<(String, WaId, Option<String>), MetaError> {
    if let Some(to) = to {
        let digits: String = to.chars().filter(char::is_ascii_digit).collect();
        let wa_id = WaId::parse(&digits).map_err(AppError::from)?;
        return Ok((to.to_owned(), wa_id, None));
    }
    let Some(user_id) = recipient.filter(|r| !r.trim().is_empty()) else {
        return Err(MetaError::invalid("the parameter `to` is required"));
    };
    let mut tx = state
        .store
        .tenant_read(ctx.tenant_id)
        .await
        .map_err(AppError::from)?;
    let found = tx
        .find_contacts_by_keys(&[], &[user_id])
        .await
        .map_err(AppError::from)?;
    tx.commit().await.map_err(AppError::from)?;
    let wa_id = found
        .into_iter()
        .find_map(|c| c.wa_id)
        .ok_or_else(|| {
            MetaError::invalid(format!(
                "recipient {user_id} is not a customer of this business (or has no WhatsApp number on record)"
            ))
        })?;
    let wa_id = WaId::parse(&wa_id).map_err(AppError::from)?;
    Ok((user_id.to_owned(), wa_id, Some(user_id.to_owned())))
}

/// The send answer's `contacts[0]`.
fn contact_answer(input: &str, wa_id: &WaId, user_id: Option<&str>) -> Value {
    let mut c = json!({ "input": input, "wa_id": wa_id.as_str() });
    if let Some(u) = user_id {
        c["user_id"] = json!(u);
    }
    c
}

/// What became of a send within the time allowed.
#[derive(Debug)]
pub enum Sent {
    /// Meta took it, with this wamid.
    Accepted(String),
    /// Meta (or a rule at sending time) refused it.
    Refused(Box<Message>),
    /// Not settled yet; it stays queued.
    Pending,
}

/// Hands queued message `id` to Meta now and waits, up to
/// `graph_timeout_ms`, for its wamid or its failure.
pub async fn send_now(
    state: &AppState,
    tenant: TenantId,
    id: MessageId,
) -> Result<Sent, MetaError> {
    let deadline = Instant::now() + Duration::from_millis(state.config.graph_timeout_ms);
    let attempt = {
        let state = state.clone();
        tokio::spawn(async move {
            match deliver(&state, tenant, id).await? {
                SendAttempt::Recorded(tx) => {
                    tx.commit().await?;
                    anyhow::Ok(true)
                }
                // Held back until credentials are replaced or the tenant
                // reactivated: no point in waiting.
                SendAttempt::Wait { .. } => Ok(false),
                // Settled by the job already, or another attempt is in
                // flight: its result shows on the message.
                SendAttempt::Settled | SendAttempt::Retry { .. } => Ok(true),
            }
        })
    };
    match tokio::time::timeout_at(deadline, attempt).await {
        Ok(Ok(Ok(true))) => {}
        Ok(Ok(Ok(false))) | Err(_) => return Ok(Sent::Pending),
        Ok(Ok(Err(e))) => {
            tracing::warn!(error = %format!("{e:#}"), "inline send failed; the queued job retries")
        }
        Ok(Err(e)) => tracing::warn!(error = %e, "inline send task ended abnormally"),
    }
    loop {
        let message = find_message(state, tenant, id).await?;
        match outcome(&message) {
            Sent::Pending if Instant::now() < deadline => tokio::time::sleep(POLL).await,
            settled => return Ok(settled),
        }
    }
}

/// What message `m` shows of its send.
fn outcome(m: &Message) -> Sent {
    match (&m.wamid, m.status) {
        (Some(w), _) => Sent::Accepted(w.clone()),
        (None, MessageStatus::Failed) => Sent::Refused(Box::new(m.clone())),
        _ => Sent::Pending,
    }
}

async fn find_message(
    state: &AppState,
    tenant: TenantId,
    id: MessageId,
) -> Result<Message, MetaError> {
    let mut tx = state.store.tenant_read(tenant).await?;
    let m = tx.find_message(id).await?;
    tx.commit().await?;
    Ok(m)
}

/// Meta's refusal of message `m`, as Meta told it (code and message);
/// a failure without Meta's code (the number was disconnected…) is
/// Meta's generic 131000.
fn refusal(m: &Message) -> MetaError {
    let title = m.error_title.as_deref().unwrap_or("Something went wrong");
    let e = match m.error_code {
        Some(code) => MetaError::from_code(code, title),
        None => {
            MetaError::new(StatusCode::BAD_REQUEST, 131000, "Something went wrong").details(title)
        }
    };
    match &m.error_detail {
        Some(d) => e.details(d.clone()),
        None => e,
    }
}
