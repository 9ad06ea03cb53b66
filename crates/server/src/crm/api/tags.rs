//! `/api/v1/tags` (the catalogue) and the tags of a contact
//! (`/api/v1/contacts/{id}/tags`) and of a conversation
//! (`/api/v1/conversations/{id}/tags`): adapters over [`crate::crm::tags`].
//! Putting a tag on (`PUT`) or taking it off (`DELETE`) answers 204 whether
//! or not it was there already.

use crate::auth::{Authorized, perm};
use crate::crm::tags::{self as rules, TagChange, TagSummary, TagView};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, ConversationId, TagId};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A tag's colour when none is given.
pub const DEFAULT_COLOUR: &str = "#64748b";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(get_tag, update_tag, delete_tag))
        .routes(routes!(list_contact_tags))
        .routes(routes!(tag_contact, untag_contact))
        .routes(routes!(list_conversation_tags))
        .routes(routes!(tag_conversation, untag_conversation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    /// 1 to 50 characters, unique in the workspace whatever the case.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// `#rrggbb` (default `#64748b`).
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    pub colour: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    #[schema(min_length = 1, max_length = 50)]
    pub name: Option<String>,
    #[schema(pattern = "^#[0-9a-fA-F]{6}$")]
    pub colour: Option<String>,
}

/// A list that fits in one page (`next_cursor` is always `null`).
type Whole<T> = Paged<T>;

fn whole<T>(items: Vec<T>) -> Whole<T> {
    Paged {
        items,
        next_cursor: None,
    }
}

/// Add a tag to the catalogue (`settings:manage`).
#[utoipa::path(post, path = "/api/v1/tags", tag = "crm",
    request_body = CreateTag,
    responses((status = 201, body = TagView),
              (status = 409, description = "Another tag has this name (`tag_name_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid, or the workspace has 500 tags (`tag_limit`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_tag(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreateTag>,
) -> AppResult<(StatusCode, Json<TagView>)> {
    let colour = body.colour.as_deref().unwrap_or(DEFAULT_COLOUR);
    let tag = rules::create_tag(&state, &ctx, &body.name, colour).await?;
    Ok((StatusCode::CREATED, Json(tag.into())))
}

/// The tag catalogue, newest first.
#[utoipa::path(get, path = "/api/v1/tags", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<TagView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_tags(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<TagView>>> {
    let page = rules::list_tags(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, TagView::from)))
}

/// One tag.
#[utoipa::path(get, path = "/api/v1/tags/{tag_id}", tag = "crm",
    params(("tag_id" = TagId, Path)),
    responses((status = 200, body = TagView)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_tag(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TagId>,
) -> AppResult<Json<TagView>> {
    Ok(Json(rules::get_tag(&state, &ctx, id).await?.into()))
}

/// Rename or recolour a tag (`settings:manage`).
#[utoipa::path(patch, path = "/api/v1/tags/{tag_id}", tag = "crm",
    params(("tag_id" = TagId, Path)), request_body = UpdateTag,
    responses((status = 200, body = TagView),
              (status = 409, description = "Another tag has this name (`tag_name_taken`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_tag(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<TagId>,
    ApiJson(body): ApiJson<UpdateTag>,
) -> AppResult<Json<TagView>> {
    let change = TagChange {
        name: body.name,
        colour: body.colour,
    };
    Ok(Json(
        rules::update_tag(&state, &ctx, id, change).await?.into(),
    ))
}

/// Delete a tag; it is taken off every contact and conversation
/// (`settings:manage`).
#[utoipa::path(delete, path = "/api/v1/tags/{tag_id}", tag = "crm",
    params(("tag_id" = TagId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_tag(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<TagId>,
) -> AppResult<StatusCode> {
    rules::delete_tag(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A contact's tags, by name (one page: `next_cursor` is `null`).
#[utoipa::path(get, path = "/api/v1/contacts/{contact_id}/tags", tag = "crm",
    params(("contact_id" = ContactId, Path)),
    responses((status = 200, body = Paged<TagSummary>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_contact_tags(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<Json<Whole<TagSummary>>> {
    let tags = rules::contact_tags(&state, &ctx, id).await?;
    Ok(Json(whole(rules::summaries(tags))))
}

/// Put a tag on a contact (204 also when it was there already).
#[utoipa::path(put, path = "/api/v1/contacts/{contact_id}/tags/{tag_id}", tag = "crm",
    params(("contact_id" = ContactId, Path), ("tag_id" = TagId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn tag_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath((contact, tag)): ApiPath<(ContactId, TagId)>,
) -> AppResult<StatusCode> {
    rules::set_contact_tag(&state, &ctx, contact, tag, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a tag off a contact (204 also when it was not there).
#[utoipa::path(delete, path = "/api/v1/contacts/{contact_id}/tags/{tag_id}", tag = "crm",
    params(("contact_id" = ContactId, Path), ("tag_id" = TagId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn untag_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath((contact, tag)): ApiPath<(ContactId, TagId)>,
) -> AppResult<StatusCode> {
    rules::set_contact_tag(&state, &ctx, contact, tag, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A conversation's tags, by name (one page: `next_cursor` is `null`).
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/tags", tag = "crm",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = Paged<TagSummary>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_conversation_tags(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<Whole<TagSummary>>> {
    let tags = rules::conversation_tags(&state, &ctx, id).await?;
    Ok(Json(whole(rules::summaries(tags))))
}

/// Put a tag on a conversation (204 also when it was there already).
#[utoipa::path(put, path = "/api/v1/conversations/{conversation_id}/tags/{tag_id}", tag = "crm",
    params(("conversation_id" = ConversationId, Path), ("tag_id" = TagId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn tag_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath((conversation, tag)): ApiPath<(ConversationId, TagId)>,
) -> AppResult<StatusCode> {
    rules::set_conversation_tag(&state, &ctx, conversation, tag, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a tag off a conversation (204 also when it was not there).
#[utoipa::path(delete, path = "/api/v1/conversations/{conversation_id}/tags/{tag_id}", tag = "crm",
    params(("conversation_id" = ConversationId, Path), ("tag_id" = TagId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn untag_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath((conversation, tag)): ApiPath<(ConversationId, TagId)>,
) -> AppResult<StatusCode> {
    rules::set_conversation_tag(&state, &ctx, conversation, tag, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
