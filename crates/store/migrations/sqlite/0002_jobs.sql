-- The durable job queue: background work is rows, enqueued in the same
-- transaction as the change that causes it.
-- Keep in step with ../postgres/0002_jobs.sql (a test compares them).

CREATE TABLE jobs (
    id BLOB PRIMARY KEY,
    tenant_id BLOB,
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
