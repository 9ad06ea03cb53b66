-- The Cloud-API-compatible endpoint (`/graph/…`): the Meta objects a
-- tenant made through it (uploaded media, created templates), so an API
-- key reaches only its own tenant's objects at Meta.
-- Keep in step with ../sqlite/0036_graph.sql (a test compares them).

CREATE TABLE graph_objects (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    -- Meta's id of the object.
    object_id TEXT NOT NULL,
    -- `media` or `template`.
    kind TEXT NOT NULL,
    -- The number whose credentials made it (and reach it).
    channel_id UUID NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, object_id)
);

ALTER TABLE graph_objects ENABLE ROW LEVEL SECURITY;
ALTER TABLE graph_objects FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON graph_objects USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

-- A client names inbound media by Meta's id.
CREATE INDEX media_wa_media_id ON media (tenant_id, wa_media_id);
