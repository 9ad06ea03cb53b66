-- Automations' workflows (docs/DESIGN.md, "Automations: workflows and auto-tag rules"):
-- each workflow's versions (a run keeps the version it started on), its
-- durable runs and their steps, and which events a run's steps caused
-- (the loop guard reads them).
-- Keep in step with ../postgres/0027_workflows.sql (a test compares them).

CREATE TABLE workflows (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    -- 1: enabled (new triggers start runs); 0: disabled.
    enabled BIGINT NOT NULL,
    -- The current version (workflow_versions.version).
    version BIGINT NOT NULL,
    -- The current version's trigger type (`message_received`…), for lists.
    trigger_type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX workflows_name ON workflows (tenant_id, LOWER(name));

-- Every version of every workflow, never changed; kept when a workflow is
-- deleted (its runs name them).
CREATE TABLE workflow_versions (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    workflow_id BLOB NOT NULL,
    version BIGINT NOT NULL,
    -- The definition (JSON: trigger, conditions, steps).
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, workflow_id, version)
);

CREATE TABLE workflow_runs (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    workflow_id BLOB NOT NULL,
    version BIGINT NOT NULL,
    -- The workflow's name when the run started (it may be renamed or
    -- deleted since).
    workflow_name TEXT NOT NULL,
    -- `running`, `waiting`, `completed`, `failed`, `cancelled` or
    -- `skipped` (a guard stopped it before its first step; `error` says
    -- which).
    status TEXT NOT NULL,
    -- The next step to run, in the version's compiled program.
    pc BIGINT NOT NULL,
    -- The event that started it: one run per workflow and event.
    trigger_event_id BLOB NOT NULL,
    trigger_event TEXT NOT NULL,
    contact_id BLOB,
    conversation_id BLOB,
    message_id BLOB,
    -- 0 for a run started by a person's or a customer's change; one more
    -- than its cause's for a run started by another run's step.
    depth BIGINT NOT NULL,
    -- While waiting: when it goes on.
    wake_at BIGINT,
    error TEXT,
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX workflow_runs_trigger ON workflow_runs (tenant_id, workflow_id, trigger_event_id);
CREATE INDEX workflow_runs_workflow ON workflow_runs (tenant_id, workflow_id, id);
CREATE INDEX workflow_runs_contact ON workflow_runs (tenant_id, workflow_id, contact_id, started_at);
CREATE INDEX workflow_runs_status ON workflow_runs (tenant_id, status, id);
CREATE INDEX workflow_runs_started ON workflow_runs (tenant_id, started_at);

-- What each step of a run did: the execution log's detail.
CREATE TABLE workflow_run_steps (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    run_id BLOB NOT NULL,
    -- 1, 2, 3… in the order they ran.
    n BIGINT NOT NULL,
    -- Where it is in the definition (`2`, `3.then.1`).
    path TEXT NOT NULL,
    -- The step's type (`send_text`, `wait`, `branch`…).
    kind TEXT NOT NULL,
    -- `done` or `failed`.
    status TEXT NOT NULL,
    -- JSON: what the step was given and what came of it.
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    error TEXT,
    started_at BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, run_id, n),
    FOREIGN KEY (tenant_id, run_id) REFERENCES workflow_runs (tenant_id, id) ON DELETE CASCADE
);

-- The events a run's step recorded, with the run's depth: a run they
-- trigger is one deeper, and a workflow never triggers itself.
CREATE TABLE workflow_event_causes (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    event_id BLOB NOT NULL,
    run_id BLOB NOT NULL,
    workflow_id BLOB NOT NULL,
    depth BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
-- Housekeeping removes them once their events are gone.
CREATE INDEX workflow_event_causes_age ON workflow_event_causes (created_at);
