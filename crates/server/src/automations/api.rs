//! JSON routes (`/api/v1/workflows`, `/api/v1/workflow-runs`): adapters
//! over the area's rules ([`super::workflows`]).

use super::definition::Definition;
use super::workflows::{self as rules, DryStep, NewWorkflow, Shown, WorkflowChanges};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery, time};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, ConversationId, EventId, MessageId, Timestamp, WorkflowId, WorkflowRunId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::workflows::{RunFilter, RunStatus, RunStep, WorkflowRun};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workflows, create_workflow))
        .routes(routes!(get_workflow, update_workflow, delete_workflow))
        .routes(routes!(duplicate_workflow))
        .routes(routes!(dry_run_workflow))
        .routes(routes!(list_workflow_runs))
        .routes(routes!(get_workflow_run))
        .routes(routes!(retry_workflow_run))
        .routes(routes!(cancel_workflow_run))
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
    let (conditions_hold, steps) = rules::dry_run(&state, &ctx, id, body.contact_id).await?;
    Ok(Json(DryRun {
        conditions_hold,
        steps: steps
            .into_iter()
            .map(|DryStep { path, kind, would }| DryRunStep { path, kind, would })
            .collect(),
    }))
}

/// A run as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowRunView {
    pub id: WorkflowRunId,
    pub workflow_id: WorkflowId,
    /// The workflow's name when the run started.
    pub workflow_name: String,
    /// The version it runs (runs keep the version they started on).
    pub version: i64,
    /// `running`, `waiting`, `completed`, `failed`, `cancelled` or
    /// `skipped` (a loop or rate guard stopped it; `error` says which).
    pub status: String,
    /// The event that started it.
    pub trigger_event_id: EventId,
    pub trigger_event: String,
    pub contact_id: Option<ContactId>,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    /// 0 for a run a person's or a customer's change started; one more
    /// for each run between.
    pub depth: i64,
    /// While waiting: when it goes on.
    pub wake_at: Option<Timestamp>,
    /// Why it failed, was cancelled or skipped (`code: reason`).
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    /// Its steps, in the order they ran (only when one run is read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<WorkflowRunStepView>>,
}

/// One step a run took.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkflowRunStepView {
    /// 1, 2, 3… in the order they ran.
    pub n: i64,
    /// Where the step is in the definition.
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// `done` or `failed`.
    pub status: String,
    pub input: Value,
    pub output: Value,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub duration_ms: i64,
}

impl From<RunStep> for WorkflowRunStepView {
    fn from(s: RunStep) -> Self {
        WorkflowRunStepView {
            n: s.n,
            path: s.path,
            kind: s.kind,
            status: s.status,
            input: s.input,
            output: s.output,
            error: s.error,
            started_at: s.started_at,
            duration_ms: s.duration_ms,
        }
    }
}

impl WorkflowRunView {
    pub fn of(r: WorkflowRun, steps: Option<Vec<RunStep>>) -> Self {
        WorkflowRunView {
            id: r.id,
            workflow_id: r.workflow_id,
            workflow_name: r.workflow_name,
            version: r.version,
            status: r.status.as_str().to_owned(),
            trigger_event_id: r.trigger_event_id,
            trigger_event: r.trigger_event,
            contact_id: r.contact_id,
            conversation_id: r.conversation_id,
            message_id: r.message_id,
            depth: r.depth,
            wake_at: r.wake_at,
            error: r.error,
            started_at: r.started_at,
            updated_at: r.updated_at,
            finished_at: r.finished_at,
            steps: steps.map(|s| s.into_iter().map(WorkflowRunStepView::from).collect()),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// Only this workflow's runs.
    pub workflow_id: Option<WorkflowId>,
    /// `running`, `waiting`, `completed`, `failed`, `cancelled` or `skipped`.
    #[param(pattern = "^(running|waiting|completed|failed|cancelled|skipped)?$")]
    pub status: Option<String>,
    /// Only runs about this contact.
    pub contact_id: Option<ContactId>,
    /// Started at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Started before this time (RFC 3339).
    pub until: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// `status` as a filter (empty: any).
pub fn run_status(raw: Option<&str>) -> AppResult<Option<RunStatus>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => RunStatus::parse(s).map(Some).ok_or_else(|| {
            AppError::validation(
                "status",
                "running, waiting, completed, failed, cancelled or skipped",
            )
        }),
    }
}

/// The runs of the workspace's workflows, newest first: the execution log
/// of automations, filtered by workflow, status, contact and time.
#[utoipa::path(get, path = "/api/v1/workflow-runs", tag = "automations",
    params(RunsQuery),
    responses((status = 200, body = Paged<WorkflowRunView>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_workflow_runs(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> AppResult<Json<Paged<WorkflowRunView>>> {
    let filter = RunFilter {
        workflow: q.workflow_id,
        status: run_status(q.status.as_deref())?,
        contact: q.contact_id,
        since: time("since", q.since.as_deref())?,
        until: time("until", q.until.as_deref())?,
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = rules::list_runs(&state, &ctx, filter, page).await?;
    Ok(Json(Paged::from_page(found, |r| {
        WorkflowRunView::of(r, None)
    })))
}

/// One run with each step it took: input, output, status, duration and
/// error.
#[utoipa::path(get, path = "/api/v1/workflow-runs/{run_id}", tag = "automations",
    params(("run_id" = WorkflowRunId, Path)),
    responses((status = 200, body = WorkflowRunView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_workflow_run(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
) -> AppResult<Json<WorkflowRunView>> {
    let (run, steps) = rules::get_run(&state, &ctx, id).await?;
    Ok(Json(WorkflowRunView::of(run, Some(steps))))
}

/// Take a failed run on again from the step that failed.
#[utoipa::path(post, path = "/api/v1/workflow-runs/{run_id}/retry", tag = "automations",
    params(("run_id" = WorkflowRunId, Path)),
    responses((status = 200, body = WorkflowRunView), (status = 404, body = ErrorBody),
              (status = 409, description = "The run has not failed (`run_not_failed`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn retry_workflow_run(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
) -> AppResult<Json<WorkflowRunView>> {
    let run = rules::retry_run(&state, &ctx, id).await?;
    Ok(Json(WorkflowRunView::of(run, None)))
}

/// Stop a run under way (running or waiting).
#[utoipa::path(post, path = "/api/v1/workflow-runs/{run_id}/cancel", tag = "automations",
    params(("run_id" = WorkflowRunId, Path)),
    responses((status = 200, body = WorkflowRunView), (status = 404, body = ErrorBody),
              (status = 409, description = "The run has ended (`run_not_active`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn cancel_workflow_run(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<WorkflowRunId>,
) -> AppResult<Json<WorkflowRunView>> {
    let run = rules::cancel_run(&state, &ctx, id).await?;
    Ok(Json(WorkflowRunView::of(run, None)))
}
