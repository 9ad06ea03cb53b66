-- Workflows' schedules, inbound URLs and signing secrets, and runs that
-- wait for the contact's reply (docs/DESIGN.md, "Automations: workflows
-- and auto-tag rules").
-- Keep in step with ../postgres/0031_workflow_waits_and_triggers.sql (a test
-- compares them).

-- When a workflow with a schedule trigger fires next (NULL for any other,
-- and while disabled); the job that fires it checks it is still so.
ALTER TABLE workflows ADD COLUMN next_fire_at BIGINT;
-- The secret in the workflow's inbound URL: its SHA-256 (to find the
-- workflow from a request) and sealed (to show the URL again).
ALTER TABLE workflows ADD COLUMN inbound_token_hash TEXT;
ALTER TABLE workflows ADD COLUMN inbound_token_sealed TEXT;
-- The secret that signs the workflow's HTTP calls, sealed.
ALTER TABLE workflows ADD COLUMN secret_sealed TEXT;
CREATE UNIQUE INDEX workflows_inbound_token ON workflows (inbound_token_hash)
    WHERE inbound_token_hash IS NOT NULL;

-- 1 while a waiting run waits for its contact's reply (wake_at is then
-- its timeout).
ALTER TABLE workflow_runs ADD COLUMN awaiting_reply BIGINT NOT NULL DEFAULT 0;
CREATE INDEX workflow_runs_awaiting_reply ON workflow_runs (tenant_id, contact_id)
    WHERE awaiting_reply = 1;

-- What a plan allows of workflow runs a month (NULL: unlimited).
ALTER TABLE plans ADD COLUMN workflow_runs_per_month BIGINT;
