-- The Genesys Cloud bridge (docs/DESIGN.md, "The Genesys bridge"): a
-- workspace's credentials, each number's Open Messaging integration,
-- conversations' time with Genesys, what is said to Genesys (in order, at
-- most once each) and what its agents sent back.
-- Keep in step with ../postgres/0035_genesys.sql (a test compares them).

-- One Genesys Cloud organisation per workspace.
CREATE TABLE genesys_accounts (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- So master-key rotation finds it like every sealed row.
    id BLOB NOT NULL,
    -- The region's host suffix (`mypurecloud.ie`).
    region TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- Sealed by the server.
    client_secret TEXT NOT NULL,
    -- When a token was last obtained with these credentials.
    verified_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);

-- A number's Open Messaging integration. `id` is in the webhook URL
-- Genesys posts its agents' messages to.
CREATE TABLE genesys_links (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    channel_id BLOB NOT NULL,
    -- Genesys' id of the integration.
    integration_id TEXT NOT NULL,
    -- The integration's outbound webhook signature secret, sealed.
    webhook_secret TEXT NOT NULL,
    -- `all`: every conversation of the number goes to Genesys;
    -- `handover`: only those handed over (keyword, automation, agent).
    routing TEXT NOT NULL,
    -- JSON array of lower-case keywords a customer hands over with.
    keywords TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX genesys_links_channel ON genesys_links (tenant_id, channel_id);
-- The webhook finds its tenant by the link's id alone.
CREATE UNIQUE INDEX genesys_links_id ON genesys_links (id);

-- A conversation's time with Genesys, from hand-over to hand-back.
CREATE TABLE genesys_handovers (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    conversation_id BLOB NOT NULL,
    channel_id BLOB NOT NULL,
    link_id BLOB NOT NULL,
    -- The customer as Genesys knows them (`channel.from.id`).
    wa_id TEXT NOT NULL,
    -- Genesys' conversation, once it named one.
    genesys_conversation_id TEXT,
    reason TEXT NOT NULL,
    handed_by TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    ended_by TEXT,
    -- When to next ask Genesys whether its conversation ended.
    check_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX genesys_handovers_open ON genesys_handovers (tenant_id, conversation_id) WHERE ended_at IS NULL;
CREATE INDEX genesys_handovers_check ON genesys_handovers (check_at) WHERE ended_at IS NULL;
CREATE INDEX genesys_handovers_started ON genesys_handovers (tenant_id, started_at);

-- What is said to Genesys: a customer's message, a receipt for an agent's
-- message, a typing event. Messages of a hand-over go in order; each row
-- goes at most once (`dedupe`).
CREATE TABLE genesys_outbox (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    handover_id BLOB NOT NULL,
    -- `message`, `receipt` or `typing`.
    kind TEXT NOT NULL,
    -- `message:<message id>`, `receipt:<genesys id>:<status>`, …
    dedupe TEXT NOT NULL,
    -- The customer's message (kind `message`).
    message_id BLOB,
    -- A receipt's or event's body, built when queued (JSON).
    body TEXT,
    -- `waiting` (for its media), `pending`, `sent`, `failed`.
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_until BIGINT,
    last_error TEXT,
    -- Genesys' id of the message, once sent.
    genesys_message_id TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX genesys_outbox_dedupe ON genesys_outbox (tenant_id, dedupe);
CREATE INDEX genesys_outbox_due ON genesys_outbox (tenant_id, handover_id, state, created_at);
CREATE INDEX genesys_outbox_created ON genesys_outbox (tenant_id, created_at);
-- A Genesys receipt names the message by Genesys' id.
CREATE INDEX genesys_outbox_genesys ON genesys_outbox (tenant_id, genesys_message_id);

-- What Genesys' agents sent: each agent message once, however often
-- Genesys delivers it, with the WhatsApp message it became.
CREATE TABLE genesys_replies (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    handover_id BLOB NOT NULL,
    genesys_message_id TEXT NOT NULL,
    -- Our message; NULL when the reply was refused.
    message_id BLOB,
    -- Why it was refused (our code).
    refused TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX genesys_replies_genesys ON genesys_replies (tenant_id, handover_id, genesys_message_id);
CREATE INDEX genesys_replies_message ON genesys_replies (tenant_id, message_id);
CREATE INDEX genesys_replies_created ON genesys_replies (tenant_id, created_at);

-- Bridge messages a plan allows per minute, both ways (NULL: no limit).
ALTER TABLE plans ADD COLUMN genesys_per_minute BIGINT;
