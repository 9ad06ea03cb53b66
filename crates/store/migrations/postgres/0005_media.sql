-- Media of inbound messages, fetched from Meta in the background into the
-- media store (a local directory by default) and served to the tenant.
-- Keep in step with the other engine's 0005_media.sql (a test compares them).
CREATE TABLE media (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    message_id UUID NOT NULL,
    channel_id UUID NOT NULL,
    -- Meta's media id (valid at Meta for 30 days).
    wa_media_id TEXT NOT NULL,
    mime_type TEXT,
    -- pending, stored or failed.
    status TEXT NOT NULL,
    size_bytes BIGINT,
    sha256 TEXT,
    -- Where the bytes are, relative to the media store's root.
    path TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, message_id)
);

ALTER TABLE media ENABLE ROW LEVEL SECURITY;
ALTER TABLE media FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON media USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
