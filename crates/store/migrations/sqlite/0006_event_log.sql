-- The event log in commit order: every tenant's events carry a sequence
-- number (1, 2, 3, … without gaps) taken from `event_counters` when the
-- recording transaction commits, so a consumer that has read up to N has
-- seen every event numbered below N. Consumers keep their place in
-- `event_cursors`, written in the same transaction as their own work.
-- Keep in step with ../postgres/0006_event_log.sql (a test compares them).

-- Rebuilt to add `seq` and `version` and to rename `kind` to `name` (the
-- dotted event name). Existing events are numbered per tenant in id
-- (creation) order and are version 1.
CREATE TABLE events_new (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    seq BIGINT NOT NULL,
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    version BIGINT NOT NULL,
    subject_id BLOB,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, seq),
    UNIQUE (tenant_id, id)
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
    tenant_id BLOB PRIMARY KEY REFERENCES tenants (id),
    last_seq BIGINT NOT NULL
);
INSERT INTO event_counters (tenant_id, last_seq)
SELECT tenant_id, MAX(seq) FROM events GROUP BY tenant_id;
-- SQLite has one writer at a time, so an insert numbers its events from
-- the counter in the same statement and this trigger moves the counter
-- (one statement instead of two; see crates/store/src/events.rs). The
-- counter never goes back, so numbers are never reused, even if old
-- events are deleted.
CREATE TRIGGER events_counted AFTER INSERT ON events
BEGIN
    INSERT INTO event_counters (tenant_id, last_seq) VALUES (NEW.tenant_id, NEW.seq)
    ON CONFLICT (tenant_id) DO UPDATE SET last_seq = MAX(last_seq, excluded.last_seq);
END;

-- Where each consumer (the live stream, outbound webhooks, automations…)
-- is in each tenant's log: the last sequence number it has processed.
CREATE TABLE event_cursors (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    consumer TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    -- 0 until the cursor first moves.
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, consumer)
);
