-- Messages and jobs that wait, and idempotent answers stored sealed.
-- Keep in step with ../sqlite/0009_waiting_and_sealed_answers.sql (a test compares them).

-- Why a queued message is not being sent yet (its number needs new
-- credentials, its tenant is suspended); NULL while nothing holds it.
ALTER TABLE messages ADD COLUMN waiting_reason TEXT;

-- A job parked until its area wakes it (or its re-check time comes),
-- rather than retried on a timer (1: waiting).
ALTER TABLE jobs ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0;

-- Stored answers are sealed from now on; the answers stored before were
-- plaintext (API keys, invitation tokens, TOTP seeds, recovery codes).
-- They only serve retries of recent requests: drop them.
DELETE FROM idempotency_keys;
