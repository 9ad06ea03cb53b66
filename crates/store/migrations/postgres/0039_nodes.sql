-- The deployment's nodes: each `switchboard serve` and `switchboard
-- worker` process reports here when it starts and every few seconds
-- after, and removes its row when it stops, so the operator sees which
-- nodes run (a node killed outright stops reporting and is shown as
-- such). A platform table: no tenant, like `operators`. Nothing secret
-- is kept: the media store is named by its kind and bucket only.
-- Keep in step with ../sqlite/0039_nodes.sql (a test compares them).

CREATE TABLE nodes (
    -- A UUIDv7 made when the process starts: a restart is a new node.
    id TEXT PRIMARY KEY,
    -- `serve` or `worker`.
    kind TEXT NOT NULL,
    -- 1: runs background jobs (a worker, or serve not HTTP only); 0: not.
    runs_jobs BIGINT NOT NULL,
    hostname TEXT NOT NULL,
    -- The binary's version.
    version TEXT NOT NULL,
    -- `local`, or `s3:<bucket>` (with `/<prefix>` when one is set).
    media_store TEXT NOT NULL,
    -- When the process started (Unix milliseconds).
    started_at BIGINT NOT NULL,
    -- When it last reported (Unix milliseconds).
    last_seen_at BIGINT NOT NULL
);

-- The operator lists the nodes seen lately; housekeeping removes those
-- not seen for a day, oldest first.
CREATE INDEX nodes_last_seen_at ON nodes (last_seen_at);
