-- Plans grow prices, feature switches, more limits and retirement; usage
-- is metered per tenant per billing period; API requests are rate-limited
-- per tenant (docs/DESIGN.md, "Plans, usage and rate limits").
-- Keep in step with ../postgres/0040_plans_and_usage.sql (a test compares them).

ALTER TABLE plans ADD COLUMN api_requests_per_minute BIGINT;
ALTER TABLE plans ADD COLUMN workflows BIGINT;
ALTER TABLE plans ADD COLUMN webhook_endpoints BIGINT;
-- Prices in the currency's smallest unit (cents); 0 is free.
ALTER TABLE plans ADD COLUMN monthly_price BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN yearly_price BIGINT NOT NULL DEFAULT 0;
-- ISO 4217, lowercase (`usd`), as Stripe writes it.
ALTER TABLE plans ADD COLUMN currency TEXT NOT NULL DEFAULT 'usd';
-- Feature switches: 1 on, 0 off.
ALTER TABLE plans ADD COLUMN feature_campaigns BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN feature_bot BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN feature_genesys BIGINT NOT NULL DEFAULT 1;
ALTER TABLE plans ADD COLUMN feature_api BIGINT NOT NULL DEFAULT 1;
-- A retired plan keeps its tenants but takes no new ones.
ALTER TABLE plans ADD COLUMN retired_at BIGINT;

-- One counter per tenant, billing period and metric (`messages_out.marketing`,
-- `messages_in`, `api_calls`, …), added to in the transaction that does
-- what it counts (an atomic upsert: exact when many add at once). Past
-- periods stay as history.
CREATE TABLE usage_counters (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- The period's first instant (Unix milliseconds, UTC).
    period_start BIGINT NOT NULL,
    metric TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, period_start, metric)
);

-- Where each tenant's API rate limit stands: the theoretical arrival time
-- of its next request (GCRA), shared by every node through this row.
CREATE TABLE api_rate_limits (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- Unix microseconds.
    tat BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);
