//! The durable job queue. A job is enqueued in the same transaction as the
//! change that causes it, claimed under a lease in a short transaction,
//! and completed, retried or failed by the worker that holds the lease.
//!
//! Claiming is the one place the engines differ: PostgreSQL takes rows
//! with `FOR UPDATE SKIP LOCKED`, so many nodes claim at once without
//! blocking; on SQLite, writers already take turns (one writer connection).

use crate::db::{Store, SystemTx, TenantTx, Tx, exec, run, values_rows};
use crate::error::{StoreError, StoreResult, classify};
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

/// Inserts jobs in one statement, skipping those whose dedupe key is taken;
/// returns how many were added.
async fn insert_jobs(tx: &mut Tx, jobs: &[(Uuid, Option<TenantId>, &NewJob)]) -> StoreResult<u64> {
    if jobs.is_empty() {
        return Ok(0);
    }
    let sql = format!(
        "INSERT INTO jobs (id, tenant_id, queue, lane, kind, payload, dedupe_key, run_at, \
                           attempts, max_attempts, status, created_at, updated_at) \
         VALUES {} ON CONFLICT (queue, dedupe_key) DO NOTHING",
        values_rows(jobs.len(), 9, |p| format!(
            "({}, {}, {}, {}, {}, {}, {}, {}, 0, {}, 'pending', {}, {})",
            p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[7], p[7]
        ))
    );
    exec!(tx, |c| {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
        for (id, tenant, job) in jobs {
            q = q
                .bind(*id)
                .bind(tenant.map(|t| t.as_uuid()))
                .bind(job.queue)
                .bind(job.lane)
                .bind(job.kind)
                .bind(job.payload.to_string())
                .bind(job.dedupe_key.as_deref())
                .bind(job.run_at.as_millis())
                .bind(job.max_attempts);
        }
        q.execute(c).await
    })
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

impl TenantTx {
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

impl Store {
    /// Claims up to `limit` due jobs of `queue` for `worker` until
    /// `lease_until`: pending jobs whose time has come, and running jobs
    /// whose lease ran out (their worker died). Each kind is its own
    /// `LIMIT`ed select in `jobs_due` index order (one `OR` of the two made
    /// SQLite read and sort the whole queue under the write lock: 24 s per
    /// claim with 80,000 jobs queued, see docs/BENCHMARKS.md), then the two
    /// are merged.
    pub async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        let mut sys = self.system().await?;
        let jobs = match &mut sys.tx {
            Tx::Postgres(t) => sqlx::query_as::<_, Job>(
                "WITH due AS ( \
                   SELECT id, lane, run_at FROM jobs \
                   WHERE queue = $1 AND status = 'pending' AND run_at <= $2 \
                   ORDER BY lane, run_at LIMIT $3 FOR UPDATE SKIP LOCKED), \
                 expired AS ( \
                   SELECT id, lane, run_at FROM jobs \
                   WHERE queue = $1 AND status = 'running' AND locked_until < $2 \
                   ORDER BY lane, run_at LIMIT $3 FOR UPDATE SKIP LOCKED), \
                 picked AS ( \
                   SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS both_kinds \
                   ORDER BY lane, run_at LIMIT $3) \
                 UPDATE jobs SET status = 'running', locked_by = $4, locked_until = $5, \
                                 attempts = jobs.attempts + 1, updated_at = $2 \
                 FROM picked WHERE jobs.id = picked.id \
                 RETURNING jobs.id, jobs.tenant_id, jobs.queue, jobs.lane, jobs.kind, \
                           jobs.payload, jobs.attempts, jobs.max_attempts, jobs.run_at",
            )
            .bind(queue)
            .bind(now.as_millis())
            .bind(limit)
            .bind(worker)
            .bind(lease_until.as_millis())
            .fetch_all(&mut **t)
            .await
            .map_err(classify)?,
            Tx::Sqlite(t) => sqlx::query_as::<_, Job>(
                "UPDATE jobs SET status = 'running', locked_by = $4, locked_until = $5, \
                                 attempts = attempts + 1, updated_at = $2 \
                 WHERE id IN ( \
                   SELECT id FROM ( \
                     SELECT * FROM (SELECT id, lane, run_at FROM jobs \
                       WHERE queue = $1 AND status = 'pending' AND run_at <= $2 \
                       ORDER BY lane, run_at LIMIT $3) \
                     UNION ALL \
                     SELECT * FROM (SELECT id, lane, run_at FROM jobs \
                       WHERE queue = $1 AND status = 'running' AND locked_until < $2 \
                       ORDER BY lane, run_at LIMIT $3)) \
                   ORDER BY lane, run_at LIMIT $3) \
                 RETURNING id, tenant_id, queue, lane, kind, payload, attempts, max_attempts, \
                           run_at",
            )
            .bind(queue)
            .bind(now.as_millis())
            .bind(limit)
            .bind(worker)
            .bind(lease_until.as_millis())
            .fetch_all(&mut **t)
            .await
            .map_err(classify)?,
        };
        sys.commit().await?;
        let mut jobs = jobs;
        jobs.sort_by_key(|j| (j.lane, j.run_at));
        Ok(jobs)
    }

    /// Finishes a job. False if this worker no longer holds it (its lease
    /// ran out and another worker took it).
    pub async fn complete_job(&self, id: Uuid, worker: &str, now: Timestamp) -> StoreResult<bool> {
        let mut sys = self.system().await?;
        let done = sys.complete_job(id, worker, now).await?;
        sys.commit().await?;
        Ok(done)
    }

    /// The workers that finished jobs of `queue` (a done job keeps the name
    /// of the worker that ran it), for operators and tests.
    pub async fn finished_by(&self, queue: &str) -> StoreResult<Vec<String>> {
        let mut sys = self.system().await?;
        let names: Vec<String> = run!(&mut sys.tx, |c| sqlx::query_scalar(
            "SELECT DISTINCT locked_by FROM jobs \
             WHERE queue = $1 AND status = 'done' AND locked_by IS NOT NULL ORDER BY locked_by"
        )
        .bind(queue)
        .fetch_all(c)
        .await)?;
        sys.commit().await?;
        Ok(names)
    }

    /// Puts a job back to run at `run_at`, or fails it for good when it has
    /// used all its attempts.
    pub async fn retry_job(
        &self,
        id: Uuid,
        worker: &str,
        error: &str,
        run_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut sys = self.system().await?;
        let n = exec!(&mut sys.tx, |c| {
            sqlx::query(
            "UPDATE jobs SET \
                 status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'pending' END, \
                 finished_at = CASE WHEN attempts >= max_attempts THEN $5 ELSE NULL END, \
                 run_at = $4, last_error = $3, updated_at = $5, locked_by = NULL, locked_until = NULL \
             WHERE id = $1 AND locked_by = $2 AND status = 'running'"
        )
        .bind(id)
        .bind(worker)
        .bind(error)
        .bind(run_at.as_millis())
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        sys.commit().await?;
        Ok(n == 1)
    }

    /// Fails a job for good.
    pub async fn fail_job(
        &self,
        id: Uuid,
        worker: &str,
        error: &str,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut sys = self.system().await?;
        let n = exec!(&mut sys.tx, |c| {
            sqlx::query(
            "UPDATE jobs SET status = 'failed', last_error = $3, finished_at = $4, updated_at = $4, \
                             locked_by = NULL, locked_until = NULL \
             WHERE id = $1 AND locked_by = $2 AND status = 'running'"
        )
        .bind(id)
        .bind(worker)
        .bind(error)
        .bind(now.as_millis())
        .execute(c)
        .await
        })?;
        sys.commit().await?;
        Ok(n == 1)
    }

    /// Extends the lease of every job of `queue` `worker` is running to `lease_until`
    /// (its heartbeat); returns how many it still holds. A job whose lease
    /// already ran out and was taken by another worker is not touched.
    pub async fn renew_leases(
        &self,
        queue: &str,
        worker: &str,
        lease_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<u64> {
        let mut sys = self.system().await?;
        let n = exec!(&mut sys.tx, |c| sqlx::query(
            "UPDATE jobs SET locked_until = $2, updated_at = $3 \
             WHERE queue = $4 AND status = 'running' AND locked_by = $1"
        )
        .bind(worker)
        .bind(lease_until.as_millis())
        .bind(now.as_millis())
        .bind(queue)
        .execute(c)
        .await)?;
        sys.commit().await?;
        Ok(n)
    }

    /// Jobs per queue and state, for metrics and the health page.
    pub async fn queue_depths(&self) -> StoreResult<Vec<QueueDepth>> {
        let mut sys = self.system().await?;
        let rows = run!(&mut sys.tx, |c| {
            sqlx::query_as::<_, QueueDepth>(
            "SELECT queue, status, COUNT(*) AS jobs FROM jobs \
             WHERE status IN ('pending', 'running', 'failed') GROUP BY queue, status ORDER BY queue, status"
        )
        .fetch_all(c)
        .await
        })?;
        sys.commit().await?;
        Ok(rows)
    }

    /// The earliest time a pending job of `queue` is due, if any.
    pub async fn next_due(&self, queue: &str) -> StoreResult<Option<Timestamp>> {
        let mut sys = self.system().await?;
        let t = run!(&mut sys.tx, |c| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MIN(run_at) FROM jobs WHERE queue = $1 AND status = 'pending'"
        )
        .bind(queue)
        .fetch_one(c)
        .await)?;
        sys.commit().await?;
        Ok(t.map(Timestamp::from_millis))
    }
}
