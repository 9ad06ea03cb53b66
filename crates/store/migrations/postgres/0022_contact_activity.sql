-- When each contact last wrote to the business and was last written to,
-- over all their conversations, kept on the contact with every message
-- (crates/store/src/inbox/conversations.rs, messages.rs): segment rules on
-- them read the contact's row instead of gathering every conversation or
-- message (docs/DESIGN.md, "CRM: segments").
-- Keep in step with ../sqlite/0022_contact_activity.sql (a test compares them).

-- The backfill reads and writes every tenant's rows.
SELECT set_config('app.scope', 'system', true);

ALTER TABLE contacts ADD COLUMN last_inbound_at BIGINT;
ALTER TABLE contacts ADD COLUMN last_outbound_at BIGINT;
UPDATE contacts SET
    last_inbound_at = (SELECT MAX(cv.last_inbound_at) FROM conversations cv
                       WHERE cv.tenant_id = contacts.tenant_id AND cv.contact_id = contacts.id),
    last_outbound_at = (SELECT MAX(m.created_at) FROM messages m
                        JOIN conversations cv ON cv.tenant_id = m.tenant_id AND cv.id = m.conversation_id
                        WHERE m.tenant_id = contacts.tenant_id AND cv.contact_id = contacts.id
                          AND m.direction = 'out');
-- Only segments read conversations by when the customer last wrote.
DROP INDEX conversations_last_inbound;
