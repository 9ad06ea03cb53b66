//! JSON routes of workflows (`/api/v1/workflows`): adapters over the
//! area's rules ([`super::workflows`]); runs have theirs in
//! [`super::api_runs`].

use super::definition::Definition;
use super::dry_run::DryStep;
use super::workflows::{self as rules, NewWorkflow, Shown, WorkflowChanges};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, Timestamp, WorkflowId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workflows, create_workflow))
        .routes(routes!(get_workflow, update_workflow, delete_workflow))
        .routes(routes!(duplicate_workflow))
        .routes(routes!(dry_run_workflow))
        .merge(super::api_runs::router())
}

/// A workflow as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowView {
    pub id: WorkflowId,
    pub name: String,
    pub description: String,
    /// Enabled workflows start runs for new events.
    pub enabled: bool,
    /// The current version: 1, then one more for each new definition.
    pub version: i64,
    /// The trigger's type.
    pub trigger: String,
    pub definition: Definition,
    /// When its schedule fires next (an enabled workflow with a
    /// `schedule` trigger), else `null`.
    pub next_fire_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Shown> for WorkflowView {
    fn from(s: Shown) -> Self {
        let w = s.workflow;
        WorkflowView {
            id: w.id,
            name: w.name,
            description: w.description,
            enabled: w.enabled,
            version: w.version,
            trigger: w.trigger_type,
            definition: s.definition,
            next_fire_at: w.next_fire_at,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowList {
    pub items: Vec<WorkflowView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWorkflow {
    /// Unique in the workspace, in any case.
    #[schema(max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
    /// Start enabled (default: disabled, to try it with a dry run first).
    #[serde(default)]
    pub enabled: bool,
    pub definition: Definition,
}

/// Create a workflow: a trigger, conditions and steps (docs/DESIGN.md,
/// "Automations: workflows and auto-tag rules"). Enabled, it starts runs for events from now
/// on.
#[utoipa::path(post, path = "/api/v1/workflows", tag = "automations",
    request_body = CreateWorkflow,
    responses((status = 201, body = WorkflowView),
              (status = 409, description = "Another workflow has the name (`workflow_name_taken`).", body = ErrorBody),
              (status = 422, description = "The definition is wrong (each field by path), names a tag, user, team, number, stage or attribute the workspace does not have, or the workspace has 200 workflows (`too_many_workflows`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<CreateWorkflow>,
) -> AppResult<(StatusCode, Json<WorkflowView>)> {
    let new = NewWorkflow {
        name: body.name,
        description: body.description,
        enabled: body.enabled,
        definition: body.definition,
    };
    let shown = rules::create_workflow(&state, &ctx, new).await?;
    Ok((StatusCode::CREATED, Json(shown.into())))
}

/// The workspace's workflows, by name.
#[utoipa::path(get, path = "/api/v1/workflows", tag = "automations",
    responses((status = 200, body = WorkflowList)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_workflows(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
) -> AppResult<Json<WorkflowList>> {
    let items = rules::list_workflows(&state, &ctx).await?;
    Ok(Json(WorkflowList {
        items: items.into_iter().map(WorkflowView::from).collect(),
    }))
}

/// One workflow with its current definition.
#[utoipa::path(get, path = "/api/v1/workflows/{workflow_id}", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    responses((status = 200, body = WorkflowView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<Json<WorkflowView>> {
    Ok(Json(rules::get_workflow(&state, &ctx, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWorkflow {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Enable or disable it.
    pub enabled: Option<bool>,
    /// A new definition: a new version (runs under way keep theirs).
    pub definition: Option<Definition>,
}

/// Change a workflow's name, description, definition (a new version), or
/// enable or disable it.
#[utoipa::path(patch, path = "/api/v1/workflows/{workflow_id}", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    request_body = UpdateWorkflow,
    responses((status = 200, body = WorkflowView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    ApiJson(body): ApiJson<UpdateWorkflow>,
) -> AppResult<Json<WorkflowView>> {
    let changes = WorkflowChanges {
        name: body.name,
        description: body.description,
        enabled: body.enabled,
        definition: body.definition,
    };
    Ok(Json(
        rules::update_workflow(&state, &ctx, id, changes)
            .await?
            .into(),
    ))
}

/// Delete a workflow; its runs under way are cancelled, its runs stay in
/// the log.
#[utoipa::path(delete, path = "/api/v1/workflows/{workflow_id}", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<StatusCode> {
    rules::delete_workflow(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A disabled copy of a workflow, named "… (copy)".
#[utoipa::path(post, path = "/api/v1/workflows/{workflow_id}/duplicate", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    responses((status = 201, body = WorkflowView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn duplicate_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
) -> AppResult<(StatusCode, Json<WorkflowView>)> {
    let shown = rules::duplicate_workflow(&state, &ctx, id).await?;
    Ok((StatusCode::CREATED, Json(shown.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// The contact to try it on (in their latest conversation).
    pub contact_id: ContactId,
}

/// One step a dry run would take.
#[derive(Debug, Serialize, ToSchema)]
pub struct DryRunStep {
    /// Where the step is in the definition (`steps[1].then[0]`).
    pub path: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it would do, in words.
    pub would: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DryRun {
    /// Whether the workflow's conditions hold for the contact now (if not,
    /// no run would start).
    pub conditions_hold: bool,
    pub steps: Vec<DryRunStep>,
}

/// What the workflow would do for a contact if it ran now, without doing
/// any of it: its conditions, and its steps with branches decided on the
/// contact as they are (waits are not waited).
#[utoipa::path(post, path = "/api/v1/workflows/{workflow_id}/dry-run", tag = "automations",
    params(("workflow_id" = WorkflowId, Path)),
    request_body = DryRunRequest,
    responses((status = 200, body = DryRun), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn dry_run_workflow(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowId>,
    ApiJson(body): ApiJson<DryRunRequest>,
) -> AppResult<Json<DryRun>> {
    let (conditions_hold, steps) =
        super::dry_run::dry_run(&state, &ctx, id, body.contact_id).await?;
    Ok(Json(DryRun {
        conditions_hold,
        steps: steps
            .into_iter()
            .map(|DryStep { path, kind, would }| DryRunStep { path, kind, would })
            .collect(),
    }))
}
