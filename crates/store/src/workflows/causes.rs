//! The events runs' steps recorded (`workflow_event_causes`), which the
//! loop guards read.

use crate::db::{TenantTx, exec, run, values_rows};
use crate::error::StoreResult;
use domain::{EventId, Timestamp, WorkflowId, WorkflowRunId};
use std::collections::HashMap;
use uuid::Uuid;

/// The run whose step recorded an event, and how deep that run was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventCause {
    pub run_id: WorkflowRunId,
    pub workflow_id: WorkflowId,
    pub depth: i64,
}

impl TenantTx {
    /// Notes that `events` were recorded by a step of run `cause`, now.
    pub async fn insert_event_causes(
        &mut self,
        events: &[EventId],
        cause: EventCause,
        now: Timestamp,
    ) -> StoreResult<()> {
        const WIDTH: usize = 6;
        for chunk in events.chunks(crate::placeholders::rows_per_statement(WIDTH)) {
            let sql = format!(
                "INSERT INTO workflow_event_causes (tenant_id, event_id, run_id, workflow_id, depth, \
                                                    created_at) \
                 VALUES {} ON CONFLICT DO NOTHING",
                values_rows(chunk.len(), WIDTH, |p| format!("({})", p.join(", ")))
            );
            exec!(&mut self.tx, |c| {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for e in chunk {
                    q = q
                        .bind(self.tenant.as_uuid())
                        .bind(e.as_uuid())
                        .bind(cause.run_id.as_uuid())
                        .bind(cause.workflow_id.as_uuid())
                        .bind(cause.depth)
                        .bind(now.as_millis());
                }
                q.execute(c).await
            })?;
        }
        Ok(())
    }

    /// The runs that caused those of `events` a run's step recorded.
    pub async fn event_causes(
        &mut self,
        events: &[EventId],
    ) -> StoreResult<HashMap<EventId, EventCause>> {
        let mut found = HashMap::new();
        for chunk in events.chunks(crate::placeholders::PARAMS_PER_STATEMENT - 1) {
            let list = crate::placeholders::list(chunk.len(), 2);
            let sql = format!(
                "SELECT event_id, run_id, workflow_id, depth FROM workflow_event_causes \
                 WHERE tenant_id = $1 AND event_id IN ({list})"
            );
            let rows: Vec<(Uuid, Uuid, Uuid, i64)> = run!(&mut self.tx, |c| {
                let mut q =
                    sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(self.tenant.as_uuid());
                for e in chunk {
                    q = q.bind(e.as_uuid());
                }
                q.fetch_all(c).await
            })?;
            for (event, run_id, workflow_id, depth) in rows {
                found.insert(
                    EventId::from_uuid(event),
                    EventCause {
                        run_id: WorkflowRunId::from_uuid(run_id),
                        workflow_id: WorkflowId::from_uuid(workflow_id),
                        depth,
                    },
                );
            }
        }
        Ok(found)
    }
}
