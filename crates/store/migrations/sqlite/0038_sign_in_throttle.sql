-- Sign-in throttling's failure counters, shared by every node on this
-- database (they were kept in memory per node). A platform table: no
-- tenant, like `operators`. The key is the SHA-256 (hex) of what the
-- counter counts (an account, an address, or both), never the email or
-- address in clear.
-- Keep in step with ../postgres/0038_sign_in_throttle.sql (a test compares them).

CREATE TABLE sign_in_failures (
    key_hash TEXT PRIMARY KEY,
    -- Failures since the counter last started again.
    failures BIGINT NOT NULL,
    -- When the latest failure was (Unix milliseconds).
    latest BIGINT NOT NULL
);

-- Housekeeping removes counters past the longest window, oldest first.
CREATE INDEX sign_in_failures_latest ON sign_in_failures (latest);
