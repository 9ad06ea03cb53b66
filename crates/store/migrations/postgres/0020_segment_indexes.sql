-- Indexes for segment counts (docs/DESIGN.md, "CRM: segments"): the
-- contacts who wrote since a time come from an index range, without
-- reading conversations, and consent is checked from an index, without
-- reading each contact's row.
CREATE INDEX conversations_last_inbound ON conversations (tenant_id, last_inbound_at, contact_id);
CREATE INDEX contacts_consent ON contacts (tenant_id, opted_out_at, id);
