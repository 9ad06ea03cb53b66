-- How many messages a number still has to send (a campaign's round keeps
-- the number's queue a couple of seconds deep): only queued rows are
-- indexed, so the index stays as small as the queue.
CREATE INDEX messages_queued_by_channel ON messages (tenant_id, channel_id) WHERE status = 'queued';
