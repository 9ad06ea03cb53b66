-- Segments (saved rule-based contact filters) and saved inbox searches
-- (docs/DESIGN.md, "CRM: segments, saved searches and CSV export").
-- Keep in step with ../sqlite/0018_segments.sql (a test compares them).

CREATE TABLE segments (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    -- The rule tree's root group as JSON, `{"any": false, "rules": [...]}`
    -- (crates/store/src/crm/rules.rs reads and compiles it).
    rules TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Names are unique per tenant whatever their (ASCII) case.
CREATE UNIQUE INDEX segments_name ON segments (tenant_id, LOWER(name));

-- An inbox filter kept under a name: personal (one user sees it) or
-- shared with the team (`owner_user_id` NULL). A user's go with them.
CREATE TABLE saved_searches (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    -- JSON object of the inbox list's query parameters (`status`, `q`, …).
    filter TEXT NOT NULL,
    owner_user_id UUID,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX saved_searches_owner ON saved_searches (tenant_id, owner_user_id, id);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['segments', 'saved_searches']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
