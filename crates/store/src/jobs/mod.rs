//! The durable job queue. A job is enqueued in the same transaction as the
//! change that causes it, claimed under a lease in a short transaction,
//! and completed, retried or failed by the worker that holds the lease.
//!
//! Within a queue jobs are claimed by lane, then by a fair key that keeps
//! one tenant's backlog from holding up the others (see [`SPACING`]).
//!
//! Claiming is the one place the engines differ: PostgreSQL takes rows
//! with `FOR UPDATE SKIP LOCKED`, so many nodes claim at once without
//! blocking; on SQLite, writers already take turns (one writer connection).

mod fair;
mod worker;

pub use fair::SPACING;

use crate::db::{SystemTx, TenantTx, Tx, exec, values_rows};
use crate::error::{StoreError, StoreResult};
use crate::placeholders::rows_per_statement;
use domain::{TenantId, Timestamp};
use serde_json::Value;
use uuid::Uuid;

/// Work to do later.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub queue: &'static str,
    /// Lower lanes are claimed first (0: conversational, 10: bulk).
    pub lane: i64,
    pub kind: &'static str,
    pub payload: Value,
    /// Enqueueing the same key on the same queue twice is a no-op.
    pub dedupe_key: Option<String>,
    pub run_at: Timestamp,
    pub max_attempts: i64,
}

impl NewJob {
    pub fn new(queue: &'static str, kind: &'static str, payload: Value, now: Timestamp) -> Self {
        NewJob {
            queue,
            lane: 0,
            kind,
            payload,
            dedupe_key: None,
            run_at: now,
            max_attempts: 25,
        }
    }
    pub fn lane(mut self, lane: i64) -> Self {
        self.lane = lane;
        self
    }
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }
    pub fn max_attempts(mut self, n: i64) -> Self {
        self.max_attempts = n;
        self
    }
}

/// A claimed job.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Job {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub queue: String,
    pub lane: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    /// Where the job stood in the claim order (see [`SPACING`]).
    pub fair_key: i64,
}

impl Job {
    pub fn tenant(&self) -> Option<TenantId> {
        self.tenant_id.map(TenantId::from_uuid)
    }
    pub fn payload(&self) -> StoreResult<Value> {
        serde_json::from_str(&self.payload).map_err(StoreError::corrupt)
    }
}

async fn enqueue(tx: &mut Tx, tenant: Option<TenantId>, job: NewJob) -> StoreResult<Option<Uuid>> {
    let id = Uuid::now_v7();
    let n = insert_jobs(tx, &[(id, tenant, &job)]).await?;
    Ok((n == 1).then_some(id))
}

/// Inserts jobs (one statement per [`rows_per_statement`] of them),
/// skipping those whose dedupe key is taken; returns how many were added.
/// Tenants' jobs first get their fair keys (one look-up per tenant, queue
/// and lane).
async fn insert_jobs(tx: &mut Tx, jobs: &[(Uuid, Option<TenantId>, &NewJob)]) -> StoreResult<u64> {
    if jobs.is_empty() {
        return Ok(0);
    }
    const WIDTH: usize = 10;
    let keys = fair::fair_keys(tx, jobs).await?;
    let mut added = 0;
    for (jobs, keys) in jobs
        .chunks(rows_per_statement(WIDTH))
        .zip(keys.chunks(rows_per_statement(WIDTH)))
    {
        let sql = format!(
            "INSERT INTO jobs (id, tenant_id, queue, lane, kind, payload, dedupe_key, run_at, \
                               attempts, max_attempts, status, created_at, updated_at, fair_key) \
             VALUES {} ON CONFLICT (queue, dedupe_key) DO NOTHING",
            values_rows(jobs.len(), WIDTH, |p| format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, 0, {}, 'pending', {}, {}, {})",
                p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[7], p[7], p[9]
            ))
        );
        added += exec!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for ((id, tenant, job), key) in jobs.iter().zip(keys) {
                q = q
                    .bind(*id)
                    .bind(tenant.map(|t| t.as_uuid()))
                    .bind(job.queue)
                    .bind(job.lane)
                    .bind(job.kind)
                    .bind(job.payload.to_string())
                    .bind(job.dedupe_key.as_deref())
                    .bind(job.run_at.as_millis())
                    .bind(job.max_attempts)
                    .bind(*key);
            }
            q.execute(c).await
        })?;
    }
    Ok(added)
}

/// Makes `tenant`'s parked jobs of `queue` (of every queue for `None`) due
/// now; returns how many.
async fn wake_parked(
    tx: &mut Tx,
    tenant: TenantId,
    queue: Option<&str>,
    now: Timestamp,
) -> StoreResult<u64> {
    exec!(tx, |c| {
        sqlx::query(
            "UPDATE jobs SET run_at = $3, fair_key = $3, waiting = 0, updated_at = $3 \
             WHERE tenant_id = $1 AND ($2 IS NULL OR queue = $2) AND status = 'pending' \
               AND waiting = 1",
        )
        .bind(tenant.as_uuid())
        .bind(queue)
        .bind(now.as_millis())
        .execute(c)
        .await
    })
}

/// Fails job `id` for good if `worker` still holds it and it is `tenant`'s.
async fn give_up(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
    worker: &str,
    error: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE jobs SET status = 'failed', last_error = $4, finished_at = $5, \
                             updated_at = $5, locked_by = NULL, locked_until = NULL \
             WHERE id = $1 AND locked_by = $2 AND status = 'running' AND tenant_id = $3",
        )
        .bind(id)
        .bind(worker)
        .bind(tenant.as_uuid())
        .bind(error)
        .bind(now.as_millis())
        .execute(c)
        .await
    })?;
    Ok(n == 1)
}

/// Marks job `id` done if `worker` still holds it (and, given a tenant, if
/// it is that tenant's).
async fn complete(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    id: Uuid,
    worker: &str,
    now: Timestamp,
) -> StoreResult<bool> {
    let n = exec!(tx, |c| {
        sqlx::query(
            "UPDATE jobs SET status = 'done', finished_at = $3, updated_at = $3, \
                             locked_until = NULL \
             WHERE id = $1 AND locked_by = $2 AND status = 'running' \
               AND ($4 IS NULL OR tenant_id = $4)",
        )
        .bind(id)
        .bind(worker)
        .bind(now.as_millis())
        .bind(tenant.map(|t| t.as_uuid()))
        .execute(c)
        .await
    })?;
    Ok(n == 1)
}

/// [`complete`] for many jobs, a few statements in all; how many were
/// still held by `worker`.
async fn complete_many(
    tx: &mut Tx,
    tenant: Option<TenantId>,
    ids: &[Uuid],
    worker: &str,
    now: Timestamp,
) -> StoreResult<u64> {
    let mut done = 0;
    for chunk in ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "UPDATE jobs SET status = 'done', finished_at = $2, updated_at = $2, \
                             locked_until = NULL \
             WHERE locked_by = $1 AND status = 'running' \
               AND ($3 IS NULL OR tenant_id = $3) AND id IN ({})",
            crate::placeholders::list(chunk.len(), 4)
        );
        done += exec!(tx, |c| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(worker)
                .bind(now.as_millis())
                .bind(tenant.map(|t| t.as_uuid()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(c).await
        })?;
    }
    Ok(done)
}

impl TenantTx {
    /// Completes many of this tenant's jobs held by `worker`, in this
    /// transaction; how many it still held.
    pub async fn complete_jobs(
        &mut self,
        ids: &[Uuid],
        worker: &str,
        now: Timestamp,
    ) -> StoreResult<u64> {
        complete_many(&mut self.tx, Some(self.tenant), ids, worker, now).await
    }

    /// [`Store::complete_job`] for one of this tenant's jobs, inside this
    /// transaction.
    pub async fn complete_job(
        &mut self,
        id: Uuid,
        worker: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        complete(&mut self.tx, Some(self.tenant), id, worker, now).await
    }

    /// Fails one of this tenant's jobs for good, in this transaction (so
    /// its kind can record what giving up means alongside); false if
    /// `worker` no longer holds it.
    pub async fn give_up_job(
        &mut self,
        id: Uuid,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        give_up(&mut self.tx, self.tenant, id, worker, error, now).await
    }

    /// Makes this tenant's parked jobs of `queue` due now.
    pub async fn wake_parked_jobs(&mut self, queue: &str, now: Timestamp) -> StoreResult<u64> {
        wake_parked(&mut self.tx, self.tenant, Some(queue), now).await
    }

    /// Enqueues `job` for this tenant; `None` if its dedupe key was taken.
    pub async fn enqueue_job(&mut self, job: NewJob) -> StoreResult<Option<Uuid>> {
        enqueue(&mut self.tx, Some(self.tenant), job).await
    }
}

impl SystemTx {
    pub async fn enqueue_job(
        &mut self,
        tenant: Option<TenantId>,
        job: NewJob,
    ) -> StoreResult<Option<Uuid>> {
        enqueue(&mut self.tx, tenant, job).await
    }

    /// Makes every parked job of `tenant` due now (the tenant was
    /// reactivated: whatever waited for that goes).
    pub async fn wake_parked_jobs(&mut self, tenant: TenantId, now: Timestamp) -> StoreResult<u64> {
        wake_parked(&mut self.tx, tenant, None, now).await
    }

    /// [`TenantTx::complete_jobs`] for jobs of the system scope (or of
    /// any tenant).
    pub async fn complete_jobs(
        &mut self,
        ids: &[Uuid],
        worker: &str,
        now: Timestamp,
    ) -> StoreResult<u64> {
        complete_many(&mut self.tx, None, ids, worker, now).await
    }

    /// [`Store::complete_job`] inside a transaction, for a handler whose
    /// last write and the job's completion can commit together.
    pub async fn complete_job(
        &mut self,
        id: Uuid,
        worker: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        complete(&mut self.tx, None, id, worker, now).await
    }

    /// Enqueues many jobs in one statement; those whose dedupe key is
    /// taken are skipped. Returns how many were added.
    pub async fn enqueue_jobs(&mut self, jobs: &[(Option<TenantId>, NewJob)]) -> StoreResult<u64> {
        let rows: Vec<_> = jobs
            .iter()
            .map(|(tenant, job)| (Uuid::now_v7(), *tenant, job))
            .collect();
        insert_jobs(&mut self.tx, &rows).await
    }
}

/// How many jobs of each queue are in each state.
#[derive(Debug, Clone, sqlx::FromRow, PartialEq, Eq)]
pub struct QueueDepth {
    pub queue: String,
    pub status: String,
    pub jobs: i64,
}
