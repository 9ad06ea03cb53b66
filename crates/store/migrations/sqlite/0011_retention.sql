-- Indexes for the housekeeping sweeps (crates/store/src/housekeeping.rs):
-- each batch finds its oldest rows through one of these instead of
-- scanning the table while it holds the writer.
-- Keep in step with ../postgres/0011_retention.sql.
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX webhook_deliveries_processed ON webhook_deliveries (processed_at)
    WHERE processed_at IS NOT NULL;
CREATE INDEX events_created ON events (created_at);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
CREATE INDEX sessions_revoked ON sessions (revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX operator_sessions_expires ON operator_sessions (expires_at);
CREATE INDEX operator_sessions_revoked ON operator_sessions (revoked_at)
    WHERE revoked_at IS NOT NULL;
