-- Outgoing email (docs/EMAIL.md): every email is a row first, written in
-- the transaction that has something to say, then sent by a job; without
-- SMTP configured it is kept for the operator to read. Password resets by
-- email for users and operators.
-- Keep in step with ../sqlite/0041_email.sql (a test compares them).

CREATE TABLE emails (
    id UUID PRIMARY KEY,
    -- The tenant it is about; NULL for the platform's own (operators').
    tenant_id UUID REFERENCES tenants (id),
    to_address TEXT NOT NULL,
    -- `invitation`, `password_reset`, `usage_warning`,
    -- `webhook_disabled`, `task_reminder`, …
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- Sealed by the server: it may carry a link with a secret in it.
    body TEXT NOT NULL,
    -- `queued`, `sent`, `failed` (given up) or `kept` (no SMTP).
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    updated_at BIGINT NOT NULL
);

-- The operator's list, newest first.
CREATE INDEX emails_created_at ON emails (created_at);

-- A user's request to set a new password; the token is kept as its hash.
CREATE TABLE password_resets (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The same for operators (a platform table: no tenant).
CREATE TABLE operator_password_resets (
    id UUID PRIMARY KEY,
    operator_id UUID NOT NULL REFERENCES operators (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);

ALTER TABLE emails ENABLE ROW LEVEL SECURITY;
ALTER TABLE emails FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON emails USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));

ALTER TABLE password_resets ENABLE ROW LEVEL SECURITY;
ALTER TABLE password_resets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON password_resets USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id));
