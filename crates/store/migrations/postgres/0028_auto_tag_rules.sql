-- Auto-tag rules (docs/DESIGN.md, "Automations: workflows and auto-tag rules"): in
-- order, each tags the contact whose message or fields match it.
-- Keep in step with ../sqlite/0028_auto_tag_rules.sql (a test compares
-- them).

CREATE TABLE auto_tag_rules (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    -- Rules apply in ascending position (then id).
    position BIGINT NOT NULL,
    -- 1: enabled.
    enabled BIGINT NOT NULL,
    -- What it matches (JSON): {"on": "message", "keywords": […], "pattern":
    -- …} or {"on": "contact", "conditions": […]}.
    matcher TEXT NOT NULL,
    tag_id UUID NOT NULL,
    -- 1: a match stops the rules after it.
    stop BIGINT NOT NULL,
    -- How often it tagged someone, and when last.
    matches BIGINT NOT NULL,
    last_matched_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX auto_tag_rules_name ON auto_tag_rules (tenant_id, LOWER(name));
CREATE INDEX auto_tag_rules_order ON auto_tag_rules (tenant_id, position, id);

ALTER TABLE auto_tag_rules ENABLE ROW LEVEL SECURITY;
ALTER TABLE auto_tag_rules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON auto_tag_rules USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
