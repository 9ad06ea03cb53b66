-- Platform core: plans, tenants, operators, users, sessions, invites,
-- API keys, audit log, idempotency. Times are Unix milliseconds (BIGINT).
-- Keep in step with ../sqlite/0001_platform_core.sql (a test compares them).

CREATE TABLE plans (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    messages_per_month BIGINT,
    agents BIGINT,
    numbers BIGINT,
    contacts BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE tenants (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    status_reason TEXT,
    plan_code TEXT NOT NULL REFERENCES plans (code),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE operators (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE operator_sessions (
    id UUID PRIMARY KEY,
    operator_id UUID NOT NULL REFERENCES operators (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE users (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_enabled_at BIGINT,
    disabled_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);

CREATE TABLE recovery_codes (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    user_id UUID NOT NULL,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);

CREATE TABLE invites (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by UUID,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE sessions (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    user_id UUID NOT NULL,
    kind TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    ip TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

CREATE TABLE api_keys (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_by UUID,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE audit_log (
    id UUID PRIMARY KEY,
    tenant_id UUID REFERENCES tenants (id),
    actor_kind TEXT NOT NULL,
    actor_id UUID,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT,
    ip TEXT,
    details TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);

CREATE TABLE idempotency_keys (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    principal TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, principal, key)
);

-- Row-level security: a tenant-owned row is visible only inside a transaction
-- whose `app.tenant_id` names its tenant, or in the explicit `system` scope
-- (operator work and lookups that find the tenant, such as API key checks).
-- FORCE applies the policies to the table owner too; the application role
-- must be neither superuser nor BYPASSRLS.
CREATE FUNCTION sb_row_visible(row_tenant UUID) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
    SELECT current_setting('app.scope', true) = 'system'
        OR row_tenant = NULLIF(current_setting('app.tenant_id', true), '')::UUID
$$;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'recovery_codes', 'invites', 'sessions',
                             'api_keys', 'audit_log', 'idempotency_keys']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
