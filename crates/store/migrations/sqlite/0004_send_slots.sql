-- Per-number pacing shared by every node: the start of the number's next
-- free send slot, in microseconds since the epoch (wall clock). A send
-- reserves a slot by moving it on by 1 / rate under the row's lock.
ALTER TABLE channels ADD COLUMN send_slot_us BIGINT NOT NULL DEFAULT 0;
