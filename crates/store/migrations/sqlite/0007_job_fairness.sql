-- Fair claiming between tenants within a queue: jobs are claimed in
-- (lane, fair_key) order, where a tenant's fair_key runs ahead of the clock
-- by its backlog (see crates/store/src/jobs/fair.rs). Existing jobs keep
-- their run_at order.
-- Keep in step with ../postgres/0007_job_fairness.sql (a test compares them).

ALTER TABLE jobs ADD COLUMN fair_key BIGINT NOT NULL DEFAULT 0;
UPDATE jobs SET fair_key = run_at;

-- The claim order; run_at last so the "is it due" test needs no table row.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (queue, status, lane, fair_key, run_at);
-- A tenant's greatest pending key in a lane, taken at enqueue. Partial: only
-- tenants' pending jobs are in it, so the webhook intake's jobs (no tenant)
-- and every job once claimed cost it nothing.
CREATE INDEX jobs_tenant_backlog ON jobs (queue, tenant_id, lane, fair_key, run_at)
    WHERE status = 'pending' AND tenant_id IS NOT NULL;
