-- Cloud-API-format endpoints (issue 21): an endpoint receives either
-- Switchboard's events ('switchboard') or Meta's own webhooks for the
-- tenant's numbers ('cloud_api'), signed X-Hub-Signature-256 style.
-- Keep in step with ../postgres/0037_cloud_webhooks.sql (a test compares them).

ALTER TABLE hook_endpoints ADD COLUMN format TEXT NOT NULL DEFAULT 'switchboard';
-- JSON array of the channel ids whose webhooks a 'cloud_api' endpoint
-- receives; NULL: every number of the tenant.
ALTER TABLE hook_endpoints ADD COLUMN channel_ids TEXT;
-- Sealed: the token a 'cloud_api' endpoint expects in Meta's
-- verification handshake (hub.verify_token).
ALTER TABLE hook_endpoints ADD COLUMN verify_token TEXT;
