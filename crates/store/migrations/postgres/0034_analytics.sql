-- Analytics (docs/DESIGN.md, "Analytics"): counts rolled up by the
-- `analytics` consumer of the event log, so a page never scans the
-- messages table, and the facts response times are computed from.
-- Keep in step with ../sqlite/0034_analytics.sql (a test compares them).

-- Who queued an outbound message: `user:<id>`, `api_key:<id>`,
-- `operator:<id>`, `campaign:<id>`, `bot`, `automation`, `drip`,
-- `business_hours`, `scheduled`, `app` (the WhatsApp Business app);
-- NULL for messages stored before this column existed.
ALTER TABLE messages ADD COLUMN sent_by TEXT;

-- One count per metric, subject, detail and local hour: `day` and `hour`
-- are in the workspace's time zone as it was when counted (`zone` of
-- analytics_state), so a day or an hour of the week is a sum of rows.
CREATE TABLE analytics_counts (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- YYYY-MM-DD, local.
    day TEXT NOT NULL,
    -- 0..23, local.
    hour BIGINT NOT NULL,
    -- `messages.in`, `messages.out`, `template.read`, `booking.no_show`, …
    metric TEXT NOT NULL,
    -- What it counts for (a number, a template, a campaign, a workflow, a
    -- service); '' when nothing.
    subject TEXT NOT NULL,
    -- A second breakdown (the message kind, the template's name); ''.
    detail TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, metric, subject, detail, hour)
);
-- What the reports read: one metric (or a prefix) over a span of days,
-- every column in the index, so a span is one range of it.
CREATE INDEX analytics_counts_metric ON analytics_counts (tenant_id, metric, day, subject, detail, hour, value);

-- A conversation from the moment it opens (or reopens) until it is
-- resolved: what first response and resolution times are measured on.
CREATE TABLE analytics_conversations (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    conversation_id UUID NOT NULL,
    opened_at BIGINT NOT NULL,
    channel_id UUID NOT NULL,
    team_id UUID,
    assigned_user_id UUID,
    -- The customer's first message since it opened.
    customer_at BIGINT,
    -- The first answer from a person after it (not the bot, an automation
    -- or a campaign), and who gave it (NULL: an API key or the app).
    responded_at BIGINT,
    responder_user_id UUID,
    resolved_at BIGINT,
    PRIMARY KEY (tenant_id, conversation_id, opened_at)
);
CREATE INDEX analytics_conversations_opened ON analytics_conversations (tenant_id, opened_at);

-- How far an outbound message has been counted (template and campaign
-- results): its status rank, whether its failure and a reply to it were.
CREATE TABLE analytics_message_marks (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    message_id UUID NOT NULL,
    status_rank BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    replied BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, message_id)
);

-- What a booking adds to the counts now (its service, local start and
-- status), so a reschedule or a status change moves it.
CREATE TABLE analytics_booking_marks (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    booking_id UUID NOT NULL,
    service_id UUID NOT NULL,
    day TEXT NOT NULL,
    hour BIGINT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (tenant_id, booking_id)
);

-- A workspace's targets, and the zone its counts are in.
CREATE TABLE analytics_settings (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- Service-level targets, in minutes.
    first_response_minutes BIGINT NOT NULL,
    resolution_minutes BIGINT NOT NULL,
    -- The IANA zone `analytics_counts` were counted in.
    zone TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);

ALTER TABLE analytics_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_counts USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

ALTER TABLE analytics_conversations ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_conversations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_conversations USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

ALTER TABLE analytics_message_marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_message_marks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_message_marks USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

ALTER TABLE analytics_booking_marks ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_booking_marks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_booking_marks USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

ALTER TABLE analytics_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE analytics_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON analytics_settings USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
