-- WhatsApp channels, raw webhook deliveries, and the inbox: contacts,
-- conversations, messages, status history, events.
-- Keep in step with ../sqlite/0003_channels_inbox.sql (a test compares them).

CREATE TABLE channels (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    phone_number_id TEXT NOT NULL UNIQUE,
    waba_id TEXT NOT NULL,
    display_phone_number TEXT NOT NULL,
    verified_name TEXT,
    access_token TEXT NOT NULL,
    app_kind TEXT NOT NULL,
    app_secret TEXT,
    -- Own-app numbers: SHA-256 of the webhook URL's path token (the lookup
    -- key), the token itself sealed (to show the URL again), and the sealed
    -- verify token.
    webhook_token_hash TEXT UNIQUE,
    webhook_token TEXT,
    verify_token TEXT,
    status TEXT NOT NULL,
    status_reason TEXT,
    rate_limit BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX channels_waba ON channels (waba_id);

-- Raw webhook bodies, stored before Meta gets its 200. A platform table:
-- one delivery can carry several tenants' events; routing happens later.
CREATE TABLE webhook_deliveries (
    id UUID PRIMARY KEY,
    source_tenant UUID,
    body BYTEA NOT NULL,
    status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    processed_at BIGINT
);

-- Events no tenant may have: unknown numbers, or numbers a tenant's own
-- webhook URL does not own. Shown to the operator, given to nobody.
CREATE TABLE unroutable_events (
    id UUID PRIMARY KEY,
    delivery_id UUID NOT NULL,
    phone_number_id TEXT,
    waba_id TEXT,
    reason TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- A suspended tenant's inbound events, applied on reactivation.
CREATE TABLE held_events (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    channel_id UUID NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE contacts (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    wa_id TEXT,
    user_id TEXT,
    profile_name TEXT,
    phone TEXT,
    opted_out_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, wa_id)
);

CREATE TABLE conversations (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    contact_id UUID NOT NULL,
    channel_id UUID NOT NULL,
    status TEXT NOT NULL,
    unread_count BIGINT NOT NULL,
    assigned_user_id UUID,
    last_message_at BIGINT,
    last_inbound_at BIGINT,
    window_closes_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, contact_id, channel_id)
);
CREATE INDEX conversations_recent ON conversations (tenant_id, last_message_at);

CREATE TABLE messages (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    conversation_id UUID NOT NULL,
    channel_id UUID NOT NULL,
    direction TEXT NOT NULL,
    wamid TEXT,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    reply_to_wamid TEXT,
    status TEXT NOT NULL,
    status_rank BIGINT NOT NULL,
    error_code BIGINT,
    error_title TEXT,
    error_detail TEXT,
    provider_time BIGINT,
    send_attempted_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, wamid)
);
CREATE INDEX messages_thread ON messages (tenant_id, conversation_id, id);
CREATE INDEX messages_outbound ON messages (tenant_id, direction, created_at);

CREATE TABLE message_statuses (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    message_id UUID NOT NULL,
    status TEXT NOT NULL,
    occurred_at BIGINT NOT NULL,
    error_code BIGINT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, message_id, status)
);

-- Everything that happened, in order, for the live stream, automations and
-- outbound webhooks.
CREATE TABLE events (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    kind TEXT NOT NULL,
    subject_id UUID,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['channels', 'held_events', 'contacts', 'conversations',
                             'messages', 'message_statuses', 'events']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
