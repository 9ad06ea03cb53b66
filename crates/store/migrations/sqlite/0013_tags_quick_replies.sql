-- CRM: tags (labels with a colour) on contacts and conversations, and
-- quick replies (canned responses). docs/DESIGN.md, "CRM: tags and quick
-- replies".
-- Keep in step with ../postgres/0013_tags_quick_replies.sql (a test compares them).

CREATE TABLE tags (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    -- `#rrggbb`, lower case.
    colour TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Names are unique per tenant whatever their case (the rule also compares
-- them folded, so non-ASCII letters match on both engines).
CREATE UNIQUE INDEX tags_name ON tags (tenant_id, LOWER(name));

-- A tag on a contact; gone with the contact or the tag.
CREATE TABLE contact_tags (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    contact_id BLOB NOT NULL,
    tag_id BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, tag_id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_tags_tag ON contact_tags (tenant_id, tag_id, contact_id);

-- A tag on a conversation; gone with the conversation or the tag.
CREATE TABLE conversation_tags (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    conversation_id BLOB NOT NULL,
    tag_id BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id, tag_id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, tag_id) REFERENCES tags (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tenant_id, tag_id, conversation_id);

CREATE TABLE quick_replies (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    -- What an agent types after `/`: lower-case letters, digits, `-`, `_`.
    shortcut TEXT NOT NULL,
    title TEXT NOT NULL,
    -- With `{{contact.name}}`-style placeholders, filled when inserted.
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, shortcut)
);
