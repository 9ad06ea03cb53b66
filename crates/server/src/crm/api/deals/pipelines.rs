//! `/api/v1/pipelines`: adapters over [`crate::crm::deals::pipelines`].
//! Stages are inline in every pipeline; `/stages` changes one at a time.

use crate::auth::{Authorized, perm};
use crate::crm::deals::pipelines::{self as rules, PipelineChange};
use crate::crm::deals::stages::{self, StageSpec};
use crate::crm::deals::{Pipeline, Stage};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{PipelineId, StageId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStage {
    /// 1 to 40 characters, unique in the pipeline (ignoring case).
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePipeline {
    /// 1 to 60 characters, unique in the workspace.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// The stages in board order (1 to 30).
    #[schema(min_items = 1, max_items = 30)]
    pub stages: Vec<NewStage>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageLayout {
    /// An existing stage of this pipeline; leave out for a new one.
    pub id: Option<StageId>,
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePipeline {
    #[schema(min_length = 1, max_length = 60)]
    pub name: Option<String>,
    /// The complete new layout in board order: listed stages are renamed
    /// and moved, ones without `id` added, the others removed (`409
    /// stage_has_deals` while deals are in one).
    #[schema(min_items = 1, max_items = 30)]
    pub stages: Option<Vec<StageLayout>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStage {
    #[schema(min_length = 1, max_length = 40)]
    pub name: String,
    /// Where it goes: 0 first; past the end or left out: last.
    #[schema(minimum = 0)]
    pub position: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStage {
    #[schema(min_length = 1, max_length = 40)]
    pub name: Option<String>,
    /// Where it moves: 0 first; past the end: last.
    #[schema(minimum = 0)]
    pub position: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveStageQuery {
    /// Another stage of the pipeline to move the stage's deals to. Without
    /// it, a stage with deals is not removed.
    pub move_to: Option<StageId>,
}

/// Create a pipeline with its stages.
#[utoipa::path(post, path = "/api/v1/pipelines", tag = "crm", request_body = CreatePipeline,
    responses((status = 201, body = Pipeline),
              (status = 409, description = "Another pipeline has this name (`pipeline_name_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid, or the workspace has 50 pipelines (`too_many_pipelines`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_pipeline(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreatePipeline>,
) -> AppResult<(StatusCode, Json<Pipeline>)> {
    let stages: Vec<String> = body.stages.into_iter().map(|s| s.name).collect();
    let p = rules::create_pipeline(&state, &ctx, &body.name, &stages).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// Pipelines with their stages, oldest first.
#[utoipa::path(get, path = "/api/v1/pipelines", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<Pipeline>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_pipelines(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<Pipeline>>> {
    let page = rules::list_pipelines(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |p| p)))
}

/// One pipeline with its stages.
#[utoipa::path(get, path = "/api/v1/pipelines/{pipeline_id}", tag = "crm",
    params(("pipeline_id" = PipelineId, Path)),
    responses((status = 200, body = Pipeline)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_pipeline(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<PipelineId>,
) -> AppResult<Json<Pipeline>> {
    Ok(Json(rules::get_pipeline(&state, &ctx, id).await?))
}

/// Rename a pipeline and/or lay its stages out anew.
#[utoipa::path(patch, path = "/api/v1/pipelines/{pipeline_id}", tag = "crm",
    params(("pipeline_id" = PipelineId, Path)), request_body = UpdatePipeline,
    responses((status = 200, body = Pipeline),
              (status = 409, description = "Another pipeline has this name (`pipeline_name_taken`), or a stage left out has deals (`stage_has_deals`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_pipeline(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
    ApiJson(body): ApiJson<UpdatePipeline>,
) -> AppResult<Json<Pipeline>> {
    let change = PipelineChange {
        name: body.name,
        stages: body.stages.map(|stages| {
            stages
                .into_iter()
                .map(|s| StageSpec {
                    id: s.id,
                    name: s.name,
                })
                .collect()
        }),
    };
    Ok(Json(
        rules::update_pipeline(&state, &ctx, id, change).await?,
    ))
}

/// Delete a pipeline and its stages; refused while it has deals.
#[utoipa::path(delete, path = "/api/v1/pipelines/{pipeline_id}", tag = "crm",
    params(("pipeline_id" = PipelineId, Path)),
    responses((status = 204),
              (status = 409, description = "The pipeline has deals (`pipeline_has_deals`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_pipeline(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
) -> AppResult<StatusCode> {
    rules::delete_pipeline(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A pipeline's stages in board order (one page: at most 30).
#[utoipa::path(get, path = "/api/v1/pipelines/{pipeline_id}/stages", tag = "crm",
    params(("pipeline_id" = PipelineId, Path)),
    responses((status = 200, body = Paged<Stage>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_stages(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<PipelineId>,
) -> AppResult<Json<Paged<Stage>>> {
    let p = rules::get_pipeline(&state, &ctx, id).await?;
    Ok(Json(Paged {
        items: p.stages,
        next_cursor: None,
    }))
}

/// Add a stage.
#[utoipa::path(post, path = "/api/v1/pipelines/{pipeline_id}/stages", tag = "crm",
    params(("pipeline_id" = PipelineId, Path)), request_body = CreateStage,
    responses((status = 201, body = Stage)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_stage(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<PipelineId>,
    ApiJson(body): ApiJson<CreateStage>,
) -> AppResult<(StatusCode, Json<Stage>)> {
    let s = stages::add_stage(&state, &ctx, id, &body.name, body.position).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

/// Rename a stage and/or move it.
#[utoipa::path(patch, path = "/api/v1/pipelines/{pipeline_id}/stages/{stage_id}", tag = "crm",
    params(("pipeline_id" = PipelineId, Path), ("stage_id" = StageId, Path)),
    request_body = UpdateStage,
    responses((status = 200, body = Stage)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_stage(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath((pipeline, stage)): ApiPath<(PipelineId, StageId)>,
    ApiJson(body): ApiJson<UpdateStage>,
) -> AppResult<Json<Stage>> {
    let s = stages::update_stage(
        &state,
        &ctx,
        pipeline,
        stage,
        body.name.as_deref(),
        body.position,
    )
    .await?;
    Ok(Json(s))
}

/// Remove a stage, moving its deals to `move_to` if it has any.
#[utoipa::path(delete, path = "/api/v1/pipelines/{pipeline_id}/stages/{stage_id}", tag = "crm",
    params(("pipeline_id" = PipelineId, Path), ("stage_id" = StageId, Path), RemoveStageQuery),
    responses((status = 204),
              (status = 409, description = "The stage has deals and no `move_to` was given (`stage_has_deals`).", body = ErrorBody),
              (status = 422, description = "`move_to` is not another stage of the pipeline, or this is its last stage.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_stage(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath((pipeline, stage)): ApiPath<(PipelineId, StageId)>,
    ApiQuery(q): ApiQuery<RemoveStageQuery>,
) -> AppResult<StatusCode> {
    stages::remove_stage(&state, &ctx, pipeline, stage, q.move_to).await?;
    Ok(StatusCode::NO_CONTENT)
}
