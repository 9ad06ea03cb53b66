//! Workflow runs (`workflow_runs`); the steps they took are in
//! [`super::steps`].

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ContactId, ConversationId, EventId, MessageId, Timestamp, WorkflowId, WorkflowRunId};
use uuid::Uuid;

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Its job runs its next step.
    Running,
    /// Waiting for its `wake_at`.
    Waiting,
    Completed,
    /// A step failed; it can be retried from that step.
    Failed,
    /// Stopped by a person, or its workflow was deleted.
    Cancelled,
    /// A guard stopped it before its first step (`error` says which).
    Skipped,
}

impl RunStatus {
    pub const ALL: [RunStatus; 6] = [
        RunStatus::Running,
        RunStatus::Waiting,
        RunStatus::Completed,
        RunStatus::Failed,
        RunStatus::Cancelled,
        RunStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Waiting => "waiting",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the run may still take a step.
    pub fn is_active(self) -> bool {
        matches!(self, RunStatus::Running | RunStatus::Waiting)
    }
}

/// One run of one version of a workflow, started by one event.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkflowRun {
    pub id: WorkflowRunId,
    pub workflow_id: WorkflowId,
    pub version: i64,
    pub workflow_name: String,
    pub status: RunStatus,
    /// The next step, in the version's compiled program.
    pub pc: i64,
    pub trigger_event_id: EventId,
    pub trigger_event: String,
    pub contact_id: Option<ContactId>,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub depth: i64,
    pub wake_at: Option<Timestamp>,
    /// Waiting for the contact's reply (`wake_at` is then its timeout).
    pub awaiting_reply: bool,
    pub error: Option<String>,
    pub started_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl WorkflowRun {
    /// Ends the run at `now` as `status` (why, for any but `completed`):
    /// no longer waiting for anything.
    pub fn end(&mut self, status: RunStatus, error: Option<String>, now: Timestamp) {
        self.status = status;
        self.error = error;
        self.wake_at = None;
        self.awaiting_reply = false;
        self.finished_at = Some(now);
        self.updated_at = now;
    }
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: Uuid,
    workflow_id: Uuid,
    version: i64,
    workflow_name: String,
    status: String,
    pc: i64,
    trigger_event_id: Uuid,
    trigger_event: String,
    contact_id: Option<Uuid>,
    conversation_id: Option<Uuid>,
    message_id: Option<Uuid>,
    depth: i64,
    wake_at: Option<i64>,
    awaiting_reply: i64,
    error: Option<String>,
    started_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<RunRow> for WorkflowRun {
    type Error = StoreError;
    fn try_from(r: RunRow) -> StoreResult<Self> {
        Ok(WorkflowRun {
            id: WorkflowRunId::from_uuid(r.id),
            workflow_id: WorkflowId::from_uuid(r.workflow_id),
            version: r.version,
            workflow_name: r.workflow_name,
            status: RunStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("run status {}", r.status)))?,
            pc: r.pc,
            trigger_event_id: EventId::from_uuid(r.trigger_event_id),
            trigger_event: r.trigger_event,
            contact_id: r.contact_id.map(ContactId::from_uuid),
            conversation_id: r.conversation_id.map(ConversationId::from_uuid),
            message_id: r.message_id.map(MessageId::from_uuid),
            depth: r.depth,
            wake_at: r.wake_at.map(Timestamp::from_millis),
            awaiting_reply: r.awaiting_reply != 0,
            error: r.error,
            started_at: Timestamp::from_millis(r.started_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            finished_at: r.finished_at.map(Timestamp::from_millis),
        })
    }
}

const RUN_COLUMNS: &str = "id, workflow_id, version, workflow_name, status, pc, trigger_event_id, \
     trigger_event, contact_id, conversation_id, message_id, depth, wake_at, awaiting_reply, error, \
     started_at, updated_at, finished_at";

fn runs(rows: Vec<RunRow>) -> StoreResult<Vec<WorkflowRun>> {
    rows.into_iter().map(WorkflowRun::try_from).collect()
}

/// Which runs a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunFilter {
    pub workflow: Option<WorkflowId>,
    pub status: Option<RunStatus>,
    pub contact: Option<ContactId>,
    /// Started at or after.
    pub since: Option<Timestamp>,
    /// Started before.
    pub until: Option<Timestamp>,
}

impl TenantTx {
    /// Inserts run `r` unless its workflow already has a run for its
    /// trigger event; whether it was inserted.
    pub async fn insert_workflow_run(&mut self, r: &WorkflowRun) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO workflow_runs (tenant_id, id, workflow_id, version, workflow_name, status, \
                 pc, trigger_event_id, trigger_event, contact_id, conversation_id, message_id, \
                 depth, wake_at, error, started_at, updated_at, finished_at, awaiting_reply) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
                     $19) \
             ON CONFLICT (tenant_id, workflow_id, trigger_event_id) DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .bind(r.workflow_id.as_uuid())
        .bind(r.version)
        .bind(&r.workflow_name)
        .bind(r.status.as_str())
        .bind(r.pc)
        .bind(r.trigger_event_id.as_uuid())
        .bind(&r.trigger_event)
        .bind(r.contact_id.map(|i| i.as_uuid()))
        .bind(r.conversation_id.map(|i| i.as_uuid()))
        .bind(r.message_id.map(|i| i.as_uuid()))
        .bind(r.depth)
        .bind(r.wake_at.map(Timestamp::as_millis))
        .bind(r.error.as_deref())
        .bind(r.started_at.as_millis())
        .bind(r.updated_at.as_millis())
        .bind(r.finished_at.map(Timestamp::as_millis))
        .bind(i64::from(r.awaiting_reply))
        .execute(c)
        .await
        })?;
        Ok(n == 1)
    }

    pub async fn find_workflow_run(&mut self, id: WorkflowRunId) -> StoreResult<WorkflowRun> {
        let sql =
            format!("SELECT {RUN_COLUMNS} FROM workflow_runs WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, RunRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Takes run `id`, holding its row until this transaction ends (a
    /// second taker waits, then sees what the first did).
    pub async fn claim_workflow_run(&mut self, id: WorkflowRunId) -> StoreResult<WorkflowRun> {
        let sql = format!(
            "UPDATE workflow_runs SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2 \
             RETURNING {RUN_COLUMNS}"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, RunRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Writes `r`'s status, place, wake time, whether it awaits a reply,
    /// message, error and times.
    pub async fn update_workflow_run(&mut self, r: &WorkflowRun) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE workflow_runs SET status = $3, pc = $4, wake_at = $5, error = $6, \
                 updated_at = $7, finished_at = $8, awaiting_reply = $9, message_id = $10 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .bind(r.status.as_str())
        .bind(r.pc)
        .bind(r.wake_at.map(Timestamp::as_millis))
        .bind(r.error.as_deref())
        .bind(r.updated_at.as_millis())
        .bind(r.finished_at.map(Timestamp::as_millis))
        .bind(i64::from(r.awaiting_reply))
        .bind(r.message_id.map(|i| i.as_uuid()))
        .execute(c)
        .await)?;
        Ok(())
    }

    /// The runs waiting for `contact`'s reply, oldest first.
    pub async fn runs_awaiting_reply(
        &mut self,
        contact: ContactId,
    ) -> StoreResult<Vec<WorkflowRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_runs \
             WHERE tenant_id = $1 AND contact_id = $2 AND awaiting_reply = 1 ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, RunRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(contact.as_uuid())
        .fetch_all(c)
        .await)?;
        runs(rows)
    }

    /// Whether any run of the tenant waits for a reply.
    pub async fn any_run_awaiting_reply(&mut self) -> StoreResult<bool> {
        let found: Option<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT CAST(1 AS BIGINT) FROM workflow_runs \
             WHERE tenant_id = $1 AND awaiting_reply = 1 LIMIT 1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(found.is_some())
    }

    /// Runs matching `filter`, newest first.
    pub async fn list_workflow_runs(
        &mut self,
        filter: RunFilter,
        page: PageRequest,
    ) -> StoreResult<Page<WorkflowRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_runs WHERE tenant_id = $1 \
               AND ($2 IS NULL OR workflow_id = $2) \
               AND ($3 IS NULL OR status = $3) \
               AND ($4 IS NULL OR contact_id = $4) \
               AND ($5 IS NULL OR started_at >= $5) \
               AND ($6 IS NULL OR started_at < $6) \
               AND ($7 IS NULL OR id < $7) \
             ORDER BY id DESC LIMIT $8"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, RunRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.workflow.map(|i| i.as_uuid()))
        .bind(filter.status.map(RunStatus::as_str))
        .bind(filter.contact.map(|i| i.as_uuid()))
        .bind(filter.since.map(Timestamp::as_millis))
        .bind(filter.until.map(Timestamp::as_millis))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(runs(rows)?, |r| r.id.as_uuid()))
    }

    /// The active (running or waiting) runs of workflow `id`.
    pub async fn active_workflow_runs(&mut self, id: WorkflowId) -> StoreResult<Vec<WorkflowRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_runs WHERE tenant_id = $1 AND workflow_id = $2 \
               AND status IN ('running', 'waiting') ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, RunRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        runs(rows)
    }

    /// How many runs workflow `id` started for `contact` since `since`
    /// (skipped ones not counted).
    pub async fn count_recent_workflow_runs(
        &mut self,
        id: WorkflowId,
        contact: ContactId,
        since: Timestamp,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM workflow_runs WHERE tenant_id = $1 AND workflow_id = $2 \
               AND contact_id = $3 AND started_at >= $4 AND status <> 'skipped'"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(contact.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)
    }

    /// How many runs are in `status` (and, with `since`, were last changed
    /// since then): the health page's figures.
    pub async fn count_workflow_runs(
        &mut self,
        status: RunStatus,
        since: Option<Timestamp>,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM workflow_runs WHERE tenant_id = $1 AND status = $2 \
               AND ($3 IS NULL OR updated_at >= $3)"
        )
        .bind(self.tenant.as_uuid())
        .bind(status.as_str())
        .bind(since.map(Timestamp::as_millis))
        .fetch_one(c)
        .await)
    }

    /// Runs started at or after `since` that a guard did not skip.
    pub async fn count_started_workflow_runs(&mut self, since: Timestamp) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM workflow_runs \
             WHERE tenant_id = $1 AND started_at >= $2 AND status <> 'skipped'"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_one(c)
        .await)
    }
}
