-- Scheduled messages: a text or a template to one contact, from one of
-- the tenant's numbers, at a chosen time (crates/server/src/scheduled);
-- and the tenant's time zone, in which wall times are read and shown.
-- Keep in step with ../sqlite/0025_scheduled_messages.sql (a test
-- compares them).

-- An IANA zone name (`Europe/Lisbon`); `UTC` until the tenant picks one.
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

CREATE TABLE scheduled_messages (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    contact_id UUID NOT NULL,
    -- The number it goes from (a plain id: a number disconnected before
    -- the time makes it fail with `channel_removed`).
    channel_id UUID NOT NULL,
    -- What to send (JSON): {"type": "text", "text": …} or
    -- {"type": "template", "name": …, "language": …, "parameters": […],
    -- "named_parameters": {…}}.
    content TEXT NOT NULL,
    send_at BIGINT NOT NULL,
    -- `scheduled`, `sent`, `failed` or `cancelled`.
    status TEXT NOT NULL,
    -- Once sent: the message it queued (a plain id).
    message_id UUID,
    -- Once failed: a stable code (`contact_opted_out`…) and the reason.
    failure_code TEXT,
    failure_reason TEXT,
    created_by_user_id UUID,
    created_by_api_key_id UUID,
    -- When it was sent, failed or cancelled.
    finished_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX scheduled_messages_contact ON scheduled_messages (tenant_id, contact_id, id);
CREATE INDEX scheduled_messages_status ON scheduled_messages (tenant_id, status, id);

ALTER TABLE scheduled_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE scheduled_messages FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON scheduled_messages USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
