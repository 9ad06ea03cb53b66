-- Automations' drip sequences (docs/DESIGN.md, "Drip sequences"): each
-- drip's definition (steps, exit rules, quiet hours), its subscribers (one
-- contact's enrolment, at most one active per drip and contact) and what
-- each of a subscriber's steps did.
-- Keep in step with ../sqlite/0030_drips.sql (a test compares them).

CREATE TABLE drips (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    -- 1: enabled (contacts may be enrolled); 0: disabled (subscribers
    -- under way go on).
    enabled BIGINT NOT NULL,
    -- JSON: steps, exit rules, quiet hours. Subscribers follow it by step
    -- index, so an edit applies to them from their next step.
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX drips_name ON drips (tenant_id, LOWER(name));

CREATE TABLE drip_subscribers (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    drip_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    -- `active`, `completed` or `exited` (`exit_reason` says why).
    status TEXT NOT NULL,
    -- `replied`, `tagged`, `opted_out`, `goal`, `stopped` or `failed`.
    exit_reason TEXT,
    -- The refusing rule's `code: reason` of a failed step.
    exit_detail TEXT,
    -- The next step to send (0: the first).
    step BIGINT NOT NULL,
    -- While active: when that step is due (quiet hours applied).
    next_at BIGINT,
    -- `manual`, `api`, `segment`, `csv` or `workflow`.
    via TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, drip_id) REFERENCES drips (tenant_id, id) ON DELETE CASCADE
);
-- A contact is in a drip at most once at a time.
CREATE UNIQUE INDEX drip_subscribers_active ON drip_subscribers (tenant_id, drip_id, contact_id) WHERE status = 'active';
CREATE INDEX drip_subscribers_drip ON drip_subscribers (tenant_id, drip_id, id);
CREATE INDEX drip_subscribers_contact ON drip_subscribers (tenant_id, contact_id, status);

-- What each step of a subscriber did: the subscriber's history.
CREATE TABLE drip_sends (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    subscriber_id UUID NOT NULL,
    -- The step's index (0: the first): each is done at most once.
    step BIGINT NOT NULL,
    drip_id UUID NOT NULL,
    -- `sent`, `skipped` or `failed`.
    outcome TEXT NOT NULL,
    -- What went: `text` (the window was open), `template`; empty if
    -- nothing did.
    kind TEXT NOT NULL,
    message_id UUID,
    -- Why it was skipped or failed.
    detail TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, subscriber_id, step),
    FOREIGN KEY (tenant_id, subscriber_id) REFERENCES drip_subscribers (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX drip_sends_created ON drip_sends (tenant_id, created_at);

ALTER TABLE drips ENABLE ROW LEVEL SECURITY;
ALTER TABLE drips FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drips USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
ALTER TABLE drip_subscribers ENABLE ROW LEVEL SECURITY;
ALTER TABLE drip_subscribers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drip_subscribers USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
ALTER TABLE drip_sends ENABLE ROW LEVEL SECURITY;
ALTER TABLE drip_sends FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON drip_sends USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
