-- Contacts a team works with (docs/DESIGN.md, "CRM: contacts"): the
-- team's own name for a contact, an email, a language and custom attribute
-- values; the tenant's attribute definitions; and the event log indexed by
-- the contact or conversation each event names, for contact timelines.
-- Keep in step with ../sqlite/0016_contact_fields.sql (a test compares them).

-- The migration runs as the tables' owner, whom FORCE ROW LEVEL SECURITY
-- also binds: see every tenant's events while filling the new columns.
SELECT set_config('app.scope', 'system', true);

-- The team's name for the contact (shown instead of the WhatsApp profile
-- name), email, language tag (`en`, `pt_BR`).
ALTER TABLE contacts ADD COLUMN name TEXT;
ALTER TABLE contacts ADD COLUMN email TEXT;
ALTER TABLE contacts ADD COLUMN language TEXT;
-- JSON object of custom attribute values, keyed by attribute key.
ALTER TABLE contacts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- Duplicate suggestions: same email or name, case-insensitively.
CREATE INDEX contacts_email ON contacts (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_display_name ON contacts (tenant_id, lower(coalesce(name, profile_name)));

-- The tenant's custom contact attributes.
CREATE TABLE contact_attributes (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    -- text, number, date, boolean or choice
    kind TEXT NOT NULL,
    -- JSON array of the allowed values (choice; [] for the other kinds)
    options TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, key)
);

ALTER TABLE contact_attributes ENABLE ROW LEVEL SECURITY;
ALTER TABLE contact_attributes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contact_attributes USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

-- The contact and the conversation an event's payload names
-- (`contact_id`, `conversation_id`), filled when it is recorded: a
-- contact's timeline is found through these.
ALTER TABLE events ADD COLUMN contact_id UUID;
ALTER TABLE events ADD COLUMN conversation_id UUID;
UPDATE events SET
    contact_id = CASE WHEN payload::jsonb ->> 'contact_id' ~ '^[0-9a-fA-F-]{36}$'
                      THEN (payload::jsonb ->> 'contact_id')::uuid END,
    conversation_id = CASE WHEN payload::jsonb ->> 'conversation_id' ~ '^[0-9a-fA-F-]{36}$'
                           THEN (payload::jsonb ->> 'conversation_id')::uuid END
WHERE payload LIKE '%contact_id%' OR payload LIKE '%conversation_id%';
CREATE INDEX events_contact ON events (tenant_id, contact_id, seq) WHERE contact_id IS NOT NULL;
CREATE INDEX events_conversation ON events (tenant_id, conversation_id, seq)
    WHERE conversation_id IS NOT NULL;
