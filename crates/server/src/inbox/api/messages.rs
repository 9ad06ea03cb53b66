//! Sending messages (`POST /api/v1/messages`).

use super::views::{MessageView, message_view};
use crate::auth::{Authorized, perm};
use crate::channels::send::{Lane, Outgoing, send_message};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::messaging::WaId;
use domain::{ChannelId, ConversationId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use whatsapp::outgoing::OutgoingContent;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_message))
}

/// A message to send. The content is Meta's: `type` plus the object named
/// after it (`{"type":"text","text":{"body":"Hi"}}`, a `template`, `image`,
/// `interactive`, `reaction`, …).
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendMessage {
    /// Reply in this conversation…
    pub conversation_id: Option<ConversationId>,
    /// …or write to this WhatsApp id (digits, with country code)…
    #[schema(pattern = r"^\s*[0-9]{1,20}\s*$")]
    pub to: Option<String>,
    /// …from this number (optional when the tenant has one).
    pub channel_id: Option<ChannelId>,
    /// Quote this message (a wamid).
    pub reply_to: Option<String>,
    /// `conversational` (default) goes before `bulk`.
    #[serde(default)]
    #[schema(value_type = Option<SendLane>)]
    pub lane: Lane,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub content: OutgoingContent,
}

/// Which lane a message waits in (the document's name for [`Lane`]).
#[derive(ToSchema)]
#[schema(as = Lane, rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SendLane {
    Conversational,
    Bulk,
}

/// Send a message. The rules are checked first (24-hour window, opt-out,
/// monthly quota, the number's credentials); then the message is queued and
/// answered 202 with its id. Its statuses follow as events.
#[utoipa::path(post, path = "/api/v1/messages", tag = "inbox", request_body = SendMessage,
    responses((status = 202, body = MessageView), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<SendMessage>,
) -> AppResult<(StatusCode, Json<MessageView>)> {
    let to = body.to.as_deref().map(WaId::parse).transpose()?;
    let message = send_message(
        &state,
        &ctx,
        Outgoing {
            conversation_id: body.conversation_id,
            channel_id: body.channel_id,
            to,
            reply_to: body.reply_to,
            content: body.content,
            lane: body.lane,
        },
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(message_view(message))))
}
