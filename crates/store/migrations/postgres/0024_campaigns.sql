-- Broadcasts: one template sent from one number to an audience, each
-- recipient at most once (docs/DESIGN.md, "Campaigns").
-- Keep in step with ../sqlite/0024_campaigns.sql (a test compares them).

CREATE TABLE campaigns (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    channel_id UUID NOT NULL,
    template_id UUID NOT NULL,
    -- The template's name and language, kept as they were chosen.
    template_name TEXT NOT NULL,
    template_language TEXT NOT NULL,
    -- How each of the template's parameters is filled (JSON array).
    variables TEXT NOT NULL,
    -- Who it goes to (JSON: a rule tree, or contact ids).
    audience TEXT NOT NULL,
    -- `draft`, `scheduled`, `running`, `paused`, `finished`, `cancelled`.
    status TEXT NOT NULL,
    -- Why it is paused or waiting (the quota ran out, the messaging limit).
    status_reason TEXT,
    start_at BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    -- Recipients taken from the audience when it started.
    recipient_count BIGINT NOT NULL,
    -- The dispatcher's turn: each round of sending carries the number it
    -- was queued with and runs only if it is still the campaign's, so a
    -- pause and resume never leaves two rounds sending.
    dispatch_round BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX campaigns_recent ON campaigns (tenant_id, created_at);

-- One row per contact a campaign goes to: the primary key is what makes
-- "at most once per recipient" hold whatever runs twice.
CREATE TABLE campaign_recipients (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    campaign_id UUID NOT NULL,
    contact_id UUID NOT NULL,
    -- `pending`, `queued` (its message is `message_id`), `skipped`,
    -- `failed` (before a message existed) or `cancelled`.
    status TEXT NOT NULL,
    message_id UUID,
    -- Why it was skipped or failed: `code: text`.
    reason TEXT,
    -- Messages queued for it (more than 1 after a retry of a failure).
    attempts BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, campaign_id, contact_id),
    FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_recipients_status ON campaign_recipients (tenant_id, campaign_id, status);
CREATE INDEX campaign_recipients_message ON campaign_recipients (tenant_id, message_id);

-- A number's messaging-limit tier (unique customers it may start
-- conversations with per 24 hours): `TIER_250`, `TIER_2K`, `TIER_10K`,
-- `TIER_100K`, `TIER_UNLIMITED`; NULL: not known (treated as TIER_250).
ALTER TABLE channels ADD COLUMN messaging_tier TEXT;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_recipients']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
