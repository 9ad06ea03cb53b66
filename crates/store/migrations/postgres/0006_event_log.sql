-- The event log in commit order: every tenant's events carry a sequence
-- number (1, 2, 3, … without gaps) taken from `event_counters` when the
-- recording transaction commits, so a consumer that has read up to N has
-- seen every event numbered below N. Consumers keep their place in
-- `event_cursors`, written in the same transaction as their own work.
-- Keep in step with ../sqlite/0006_event_log.sql (a test compares them).

-- The migration runs as the tables' owner, whom FORCE ROW LEVEL SECURITY
-- also binds: see every tenant's rows while copying.
SELECT set_config('app.scope', 'system', true);

-- Rebuilt to add `seq` and `version` and to rename `kind` to `name` (the
-- dotted event name). Existing events are numbered per tenant in id
-- (creation) order and are version 1.
CREATE TABLE events_new (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    id UUID NOT NULL,
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    subject_id UUID,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT events_seq PRIMARY KEY (tenant_id, seq),
    CONSTRAINT events_id UNIQUE (tenant_id, id)
);
INSERT INTO events_new (tenant_id, seq, id, name, version, subject_id, payload, created_at)
SELECT tenant_id, ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY id), id, kind, 1,
       subject_id, payload, created_at
FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;

-- Each tenant's last sequence number handed out. Taking the next numbers
-- locks the tenant's row until commit, which puts a tenant's
-- event-recording commits in sequence order.
CREATE TABLE event_counters (
    tenant_id UUID PRIMARY KEY REFERENCES tenants (id),
    last_seq BIGINT NOT NULL
);
INSERT INTO event_counters (tenant_id, last_seq)
SELECT tenant_id, MAX(seq) FROM events GROUP BY tenant_id;

-- Where each consumer (the live stream, outbound webhooks, automations…)
-- is in each tenant's log: the last sequence number it has processed.
CREATE TABLE event_cursors (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    consumer TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    -- 0 until the cursor first moves.
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, consumer)
);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['events', 'event_counters', 'event_cursors']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
