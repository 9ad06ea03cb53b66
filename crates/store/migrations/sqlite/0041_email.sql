-- Outgoing email (docs/EMAIL.md): every email is a row first, written in
-- the transaction that has something to say, then sent by a job; without
-- SMTP configured it is kept for the operator to read. Password resets by
-- email for users and operators.
-- Keep in step with ../postgres/0041_email.sql (a test compares them).

CREATE TABLE emails (
    id BLOB PRIMARY KEY,
    -- The tenant it is about; NULL for the platform's own (operators').
    tenant_id BLOB REFERENCES tenants (id),
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
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    user_id BLOB NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- The same for operators (a platform table: no tenant).
CREATE TABLE operator_password_resets (
    id BLOB PRIMARY KEY,
    operator_id BLOB NOT NULL REFERENCES operators (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
