//! What workers do with jobs: claim them under a lease, renew the lease,
//! and complete, retry or fail them; and the queue figures for metrics.

use super::Job;
use super::QueueDepth;
use crate::db::{Store, Tx, exec, run};
use crate::error::{StoreResult, classify};
use domain::Timestamp;
use uuid::Uuid;

impl Store {
    /// Claims up to `limit` due jobs of `queue` for `worker` until
    /// `lease_until`: pending jobs whose time has come, and running jobs
    /// whose lease ran out (their worker died). Each kind is its own
    /// `LIMIT`ed select in `jobs_due` index order (one `OR` of the two made
    /// SQLite read and sort the whole queue under the write lock: 24 s per
    /// claim with 80,000 jobs queued, see docs/BENCHMARKS.md), then the two
    /// are merged. The order is by lane, then by fair key (see
    /// [`super::SPACING`]): between tenants, not first come first served.
    pub async fn claim_jobs(
        &self,
        queue: &str,
        worker: &str,
        now: Timestamp,
        lease_until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Job>> {
        if self.engine() == crate::Engine::Sqlite && !self.any_due(queue, now).await? {
            return Ok(Vec::new());
        }
        let mut sys = self.system().await?;
        let jobs = match &mut sys.tx {
            Tx::Postgres(t) => sqlx::query_as::<_, Job>(
                "WITH due AS ( \
                   SELECT id, lane, fair_key FROM jobs \
                   WHERE queue = $1 AND status = 'pending' AND run_at <= $2 \
                   ORDER BY lane, fair_key LIMIT $3 FOR UPDATE SKIP LOCKED), \
                 expired AS ( \
                   SELECT id, lane, fair_key FROM jobs \
                   WHERE queue = $1 AND status = 'running' AND locked_until < $2 \
                   ORDER BY lane, fair_key LIMIT $3 FOR UPDATE SKIP LOCKED), \
                 picked AS ( \
                   SELECT id FROM (SELECT * FROM due UNION ALL SELECT * FROM expired) AS both_kinds \
                   ORDER BY lane, fair_key LIMIT $3) \
                 UPDATE jobs SET status = 'running', locked_by = $4, locked_until = $5, \
                                 attempts = jobs.attempts + 1, updated_at = $2 \
                 FROM picked WHERE jobs.id = picked.id \
                 RETURNING jobs.id, jobs.tenant_id, jobs.queue, jobs.lane, jobs.kind, \
                           jobs.payload, jobs.attempts, jobs.max_attempts, jobs.run_at, \
                           jobs.fair_key",
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
                     SELECT * FROM (SELECT id, lane, fair_key FROM jobs \
                       WHERE queue = $1 AND status = 'pending' AND run_at <= $2 \
                       ORDER BY lane, fair_key LIMIT $3) \
                     UNION ALL \
                     SELECT * FROM (SELECT id, lane, fair_key FROM jobs \
                       WHERE queue = $1 AND status = 'running' AND locked_until < $2 \
                       ORDER BY lane, fair_key LIMIT $3)) \
                   ORDER BY lane, fair_key LIMIT $3) \
                 RETURNING id, tenant_id, queue, lane, kind, payload, attempts, max_attempts, \
                           run_at, fair_key",
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
        jobs.sort_by_key(|j| (j.lane, j.fair_key));
        Ok(jobs)
    }

    /// Whether `queue` has a job to claim at `now`, looked up beside
    /// SQLite's one writer rather than in its line: every wake-up of the
    /// workers has each queue's loop look, and most find nothing.
    async fn any_due(&self, queue: &str, now: Timestamp) -> StoreResult<bool> {
        let mut sys = self.system_read().await?;
        let due: bool = run!(&mut sys.tx, |c| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM jobs \
                            WHERE queue = $1 AND status = 'pending' AND run_at <= $2) \
                 OR EXISTS (SELECT 1 FROM jobs \
                            WHERE queue = $1 AND status = 'running' AND locked_until < $2)"
        )
        .bind(queue)
        .bind(now.as_millis())
        .fetch_one(c)
        .await)?;
        sys.commit().await?;
        Ok(due)
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
    /// used all its attempts. Its fair key moves to `run_at` if that is
    /// later: a retry waits its turn behind work due before it, but keeps
    /// its place if it already stood further back.
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
                 run_at = $4, fair_key = CASE WHEN fair_key > $4 THEN fair_key ELSE $4 END, \
                 waiting = 0, last_error = $3, updated_at = $5, locked_by = NULL, locked_until = NULL \
             WHERE id = $1 AND locked_by = $2 AND status = 'running'",
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

    /// Parks a job that cannot run until something changes (its number's
    /// credentials are replaced, its tenant is reactivated): pending, due
    /// when woken ([`crate::TenantTx::wake_parked_jobs`]) or, should a wake
    /// be missed, at `recheck_at`. The claim that found it waiting does not
    /// count as an attempt.
    pub async fn park_job(
        &self,
        id: Uuid,
        worker: &str,
        reason: &str,
        recheck_at: Timestamp,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut sys = self.system().await?;
        let n = exec!(&mut sys.tx, |c| {
            sqlx::query(
                "UPDATE jobs SET status = 'pending', run_at = $4, last_error = $3, waiting = 1, \
                                 fair_key = CASE WHEN fair_key > $4 THEN fair_key ELSE $4 END, \
                                 attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
                                 updated_at = $5, locked_by = NULL, locked_until = NULL \
                 WHERE id = $1 AND locked_by = $2 AND status = 'running'",
            )
            .bind(id)
            .bind(worker)
            .bind(reason)
            .bind(recheck_at.as_millis())
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
