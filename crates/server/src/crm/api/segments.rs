//! `/api/v1/segments`: adapters over [`crate::crm::segments`].

use crate::auth::{Authorized, perm};
use crate::crm::segments::schema::SegmentNode;
use crate::crm::segments::{self as rules, NewSegment, Segment, SegmentChange};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::inbox::api::views::ContactView;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::SegmentId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_segments, create_segment))
        .routes(routes!(preview_segment))
        .routes(routes!(get_segment, update_segment, delete_segment))
        .routes(routes!(count_segment))
        .routes(routes!(list_segment_contacts))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSegment {
    /// Unique in the workspace (whatever the case).
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// `true`: a contact is in the segment when any rule holds; `false`
    /// (the default): when every rule holds.
    pub any: Option<bool>,
    /// At most 50 rules in all; groups nest at most 3 deep. None: every
    /// contact.
    #[schema(value_type = Vec<SegmentNode>, max_items = 50)]
    pub rules: Vec<Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSegment {
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// Empty: no description.
    #[schema(max_length = 500)]
    pub description: Option<String>,
    pub any: Option<bool>,
    /// Replaces every rule.
    #[schema(value_type = Option<Vec<SegmentNode>>, max_items = 50)]
    pub rules: Option<Vec<Value>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewSegment {
    pub any: Option<bool>,
    #[schema(value_type = Vec<SegmentNode>, max_items = 50)]
    pub rules: Vec<Value>,
}

/// How many contacts a segment (or an unsaved rule tree) has now.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentCount {
    pub count: i64,
}

/// An unsaved rule tree's count and its newest contacts.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentPreview {
    pub count: i64,
    /// Up to 20 contacts, newest first.
    pub sample: Vec<ContactView>,
}

const CONFLICT: &str = "Another segment has this name (`segment_name_taken`).";
const INVALID: &str = "Invalid: `fields` names the bad rule's path (`rules[2].rules[0].op`), \
    or an unknown tag, stage, number or attribute.";

/// Create a segment.
#[utoipa::path(post, path = "/api/v1/segments", tag = "crm",
    request_body = CreateSegment,
    responses((status = 201, body = Segment),
              (status = 409, description = CONFLICT, body = ErrorBody),
              (status = 422, description = INVALID, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateSegment>,
) -> AppResult<(StatusCode, Json<Segment>)> {
    let input = NewSegment {
        name: body.name,
        description: body.description,
        any: body.any.unwrap_or(false),
        rules: body.rules,
    };
    let s = rules::create_segment(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Segments, newest first.
#[utoipa::path(get, path = "/api/v1/segments", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<Segment>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_segments(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<Segment>>> {
    let page = rules::list_segments(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |s| s)))
}

/// One segment.
#[utoipa::path(get, path = "/api/v1/segments/{segment_id}", tag = "crm",
    params(("segment_id" = SegmentId, Path)),
    responses((status = 200, body = Segment)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<SegmentId>,
) -> AppResult<Json<Segment>> {
    Ok(Json(rules::get_segment(&state, &ctx, id).await?))
}

/// Change a segment.
#[utoipa::path(patch, path = "/api/v1/segments/{segment_id}", tag = "crm",
    params(("segment_id" = SegmentId, Path)), request_body = UpdateSegment,
    responses((status = 200, body = Segment),
              (status = 409, description = CONFLICT, body = ErrorBody),
              (status = 422, description = INVALID, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<SegmentId>,
    ApiJson(body): ApiJson<UpdateSegment>,
) -> AppResult<Json<Segment>> {
    let change = SegmentChange {
        name: body.name,
        description: body.description,
        any: body.any,
        rules: body.rules,
    };
    Ok(Json(rules::update_segment(&state, &ctx, id, change).await?))
}

/// Delete a segment.
#[utoipa::path(delete, path = "/api/v1/segments/{segment_id}", tag = "crm",
    params(("segment_id" = SegmentId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<SegmentId>,
) -> AppResult<StatusCode> {
    rules::delete_segment(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many contacts are in the segment now.
#[utoipa::path(get, path = "/api/v1/segments/{segment_id}/count", tag = "crm",
    params(("segment_id" = SegmentId, Path)),
    responses((status = 200, body = SegmentCount)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn count_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<SegmentId>,
) -> AppResult<Json<SegmentCount>> {
    let count = rules::count_segment(&state, &ctx, id).await?;
    Ok(Json(SegmentCount { count }))
}

/// The segment's contacts now, newest first.
#[utoipa::path(get, path = "/api/v1/segments/{segment_id}/contacts", tag = "crm",
    params(("segment_id" = SegmentId, Path), PageQuery),
    responses((status = 200, body = Paged<ContactView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_segment_contacts(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<SegmentId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<ContactView>>> {
    let page = rules::segment_contacts(&state, &ctx, id, q.request()?).await?;
    Ok(Json(Paged::from_page(page, ContactView::from)))
}

/// Count an unsaved rule tree and show its newest contacts (the editor's
/// live count). Needs `inbox:write`, like saving one.
#[utoipa::path(post, path = "/api/v1/segments/preview", tag = "crm",
    request_body = PreviewSegment,
    responses((status = 200, body = SegmentPreview),
              (status = 422, description = INVALID, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn preview_segment(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<PreviewSegment>,
) -> AppResult<Json<SegmentPreview>> {
    let p = rules::preview_segment(&state, &ctx, body.any.unwrap_or(false), &body.rules).await?;
    Ok(Json(SegmentPreview {
        count: p.count,
        sample: p.sample.into_iter().map(ContactView::from).collect(),
    }))
}
