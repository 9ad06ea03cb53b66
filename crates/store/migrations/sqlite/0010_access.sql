-- Access and sessions: a TOTP code works once (the last time step used is
-- kept per user), and the audit log names which part of Switchboard acted
-- when the actor is the system (whatsapp, worker, cli), and can be filtered
-- by actor.
-- Keep in step with ../postgres/0010_access.sql (a test compares them).
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE audit_log ADD COLUMN actor_via TEXT;
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, id);
