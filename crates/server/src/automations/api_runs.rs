//! JSON routes of runs (`/api/v1/workflow-runs`): adapters over the
//! area's rules ([`super::runs`]).

use super::runs as rules;
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiPath, ApiQuery, time};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::{ContactId, ConversationId, EventId, MessageId, Timestamp, WorkflowId, WorkflowRunId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::workflows::{RunFilter, RunStatus, RunStep, WorkflowRun};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workflow_runs))
        .routes(routes!(get_workflow_run))
        .routes(routes!(retry_workflow_run))
        .routes(routes!(cancel_workflow_run))
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
