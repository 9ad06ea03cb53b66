-- Outbound webhooks (docs/WEBHOOKS.md): a tenant's endpoints, one delivery
-- per event and endpoint, and every attempt to deliver it.
-- Keep in step with ../postgres/0012_outbound_webhooks.sql (a test compares them).

CREATE TABLE hook_endpoints (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    url TEXT NOT NULL,
    description TEXT,
    -- JSON array of event patterns: names, `family.*` or `*`.
    events TEXT NOT NULL,
    -- 1: enabled.
    enabled BIGINT NOT NULL,
    -- Sealed JSON object of extra request headers.
    headers TEXT,
    -- Sealed signing secrets; the previous one signs too until
    -- `previous_secret_until`.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until BIGINT,
    -- The tenant's latest event number when the endpoint was created: only
    -- later events are delivered to it.
    from_seq BIGINT NOT NULL,
    -- When its current streak of failed attempts began.
    failing_since BIGINT,
    disabled_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE hook_deliveries (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    endpoint_id BLOB NOT NULL,
    event_id BLOB NOT NULL,
    event_name TEXT NOT NULL,
    -- NULL for test events, which are not in the log.
    event_seq BIGINT,
    -- The exact JSON body sent, built once, so every attempt and replay
    -- sends the same bytes.
    body TEXT NOT NULL,
    -- `pending`, `delivered` or `dead`.
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    -- The retry window starts here (a replay moves it).
    series_started_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, endpoint_id, event_id)
);
CREATE INDEX hook_deliveries_endpoint ON hook_deliveries (tenant_id, endpoint_id, id);
CREATE INDEX hook_deliveries_status ON hook_deliveries (tenant_id, status, id);

CREATE TABLE hook_attempts (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    delivery_id BLOB NOT NULL,
    endpoint_id BLOB NOT NULL,
    attempt BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT NOT NULL,
    -- The first 4 KiB of the answer.
    response_body TEXT,
    error TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX hook_attempts_delivery ON hook_attempts (tenant_id, delivery_id, id);
CREATE INDEX hook_attempts_endpoint_time ON hook_attempts (tenant_id, endpoint_id, started_at);
CREATE INDEX hook_attempts_time ON hook_attempts (tenant_id, started_at);
-- For the housekeeping sweep (crates/store/src/housekeeping.rs): the
-- oldest attempts and settled deliveries across tenants.
CREATE INDEX hook_attempts_started ON hook_attempts (started_at);
CREATE INDEX hook_deliveries_settled ON hook_deliveries (updated_at) WHERE status <> 'pending';
