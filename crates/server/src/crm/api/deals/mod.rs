//! `/api/v1/deals` and `/api/v1/pipelines` ([`pipelines`]): adapters over
//! [`crate::crm::deals`].

mod pipelines;

use crate::auth::{Authorized, perm};
use crate::crm::deals::moves;
use crate::crm::deals::records::{self as rules, DealChange, NewDeal};
use crate::crm::deals::{Deal, DealDetail, DealStatus};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, DealId, PipelineId, StageId, UserId};
use serde::Deserialize;
use store::crm::deals::DealFilter;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            pipelines::list_pipelines,
            pipelines::create_pipeline
        ))
        .routes(routes!(
            pipelines::get_pipeline,
            pipelines::update_pipeline,
            pipelines::delete_pipeline
        ))
        .routes(routes!(pipelines::list_stages, pipelines::create_stage))
        .routes(routes!(pipelines::update_stage, pipelines::delete_stage))
        .routes(routes!(list_deals, create_deal))
        .routes(routes!(get_deal, update_deal, delete_deal))
        .routes(routes!(move_deal))
        .routes(routes!(win_deal))
        .routes(routes!(lose_deal))
        .routes(routes!(reopen_deal))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDeal {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Required unless `stage_id` is given.
    pub pipeline_id: Option<PipelineId>,
    /// A stage of the pipeline; its first stage when left out.
    pub stage_id: Option<StageId>,
    /// In the currency's minor units (cents); default 0.
    #[schema(minimum = 0, maximum = 1e15)]
    pub value_minor: Option<i64>,
    /// ISO 4217: three upper-case letters.
    #[schema(pattern = "^[A-Z]{3}$", min_length = 3, max_length = 3)]
    pub currency: String,
    /// A contact of the workspace.
    pub contact_id: Option<ContactId>,
    /// An active user of the workspace.
    pub owner_id: Option<UserId>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub expected_close_on: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDeal {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    #[schema(minimum = 0, maximum = 1e15)]
    pub value_minor: Option<i64>,
    #[schema(pattern = "^[A-Z]{3}$", min_length = 3, max_length = 3)]
    pub currency: Option<String>,
    /// `null` detaches the contact.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<ContactId>)]
    pub contact_id: Option<Option<ContactId>>,
    /// `null`: no owner.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<UserId>)]
    pub owner_id: Option<Option<UserId>>,
    /// `YYYY-MM-DD`; `null` clears it.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expected_close_on: Option<Option<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveDeal {
    /// The stage to move to (usually of the deal's pipeline; another
    /// pipeline's stage moves it there).
    pub stage_id: StageId,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoseDeal {
    /// Why it was lost.
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DealQuery {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    /// `open`, `won` or `lost`.
    pub status: Option<DealStatus>,
    pub owner_id: Option<UserId>,
    pub contact_id: Option<ContactId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// Deals, newest first, filtered by pipeline, stage, status, owner and
/// contact.
#[utoipa::path(get, path = "/api/v1/deals", tag = "crm", params(DealQuery),
    responses((status = 200, body = Paged<Deal>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_deals(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<DealQuery>,
) -> AppResult<Json<Paged<Deal>>> {
    let filter = DealFilter {
        pipeline: q.pipeline_id,
        stage: q.stage_id,
        status: q.status.map(Into::into),
        owner: q.owner_id,
        contact: q.contact_id,
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let page = rules::list_deals(&state, &ctx, &filter, page).await?;
    Ok(Json(Paged::from_page(page, |d| d)))
}

/// Create a deal, open, in its pipeline's first stage unless `stage_id`
/// says otherwise.
#[utoipa::path(post, path = "/api/v1/deals", tag = "crm", request_body = CreateDeal,
    responses((status = 201, body = Deal),
              (status = 422, description = "Invalid, or a pipeline, stage, contact or owner that is not the workspace's.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateDeal>,
) -> AppResult<(StatusCode, Json<Deal>)> {
    let input = NewDeal {
        title: body.title,
        pipeline_id: body.pipeline_id,
        stage_id: body.stage_id,
        value_minor: body.value_minor.unwrap_or(0),
        currency: body.currency,
        contact_id: body.contact_id,
        owner_id: body.owner_id,
        expected_close_on: body.expected_close_on,
    };
    let deal = rules::create_deal(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(deal)))
}

/// One deal with its stage history.
#[utoipa::path(get, path = "/api/v1/deals/{deal_id}", tag = "crm",
    params(("deal_id" = DealId, Path)),
    responses((status = 200, body = DealDetail)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Json<DealDetail>> {
    Ok(Json(rules::get_deal(&state, &ctx, id).await?))
}

/// Change a deal's title, value, currency, contact, owner or expected
/// close date.
#[utoipa::path(patch, path = "/api/v1/deals/{deal_id}", tag = "crm",
    params(("deal_id" = DealId, Path)), request_body = UpdateDeal,
    responses((status = 200, body = Deal)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    ApiJson(body): ApiJson<UpdateDeal>,
) -> AppResult<Json<Deal>> {
    let change = DealChange {
        title: body.title,
        value_minor: body.value_minor,
        currency: body.currency,
        contact_id: body.contact_id,
        owner_id: body.owner_id,
        expected_close_on: body.expected_close_on,
    };
    Ok(Json(rules::update_deal(&state, &ctx, id, change).await?))
}

/// Delete a deal with its stage history.
#[utoipa::path(delete, path = "/api/v1/deals/{deal_id}", tag = "crm",
    params(("deal_id" = DealId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<StatusCode> {
    rules::delete_deal(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move an open deal to another stage (recorded in its stage history).
#[utoipa::path(post, path = "/api/v1/deals/{deal_id}/move", tag = "crm",
    params(("deal_id" = DealId, Path)), request_body = MoveDeal,
    responses((status = 200, body = Deal),
              (status = 422, description = "No such stage, or the deal is won or lost (`deal_closed`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn move_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    ApiJson(body): ApiJson<MoveDeal>,
) -> AppResult<Json<Deal>> {
    Ok(Json(
        moves::move_deal(&state, &ctx, id, body.stage_id).await?,
    ))
}

/// Mark an open deal won.
#[utoipa::path(post, path = "/api/v1/deals/{deal_id}/won", tag = "crm",
    params(("deal_id" = DealId, Path)),
    responses((status = 200, body = Deal),
              (status = 422, description = "The deal is won or lost already (`deal_closed`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn win_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Json<Deal>> {
    Ok(Json(moves::win_deal(&state, &ctx, id).await?))
}

/// Mark an open deal lost, with the reason.
#[utoipa::path(post, path = "/api/v1/deals/{deal_id}/lost", tag = "crm",
    params(("deal_id" = DealId, Path)), request_body = LoseDeal,
    responses((status = 200, body = Deal),
              (status = 422, description = "No reason, or the deal is won or lost already (`deal_closed`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn lose_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
    ApiJson(body): ApiJson<LoseDeal>,
) -> AppResult<Json<Deal>> {
    Ok(Json(
        moves::lose_deal(&state, &ctx, id, &body.reason).await?,
    ))
}

/// Open a won or lost deal again, in the stage it was in.
#[utoipa::path(post, path = "/api/v1/deals/{deal_id}/reopen", tag = "crm",
    params(("deal_id" = DealId, Path)),
    responses((status = 200, body = Deal),
              (status = 422, description = "The deal is open (`deal_open`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn reopen_deal(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<DealId>,
) -> AppResult<Json<Deal>> {
    Ok(Json(moves::reopen_deal(&state, &ctx, id).await?))
}
