//! The steps runs took (`workflow_run_steps`): the execution log's detail.

use crate::db::{TenantTx, exec, run};
use crate::error::{StoreError, StoreResult};
use domain::{Timestamp, WorkflowRunId};
use serde_json::Value;
use uuid::Uuid;

/// What one step of a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunStep {
    pub run_id: WorkflowRunId,
    /// 1, 2, 3… in the order the run took them.
    pub n: i64,
    /// Where the step is in the definition (`2`, `3.then.1`).
    pub path: String,
    pub kind: String,
    /// `done` or `failed`.
    pub status: String,
    pub input: Value,
    pub output: Value,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub duration_ms: i64,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    run_id: Uuid,
    n: i64,
    path: String,
    kind: String,
    status: String,
    input: String,
    output: String,
    error: Option<String>,
    started_at: i64,
    duration_ms: i64,
}

impl TryFrom<StepRow> for RunStep {
    type Error = StoreError;
    fn try_from(r: StepRow) -> StoreResult<Self> {
        Ok(RunStep {
            run_id: WorkflowRunId::from_uuid(r.run_id),
            n: r.n,
            path: r.path,
            kind: r.kind,
            status: r.status,
            input: serde_json::from_str(&r.input).map_err(StoreError::corrupt)?,
            output: serde_json::from_str(&r.output).map_err(StoreError::corrupt)?,
            error: r.error,
            started_at: Timestamp::from_millis(r.started_at),
            duration_ms: r.duration_ms,
        })
    }
}

impl TenantTx {
    /// Adds `s` to its run's steps.
    pub async fn insert_run_step(&mut self, s: &RunStep) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO workflow_run_steps (tenant_id, run_id, n, path, kind, status, input, \
                 output, error, started_at, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.run_id.as_uuid())
        .bind(s.n)
        .bind(&s.path)
        .bind(&s.kind)
        .bind(&s.status)
        .bind(s.input.to_string())
        .bind(s.output.to_string())
        .bind(s.error.as_deref())
        .bind(s.started_at.as_millis())
        .bind(s.duration_ms)
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Run `id`'s steps, in the order they ran.
    pub async fn run_steps(&mut self, id: WorkflowRunId) -> StoreResult<Vec<RunStep>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, StepRow>(
            "SELECT run_id, n, path, kind, status, input, output, error, started_at, duration_ms \
             FROM workflow_run_steps WHERE tenant_id = $1 AND run_id = $2 ORDER BY n"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await
        })?;
        rows.into_iter().map(RunStep::try_from).collect()
    }

    /// The number run `id`'s next step takes.
    pub async fn next_run_step_n(&mut self, id: WorkflowRunId) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(n), 0) + 1 FROM workflow_run_steps \
             WHERE tenant_id = $1 AND run_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_one(c)
        .await)
    }
}
