//! `/api/v1/genesys/…` and `/api/v1/conversations/{id}/genesys`: adapters
//! over [`super::account`], [`super::links`] and [`super::handover`].

use super::account::{self, AccountInput, AccountView};
use super::handover::{self, BridgeStats, HandoverView};
use super::links::{self, LinkInput, LinkView};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, ConversationId};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_account, put_account, delete_account))
        .routes(routes!(list_links))
        .routes(routes!(put_link, delete_link))
        .routes(routes!(get_stats))
        .routes(routes!(list_mappings))
        .routes(routes!(get_handover, hand_over, take_back))
}

/// The workspace's Genesys credentials (never the secret).
#[utoipa::path(get, path = "/api/v1/genesys/account", tag = "genesys",
    responses((status = 200, body = AccountView),
              (status = 404, description = "No credentials set.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_account(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
) -> AppResult<Json<AccountView>> {
    let found = account::get_account(&state, &ctx).await?;
    Ok(Json(found.ok_or(AppError::NotFound)?))
}

/// Set the workspace's Genesys credentials: kept only once Genesys gave a
/// token for them.
#[utoipa::path(put, path = "/api/v1/genesys/account", tag = "genesys",
    request_body = AccountInput,
    responses((status = 200, body = AccountView),
              (status = 422, description = "Invalid, or refused by Genesys (`genesys_refused`).", body = ErrorBody),
              (status = 503, description = "Genesys could not be reached (`genesys_unavailable`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_account(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<AccountInput>,
) -> AppResult<Json<AccountView>> {
    Ok(Json(account::set_account(&state, &ctx, body).await?))
}

/// Remove the workspace's Genesys credentials.
#[utoipa::path(delete, path = "/api/v1/genesys/account", tag = "genesys",
    responses((status = 204, description = "Removed."),
              (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_account(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
) -> AppResult<StatusCode> {
    account::remove_account(&state, &ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every number's link to Genesys.
#[utoipa::path(get, path = "/api/v1/genesys/links", tag = "genesys",
    responses((status = 200, body = Vec<LinkView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_links(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
) -> AppResult<Json<Vec<LinkView>>> {
    Ok(Json(links::list_links(&state, &ctx).await?))
}

/// Link a number to a Genesys Open Messaging integration (created through
/// the Genesys API, or an existing one pointed at Switchboard), or change
/// its link.
#[utoipa::path(put, path = "/api/v1/genesys/links/{channel_id}", tag = "genesys",
    params(("channel_id" = ChannelId, Path)),
    request_body = LinkInput,
    responses((status = 201, description = "Linked.", body = LinkView),
              (status = 200, description = "Changed.", body = LinkView),
              (status = 404, body = ErrorBody),
              (status = 422, description = "Invalid, no credentials (`genesys_not_configured`), or refused by Genesys (`genesys_refused`).", body = ErrorBody),
              (status = 503, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_link(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(channel): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<LinkInput>,
) -> AppResult<(StatusCode, Json<LinkView>)> {
    let (view, created) = links::set_link(&state, &ctx, channel, body).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// Unlink a number: its conversations with Genesys come back to the inbox.
#[utoipa::path(delete, path = "/api/v1/genesys/links/{channel_id}", tag = "genesys",
    params(("channel_id" = ChannelId, Path)),
    responses((status = 204, description = "Unlinked."), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_link(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(channel): ApiPath<ChannelId>,
) -> AppResult<StatusCode> {
    links::remove_link(&state, &ctx, channel).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The bridge's statistics: conversation mappings, messages both ways,
/// conversations with Genesys now, and today's messages.
#[utoipa::path(get, path = "/api/v1/genesys/stats", tag = "genesys",
    responses((status = 200, body = BridgeStats)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_stats(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Json<BridgeStats>> {
    Ok(Json(handover::stats(&state, &ctx).await?))
}

/// Which mappings to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MappingsQuery {
    /// `open` (with Genesys now) or `all` (the default).
    #[param(pattern = "^(open|all)$")]
    pub state: Option<String>,
    pub conversation_id: Option<ConversationId>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// Conversation mappings (hand-overs to Genesys), newest first.
#[utoipa::path(get, path = "/api/v1/genesys/mappings", tag = "genesys",
    params(MappingsQuery),
    responses((status = 200, body = Paged<HandoverView>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_mappings(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<MappingsQuery>,
) -> AppResult<Json<Paged<HandoverView>>> {
    let open_only = match q.state.as_deref() {
        None | Some("all") => false,
        Some("open") => true,
        Some(_) => return Err(AppError::validation("state", "`open` or `all`")),
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = handover::list(&state, &ctx, open_only, q.conversation_id, page).await?;
    Ok(Json(Paged::from_page(found, |h| h)))
}

/// The conversation's hand-over to Genesys, while it is with Genesys.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/genesys", tag = "genesys",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = HandoverView),
              (status = 404, description = "No such conversation, or it is not with Genesys.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_handover(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(conversation): ApiPath<ConversationId>,
) -> AppResult<Json<HandoverView>> {
    let found = handover::current(&state, &ctx, conversation).await?;
    Ok(Json(found.ok_or(AppError::NotFound)?))
}

/// Hand the conversation to Genesys (its number must be linked). The
/// customer's latest message goes to Genesys with it.
#[utoipa::path(post, path = "/api/v1/conversations/{conversation_id}/genesys", tag = "genesys",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 201, description = "Handed over.", body = HandoverView),
              (status = 200, description = "Already with Genesys.", body = HandoverView),
              (status = 404, body = ErrorBody),
              (status = 422, description = "The number is not linked (`genesys_not_linked`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn hand_over(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(conversation): ApiPath<ConversationId>,
) -> AppResult<(StatusCode, Json<HandoverView>)> {
    let (view, opened) = handover::hand_over(&state, &ctx, conversation).await?;
    let status = if opened {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// Take the conversation back from Genesys.
#[utoipa::path(delete, path = "/api/v1/conversations/{conversation_id}/genesys", tag = "genesys",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, description = "Back in the inbox.", body = HandoverView),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Not with Genesys (`not_with_genesys`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn take_back(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(conversation): ApiPath<ConversationId>,
) -> AppResult<Json<HandoverView>> {
    Ok(Json(handover::take_back(&state, &ctx, conversation).await?))
}
