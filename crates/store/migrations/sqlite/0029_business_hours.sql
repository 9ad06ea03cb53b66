-- Business hours (docs/DESIGN.md, "Business hours"): the workspace's
-- schedule and, optionally, a number's own that overrides it; and which
-- welcome and away messages went to which conversation.
-- Keep in step with ../postgres/0029_business_hours.sql (a test compares
-- them).

CREATE TABLE business_hours (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    -- NULL: the workspace's schedule; else the number's own.
    channel_id BLOB,
    -- 1: enabled (0: the schedule is off: always open, no messages).
    enabled BIGINT NOT NULL,
    -- IANA name (Europe/Lisbon).
    time_zone TEXT NOT NULL,
    -- JSON: {"monday": [{"start": "09:00", "end": "17:00"}], …}; a day
    -- without ranges is closed.
    weekly TEXT NOT NULL,
    -- JSON: ["2025-12-25", …], closed all day in the schedule's zone.
    holidays TEXT NOT NULL,
    welcome_message TEXT,
    away_message TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX business_hours_workspace ON business_hours (tenant_id) WHERE channel_id IS NULL;
CREATE UNIQUE INDEX business_hours_number ON business_hours (tenant_id, channel_id) WHERE channel_id IS NOT NULL;

-- A welcome or away message a conversation was given: at most one of each
-- kind per period, so a replayed event never sends twice.
CREATE TABLE business_hours_replies (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    conversation_id BLOB NOT NULL,
    -- 'welcome' or 'away'.
    kind TEXT NOT NULL,
    -- away: the start of the closed period (ms since the epoch); welcome: 0.
    period_start BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, kind, period_start),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
