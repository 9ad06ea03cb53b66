-- The durable job queue: background work is rows, enqueued in the same
-- transaction as the change that causes it.
-- Keep in step with ../sqlite/0002_jobs.sql (a test compares them).

CREATE TABLE jobs (
    id UUID PRIMARY KEY,
    tenant_id UUID,
    queue TEXT NOT NULL,
    lane BIGINT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    dedupe_key TEXT,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    status TEXT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE UNIQUE INDEX jobs_dedupe ON jobs (queue, dedupe_key);
CREATE INDEX jobs_due ON jobs (queue, status, lane, run_at);

-- Workers claim in the system scope; a tenant's transaction sees only its jobs.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
