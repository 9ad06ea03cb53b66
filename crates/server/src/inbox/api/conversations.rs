//! Conversations and their messages (`/api/v1/conversations`).

use super::views::{ConversationView, MessageView, conversation_view, message_view};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged, page_limit};
use crate::inbox;
use crate::inbox::conversations::ConversationChanges;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{ChannelId, ConversationId, TeamId, Timestamp, UserId};
use serde::Deserialize;
use store::inbox::{ConversationFilter, ConversationStatus};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, update_conversation))
        .routes(routes!(mark_conversation_read))
        .routes(routes!(list_messages))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// `open`, `pending` or `resolved`.
    #[param(pattern = "^(open|pending|resolved)?$")]
    pub status: Option<String>,
    pub channel_id: Option<ChannelId>,
    /// Only conversations with unread messages.
    pub unread: Option<bool>,
    /// `me` (needs a signed-in user), `none`, or a user id.
    #[param(
        pattern = r"^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub assigned: Option<String>,
    /// Matches the contact's name, WhatsApp id or phone.
    pub search: Option<String>,
    /// Only conversations carrying this tag.
    pub tag: Option<domain::TagId>,
    /// Only conversations routed to this team.
    pub team_id: Option<TeamId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^(-?[0-9]{1,18}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// The inbox: conversations with the most recent activity first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "inbox", params(ConversationQuery),
    responses((status = 200, body = Paged<ConversationView>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_conversations(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ConversationQuery>,
) -> AppResult<Json<Paged<ConversationView>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            ConversationStatus::parse(s)
                .ok_or_else(|| AppError::validation("status", "open, pending or resolved"))?,
        ),
    };
    let (assigned_to, unassigned_only) =
        match q.assigned.as_deref() {
            None | Some("") => (None, false),
            Some("none") => (None, true),
            Some("me") => (
                Some(ctx.user_id().ok_or_else(|| {
                    AppError::validation("assigned", "`me` needs a signed-in user")
                })?),
                false,
            ),
            Some(id) => (
                Some(
                    id.parse::<UserId>()
                        .map_err(|_| AppError::validation("assigned", "me, none or a user id"))?,
                ),
                false,
            ),
        };
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            parse_cursor(c)
                .ok_or_else(|| AppError::validation("cursor", "not a cursor from this API"))?,
        ),
        None => None,
    };
    let limit = i64::from(page_limit(q.limit)?);
    let now = state.now();
    let filter = ConversationFilter {
        status,
        channel: q.channel_id,
        unread_only: q.unread.unwrap_or(false),
        assigned_to,
        unassigned_only,
        search: q.search.clone(),
        tag: q.tag,
        team: q.team_id,
        before,
        limit: limit + 1,
    };
    let mut rows = inbox::conversations::list_conversations(&state, &ctx, &filter).await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|c| format!("{}_{}", c.last_message_at.as_millis(), c.id))
    } else {
        None
    };
    Ok(Json(Paged {
        items: rows
            .into_iter()
            .map(|c| conversation_view(c, now))
            .collect(),
        next_cursor,
    }))
}

fn parse_cursor(c: &str) -> Option<(Timestamp, ConversationId)> {
    let (ts, id) = c.split_once('_')?;
    // Only the hyphenated id this API hands out.
    if id.len() != 36 {
        return None;
    }
    Some((Timestamp::from_millis(ts.parse().ok()?), id.parse().ok()?))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationView>> {
    let c = inbox::conversations::get_conversation(&state, &ctx, id).await?;
    Ok(Json(conversation_view(c, state.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConversation {
    /// `open`, `pending` or `resolved`.
    #[schema(pattern = "^(open|pending|resolved)$")]
    pub status: Option<String>,
    /// Assign to this user; `null` unassigns.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<UserId>)]
    pub assigned_user_id: Option<Option<UserId>>,
    /// Route it to this team (if it is open and nobody has it, the team's
    /// rule assigns it); `null` takes it out of its team.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<TeamId>)]
    pub team_id: Option<Option<TeamId>>,
}

/// Change a conversation's status, assignee or team.
#[utoipa::path(patch, path = "/api/v1/conversations/{conversation_id}", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)), request_body = UpdateConversation,
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(body): ApiJson<UpdateConversation>,
) -> AppResult<Json<ConversationView>> {
    let status = match body.status.as_deref() {
        Some(s) => Some(
            ConversationStatus::parse(s)
                .ok_or_else(|| AppError::validation("status", "open, pending or resolved"))?,
        ),
        None => None,
    };
    let changes = ConversationChanges {
        status,
        assigned_user_id: body.assigned_user_id,
        team_id: body.team_id,
    };
    let c = inbox::conversations::update_conversation(&state, &ctx, id, changes).await?;
    let now = state.now();
    Ok(Json(conversation_view(c, now)))
}

/// Mark a conversation read (its unread count drops to zero).
#[utoipa::path(post, path = "/api/v1/conversations/{conversation_id}/read", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn mark_conversation_read(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationView>> {
    let c = inbox::conversations::mark_read(&state, &ctx, id).await?;
    let now = state.now();
    Ok(Json(conversation_view(c, now)))
}

/// A conversation's messages, newest first.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/messages", tag = "inbox",
    params(("conversation_id" = ConversationId, Path), PageQuery),
    responses((status = 200, body = Paged<MessageView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<MessageView>>> {
    let page = inbox::messages::list_messages(&state, &ctx, id, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |(m, media)| MessageView {
        media: media
            .as_ref()
            .map(crate::inbox::api::media::MediaView::from),
        ..message_view(m)
    })))
}
