-- WhatsApp fidelity: edited and deleted messages (with their earlier
-- content), statuses that arrive out of order, business-scoped user ids
-- and identity changes on contacts.
-- Keep in step with ../sqlite/0008_whatsapp_fidelity.sql (a test compares them).

ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN deleted_at BIGINT;

-- 1: the status arrived after a later one (it is history, not the current
-- status).
ALTER TABLE message_statuses ADD COLUMN out_of_order BIGINT NOT NULL DEFAULT 0;

ALTER TABLE contacts ADD COLUMN username TEXT;
ALTER TABLE contacts ADD COLUMN identity_changed_at BIGINT;
CREATE UNIQUE INDEX contacts_user_id ON contacts (tenant_id, user_id);

-- What a message was before the customer edited or deleted it, keyed by
-- the wamid of the edit or revoke (a redelivery changes nothing).
CREATE TABLE message_revisions (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    message_id UUID NOT NULL,
    -- edited or deleted
    kind TEXT NOT NULL,
    wamid TEXT NOT NULL,
    previous_kind TEXT NOT NULL,
    previous_content TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, wamid)
);
CREATE INDEX message_revisions_message ON message_revisions (tenant_id, message_id);

ALTER TABLE message_revisions ENABLE ROW LEVEL SECURITY;
ALTER TABLE message_revisions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON message_revisions USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
