//! `/api/v1/quick-replies` (the catalogue) and quick replies filled in
//! for a conversation (`/api/v1/conversations/{id}/quick-replies`):
//! adapters over [`crate::crm::quick_replies`].

use crate::auth::{Authorized, perm};
use crate::crm::quick_replies::{
    self as rules, QuickReplyInput, QuickReplyView, RenderedQuickReply,
};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ConversationId, QuickReplyId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_quick_replies, create_quick_reply))
        .routes(routes!(
            get_quick_reply,
            update_quick_reply,
            delete_quick_reply
        ))
        .routes(routes!(render_quick_replies))
        .routes(routes!(render_quick_reply))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateQuickReply {
    /// What an agent types after `/` in the composer: lower-case letters,
    /// digits, `-` and `_`, unique in the workspace.
    #[schema(pattern = "^[a-z0-9_-]{1,32}$")]
    pub shortcut: String,
    #[schema(min_length = 1, max_length = 100)]
    pub title: String,
    /// The text, with placeholders filled when inserted:
    /// `{{contact.name}}`, `{{contact.first_name}}`, `{{contact.phone}}`,
    /// `{{contact.email}}`, `{{contact.<attribute key>}}`,
    /// `{{agent.name}}`, `{{agent.first_name}}`.
    #[schema(min_length = 1, max_length = 4096)]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateQuickReply {
    #[schema(pattern = "^[a-z0-9_-]{1,32}$")]
    pub shortcut: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    #[schema(min_length = 1, max_length = 4096)]
    pub body: Option<String>,
}

/// Add a quick reply (`settings:manage`).
#[utoipa::path(post, path = "/api/v1/quick-replies", tag = "crm",
    request_body = CreateQuickReply,
    responses((status = 201, body = QuickReplyView),
              (status = 409, description = "Another quick reply has this shortcut (`quick_reply_shortcut_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid, or the workspace has 200 quick replies (`quick_reply_limit`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreateQuickReply>,
) -> AppResult<(StatusCode, Json<QuickReplyView>)> {
    let input = QuickReplyInput {
        shortcut: Some(body.shortcut),
        title: Some(body.title),
        body: Some(body.body),
    };
    let q = rules::create_quick_reply(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(q.into())))
}

/// Quick replies, newest first.
#[utoipa::path(get, path = "/api/v1/quick-replies", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<QuickReplyView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_quick_replies(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<QuickReplyView>>> {
    let page = rules::list_quick_replies(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, QuickReplyView::from)))
}

/// One quick reply, its placeholders unfilled.
#[utoipa::path(get, path = "/api/v1/quick-replies/{quick_reply_id}", tag = "crm",
    params(("quick_reply_id" = QuickReplyId, Path)),
    responses((status = 200, body = QuickReplyView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<QuickReplyId>,
) -> AppResult<Json<QuickReplyView>> {
    Ok(Json(rules::get_quick_reply(&state, &ctx, id).await?.into()))
}

/// Change a quick reply's shortcut, title or body (`settings:manage`).
#[utoipa::path(patch, path = "/api/v1/quick-replies/{quick_reply_id}", tag = "crm",
    params(("quick_reply_id" = QuickReplyId, Path)), request_body = UpdateQuickReply,
    responses((status = 200, body = QuickReplyView),
              (status = 409, description = "Another quick reply has this shortcut (`quick_reply_shortcut_taken`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<QuickReplyId>,
    ApiJson(body): ApiJson<UpdateQuickReply>,
) -> AppResult<Json<QuickReplyView>> {
    let change = QuickReplyInput {
        shortcut: body.shortcut,
        title: body.title,
        body: body.body,
    };
    let q = rules::update_quick_reply(&state, &ctx, id, change).await?;
    Ok(Json(q.into()))
}

/// Delete a quick reply (`settings:manage`).
#[utoipa::path(delete, path = "/api/v1/quick-replies/{quick_reply_id}", tag = "crm",
    params(("quick_reply_id" = QuickReplyId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<QuickReplyId>,
) -> AppResult<StatusCode> {
    rules::delete_quick_reply(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every quick reply filled in for this conversation (its contact, and
/// the calling user as the agent), by shortcut; one page (`next_cursor`
/// is `null`).
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/quick-replies", tag = "crm",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = Paged<RenderedQuickReply>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn render_quick_replies(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<Paged<RenderedQuickReply>>> {
    let items = rules::render_quick_replies(&state, &ctx, id, None).await?;
    Ok(Json(Paged {
        items,
        next_cursor: None,
    }))
}

/// One quick reply filled in for this conversation: the text to send,
/// and the placeholders left empty.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/quick-replies/{quick_reply_id}",
    tag = "crm",
    params(("conversation_id" = ConversationId, Path), ("quick_reply_id" = QuickReplyId, Path)),
    responses((status = 200, body = RenderedQuickReply)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn render_quick_reply(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath((conversation, id)): ApiPath<(ConversationId, QuickReplyId)>,
) -> AppResult<Json<RenderedQuickReply>> {
    Ok(Json(
        rules::render_quick_reply(&state, &ctx, conversation, id).await?,
    ))
}
