//! Automations' workflows (`workflows`, `workflow_versions`), their runs
//! (`workflow_runs`, `workflow_run_steps`) and the events runs caused
//! (`workflow_event_causes`). A definition is JSON to the store: the
//! server reads, checks and compiles it.

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{Timestamp, WorkflowId};
use serde_json::Value;
use uuid::Uuid;

mod causes;
mod runs;
mod steps;
mod triggers;

pub use causes::EventCause;
pub use runs::{RunFilter, RunStatus, WorkflowRun};
pub use steps::RunStep;
pub use triggers::WorkflowSecrets;

/// A workflow as stored: its current version's number and trigger type.
#[derive(Debug, Clone, PartialEq)]
pub struct Workflow {
    pub id: WorkflowId,
    pub name: String,
    pub description: String,
    pub enabled: bool,
    pub version: i64,
    pub trigger_type: String,
    /// When its schedule fires next (a `schedule` trigger, enabled);
    /// written by `set_workflow_next_fire_at`, not `update_workflow`.
    pub next_fire_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct WorkflowRow {
    id: Uuid,
    name: String,
    description: String,
    enabled: i64,
    version: i64,
    trigger_type: String,
    next_fire_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<WorkflowRow> for Workflow {
    fn from(r: WorkflowRow) -> Self {
        Workflow {
            id: WorkflowId::from_uuid(r.id),
            name: r.name,
            description: r.description,
            enabled: r.enabled != 0,
            version: r.version,
            trigger_type: r.trigger_type,
            next_fire_at: r.next_fire_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

const WORKFLOW_COLUMNS: &str =
    "id, name, description, enabled, version, trigger_type, next_fire_at, created_at, updated_at";

impl TenantTx {
    /// Inserts `w` and its first version, `definition` (a name another
    /// workflow has, in any case, is a `Conflict`).
    pub async fn insert_workflow(&mut self, w: &Workflow, definition: &Value) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO workflows (tenant_id, id, name, description, enabled, version, \
                                    trigger_type, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(self.tenant.as_uuid())
        .bind(w.id.as_uuid())
        .bind(&w.name)
        .bind(&w.description)
        .bind(i64::from(w.enabled))
        .bind(w.version)
        .bind(&w.trigger_type)
        .bind(w.created_at.as_millis())
        .bind(w.updated_at.as_millis())
        .execute(c)
        .await)?;
        self.insert_workflow_version(w.id, w.version, definition, w.updated_at)
            .await
    }

    /// Adds version `version` of workflow `id`.
    pub async fn insert_workflow_version(
        &mut self,
        id: WorkflowId,
        version: i64,
        definition: &Value,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO workflow_versions (tenant_id, workflow_id, version, definition, created_at) \
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(version)
        .bind(definition.to_string())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        Ok(())
    }

    /// Writes `w`'s name, description, enabled, version, trigger type and
    /// `updated_at`.
    pub async fn update_workflow(&mut self, w: &Workflow) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE workflows SET name = $3, description = $4, enabled = $5, version = $6, \
                 trigger_type = $7, updated_at = $8 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(w.id.as_uuid())
        .bind(&w.name)
        .bind(&w.description)
        .bind(i64::from(w.enabled))
        .bind(w.version)
        .bind(&w.trigger_type)
        .bind(w.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_workflow(&mut self, id: WorkflowId) -> StoreResult<Workflow> {
        let sql =
            format!("SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, WorkflowRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.or_not_found()?.into())
    }

    /// Every workflow of the tenant, by name.
    pub async fn list_workflows(&mut self) -> StoreResult<Vec<Workflow>> {
        let sql = format!(
            "SELECT {WORKFLOW_COLUMNS} FROM workflows WHERE tenant_id = $1 ORDER BY LOWER(name), id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, WorkflowRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Workflow::from).collect())
    }

    /// How many workflows the tenant has.
    pub async fn count_workflows(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM workflows WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// The enabled workflows (their current versions: [`Self::workflow_definition`]).
    pub async fn enabled_workflows(&mut self) -> StoreResult<Vec<Workflow>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, WorkflowRow>(
            "SELECT id, name, description, enabled, version, trigger_type, next_fire_at, \
                    created_at, updated_at \
             FROM workflows WHERE tenant_id = $1 AND enabled = 1 ORDER BY id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The definition of version `version` of workflow `id`.
    pub async fn workflow_definition(
        &mut self,
        id: WorkflowId,
        version: i64,
    ) -> StoreResult<Value> {
        let text: Option<String> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT definition FROM workflow_versions \
             WHERE tenant_id = $1 AND workflow_id = $2 AND version = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(version)
        .fetch_optional(c)
        .await)?;
        serde_json::from_str(&text.or_not_found()?).map_err(StoreError::corrupt)
    }

    /// Deletes workflow `id` (its versions and runs stay, for the log).
    pub async fn delete_workflow(&mut self, id: WorkflowId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM workflows WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}
