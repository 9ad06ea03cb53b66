//! The rules of runs: list and read them with their steps, retry a failed
//! run from its failed step, cancel one under way.

use super::jobs;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Permission, WorkflowRunId};
use serde_json::json;
use store::page::{Page, PageRequest};
use store::workflows::{RunFilter, RunStatus, RunStep, WorkflowRun};

/// Runs, newest first, by `filter`.
pub async fn list_runs(
    state: &AppState,
    ctx: &TenantCtx,
    filter: RunFilter,
    page: PageRequest,
) -> AppResult<Page<WorkflowRun>> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let runs = tx.list_workflow_runs(filter, page).await?;
    tx.commit().await?;
    Ok(runs)
}

/// One run with its steps, in the order they ran.
pub async fn get_run(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowRunId,
) -> AppResult<(WorkflowRun, Vec<RunStep>)> {
    ctx.require(Permission::CampaignsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let run = tx.find_workflow_run(id).await?;
    let steps = tx.run_steps(id).await?;
    tx.commit().await?;
    Ok((run, steps))
}

/// Takes a failed run on again from the step that failed (on the version
/// it started on). 409 `run_not_failed` for any other run.
pub async fn retry_run(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowRunId,
) -> AppResult<WorkflowRun> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut run = tx.claim_workflow_run(id).await?;
    if run.status != RunStatus::Failed {
        return Err(AppError::Conflict(
            "run_not_failed",
            "only a failed run can be retried".into(),
        ));
    }
    run.status = RunStatus::Running;
    run.error = None;
    run.finished_at = None;
    run.updated_at = now;
    tx.update_workflow_run(&run).await?;
    jobs::enqueue_run(&mut tx, id, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "workflow_run.retry",
        ("workflow_run", id.to_string()),
        json!({ "workflow_id": run.workflow_id, "pc": run.pc }),
    )
    .await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(run)
}

/// Stops a run under way (running or waiting). 409 `run_not_active` for
/// one that ended.
pub async fn cancel_run(
    state: &AppState,
    ctx: &TenantCtx,
    id: WorkflowRunId,
) -> AppResult<WorkflowRun> {
    ctx.require(Permission::CampaignsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut run = tx.claim_workflow_run(id).await?;
    if !run.status.is_active() {
        return Err(AppError::Conflict(
            "run_not_active",
            "this run has ended".into(),
        ));
    }
    run.end(
        RunStatus::Cancelled,
        Some("cancelled by a person".into()),
        now,
    );
    tx.update_workflow_run(&run).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "workflow_run.cancel",
        ("workflow_run", id.to_string()),
        json!({ "workflow_id": run.workflow_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(run)
}
