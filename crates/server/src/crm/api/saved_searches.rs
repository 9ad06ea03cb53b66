//! `/api/v1/saved-searches`: adapters over [`crate::crm::saved_searches`].

use crate::auth::{Authorized, perm};
use crate::crm::saved_searches::{
    self as rules, InboxFilter, NewSavedSearch, SavedSearch, SavedSearchChange,
};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::SavedSearchId;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_saved_searches, create_saved_search))
        .routes(routes!(
            get_saved_search,
            update_saved_search,
            delete_saved_search
        ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSavedSearch {
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    pub filter: InboxFilter,
    /// Seen by the whole team (default). `false`: only by you (not for API
    /// keys).
    pub shared: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSavedSearch {
    #[schema(min_length = 1, max_length = 60)]
    pub name: Option<String>,
    /// Replaces the whole filter.
    pub filter: Option<InboxFilter>,
    /// `false` makes a shared search yours alone.
    pub shared: Option<bool>,
}

const INVALID: &str = "Invalid, or a personal search asked for by an API key.";

/// Save an inbox search.
#[utoipa::path(post, path = "/api/v1/saved-searches", tag = "crm",
    request_body = CreateSavedSearch,
    responses((status = 201, body = SavedSearch),
              (status = 422, description = INVALID, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateSavedSearch>,
) -> AppResult<(StatusCode, Json<SavedSearch>)> {
    let input = NewSavedSearch {
        name: body.name,
        filter: body.filter,
        shared: body.shared.unwrap_or(true),
    };
    let s = rules::create_saved_search(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// The saved searches you see: the team's shared ones and your own,
/// newest first.
#[utoipa::path(get, path = "/api/v1/saved-searches", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<SavedSearch>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_saved_searches(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<SavedSearch>>> {
    let page = rules::list_saved_searches(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |s| s)))
}

/// One saved search (another user's personal one is not found).
#[utoipa::path(get, path = "/api/v1/saved-searches/{saved_search_id}", tag = "crm",
    params(("saved_search_id" = SavedSearchId, Path)),
    responses((status = 200, body = SavedSearch)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<SavedSearchId>,
) -> AppResult<Json<SavedSearch>> {
    Ok(Json(rules::get_saved_search(&state, &ctx, id).await?))
}

/// Change a saved search.
#[utoipa::path(patch, path = "/api/v1/saved-searches/{saved_search_id}", tag = "crm",
    params(("saved_search_id" = SavedSearchId, Path)), request_body = UpdateSavedSearch,
    responses((status = 200, body = SavedSearch),
              (status = 422, description = INVALID, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<SavedSearchId>,
    ApiJson(body): ApiJson<UpdateSavedSearch>,
) -> AppResult<Json<SavedSearch>> {
    let change = SavedSearchChange {
        name: body.name,
        filter: body.filter,
        shared: body.shared,
    };
    Ok(Json(
        rules::update_saved_search(&state, &ctx, id, change).await?,
    ))
}

/// Delete a saved search.
#[utoipa::path(delete, path = "/api/v1/saved-searches/{saved_search_id}", tag = "crm",
    params(("saved_search_id" = SavedSearchId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_saved_search(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<SavedSearchId>,
) -> AppResult<StatusCode> {
    rules::delete_saved_search(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
