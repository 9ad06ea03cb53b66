-- CRM: private notes, in-app notifications and tasks (docs/DESIGN.md,
-- "CRM: notes, mentions, notifications and tasks").
-- Keep in step with ../postgres/0014_notes_tasks.sql (a test compares them).

-- Private notes: never sent to the customer, so never in `messages`. Gone
-- with their conversation or contact.
CREATE TABLE notes (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    -- Exactly one of the two: a note is on a conversation or on a contact.
    conversation_id BLOB,
    contact_id BLOB,
    body TEXT NOT NULL,
    -- Who wrote it: a user or an API key (exactly one of the two).
    author_user_id BLOB,
    author_api_key_id BLOB,
    -- JSON array of the ids of the users its body mentions.
    mentions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notes_conversation ON notes (tenant_id, conversation_id, id);
CREATE INDEX notes_contact ON notes (tenant_id, contact_id, id);

-- To-dos. Gone with the contact or conversation they are linked to.
CREATE TABLE tasks (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    due_at BIGINT,
    assignee_user_id BLOB,
    -- At most one of the three. `deal_id` is a plain id (no foreign key).
    contact_id BLOB,
    deal_id BLOB,
    conversation_id BLOB,
    -- `open` or `done`.
    status TEXT NOT NULL,
    completed_at BIGINT,
    -- When it was reminded of as due (set once, by the reminder poller's
    -- claim; cleared when its due time changes).
    reminded_at BIGINT,
    created_by_user_id BLOB,
    created_by_api_key_id BLOB,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX tasks_assignee ON tasks (tenant_id, assignee_user_id, id);
CREATE INDEX tasks_contact ON tasks (tenant_id, contact_id);
CREATE INDEX tasks_deal ON tasks (tenant_id, deal_id);
CREATE INDEX tasks_conversation ON tasks (tenant_id, conversation_id);
-- The reminder poller: open tasks not reminded of yet, by due time, across
-- tenants.
CREATE INDEX tasks_due ON tasks (due_at) WHERE reminded_at IS NULL AND status = 'open';

-- One user's in-app notifications; gone with the note or task they are
-- about.
CREATE TABLE notifications (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    -- `mention`, `task_due` or `task_assigned`.
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    -- A path in the dashboard (`/app/inbox/…#note-…`).
    link TEXT NOT NULL,
    -- What it is about: one of the two.
    note_id BLOB,
    task_id BLOB,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, note_id) REFERENCES notes (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notifications_user ON notifications (tenant_id, user_id, id);
-- The unread count in every page's header.
CREATE INDEX notifications_unread ON notifications (tenant_id, user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_note ON notifications (tenant_id, note_id);
CREATE INDEX notifications_task ON notifications (tenant_id, task_id);
