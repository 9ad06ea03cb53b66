-- Message templates: each WhatsApp Business Account's library as
-- Switchboard keeps it, in step with Meta (docs/DESIGN.md, "Templates").
-- Keep in step with ../sqlite/0023_templates.sql (a test compares them).

CREATE TABLE message_templates (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    waba_id TEXT NOT NULL,
    -- Meta's template id (a numeric string); NULL until Meta has it.
    meta_id TEXT,
    name TEXT NOT NULL,
    -- e.g. `en_US`.
    language TEXT NOT NULL,
    -- `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    category TEXT NOT NULL,
    -- Meta's status: `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`,
    -- `DISABLED`, … (upper case, as Meta writes it).
    status TEXT NOT NULL,
    -- `POSITIONAL` or `NAMED`.
    parameter_format TEXT,
    -- The components as Meta's management API has them (JSON array).
    components TEXT NOT NULL,
    -- `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    quality TEXT,
    rejected_reason TEXT,
    synced_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, waba_id, name, language)
);
CREATE INDEX message_templates_meta ON message_templates (tenant_id, meta_id);

ALTER TABLE message_templates ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_templates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON message_templates USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
