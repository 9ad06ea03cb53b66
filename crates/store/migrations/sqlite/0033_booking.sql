-- The booking bot (docs/DESIGN.md, "The booking bot"): a workspace's
-- booking settings, its services and the staff or resources that give
-- them, the bookings with their history, and each customer's place in the
-- bot's conversation.
-- Keep in step with ../postgres/0033_booking.sql (a test compares them).

-- One row per workspace (absent: the bot was never set up).
CREATE TABLE booking_settings (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    -- JSON: the numbers the bot answers on (["<channel id>", …]).
    channel_ids TEXT NOT NULL,
    greeting TEXT NOT NULL,
    -- 'en', 'es', 'pt', …: the language of the bot's own words.
    language TEXT NOT NULL,
    -- IANA name (Europe/Lisbon): hours, days and reminders are its.
    time_zone TEXT NOT NULL,
    -- JSON, as business hours: {"monday": [{"start": "09:00", "end": "17:00"}], …}.
    weekly TEXT NOT NULL,
    -- JSON: ["2026-12-25", …], closed all day.
    holidays TEXT NOT NULL,
    -- JSON: [{"start": "2026-08-01", "end": "2026-08-15", "reason": "…"}], closed.
    closures TEXT NOT NULL,
    min_notice_minutes BIGINT NOT NULL,
    max_days_ahead BIGINT NOT NULL,
    buffer_minutes BIGINT NOT NULL,
    -- Slots start every this many minutes within opening hours.
    slot_minutes BIGINT NOT NULL,
    -- A customer silent this long starts over.
    idle_minutes BIGINT NOT NULL,
    -- JSON: minutes before the start at which a reminder goes ([1440, 120]).
    reminder_minutes TEXT NOT NULL,
    -- The approved template reminders use (name and language), if any.
    reminder_template TEXT,
    reminder_language TEXT,
    -- JSON: {"on_site": true, "bank_transfer": "IBAN …" | null, "payment_link": "https://…" | null}.
    payment TEXT NOT NULL,
    -- JSON: [{"keywords": ["parking"], "reply": "…"}].
    responses TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id)
);

CREATE TABLE booking_services (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    -- In the currency's minor units.
    price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    category TEXT,
    icon TEXT,
    active BIGINT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Staff or rooms, chairs…: each takes `capacity` bookings at a time.
CREATE TABLE booking_resources (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    -- 'staff' or 'resource'.
    kind TEXT NOT NULL,
    capacity BIGINT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Which services each resource gives.
CREATE TABLE booking_resource_services (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    resource_id BLOB NOT NULL,
    service_id BLOB NOT NULL,
    PRIMARY KEY (tenant_id, resource_id, service_id),
    FOREIGN KEY (tenant_id, resource_id) REFERENCES booking_resources (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, service_id) REFERENCES booking_services (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_resource_services_service ON booking_resource_services (tenant_id, service_id);

CREATE TABLE bookings (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    -- What the customer is told (BK-7F3K2A): unique in the workspace.
    reference TEXT NOT NULL,
    service_id BLOB NOT NULL,
    resource_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    -- The number the customer booked through (and is told on); not a
    -- foreign key: a disconnected number leaves its bookings in place.
    channel_id BLOB,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- ends_at plus the buffer: the resource is taken until then.
    blocks_until BIGINT NOT NULL,
    -- 'pending', 'confirmed', 'completed', 'cancelled' or 'no_show'.
    status TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    -- 'on_site', 'bank_transfer' or 'payment_link'.
    payment_method TEXT NOT NULL,
    price_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    notes TEXT,
    -- 'bot', 'dashboard' or 'api'.
    source TEXT NOT NULL,
    -- The next reminder's time (NULL: none left).
    remind_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES booking_services (tenant_id, id),
    FOREIGN KEY (tenant_id, resource_id) REFERENCES booking_resources (tenant_id, id),
    -- Erasing a contact erases their bookings.
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX bookings_reference ON bookings (tenant_id, reference);
CREATE INDEX bookings_resource_time ON bookings (tenant_id, resource_id, starts_at);
CREATE INDEX bookings_time ON bookings (tenant_id, starts_at);
CREATE INDEX bookings_contact ON bookings (tenant_id, contact_id, starts_at);
CREATE INDEX bookings_remind ON bookings (remind_at) WHERE remind_at IS NOT NULL;

-- Every status a booking entered and every move, oldest first.
CREATE TABLE booking_history (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    booking_id BLOB NOT NULL,
    -- 'created', 'confirmed', 'rescheduled', 'completed', 'cancelled', 'no_show'.
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    -- Who did it: `user:<id>`, `api_key:<id>`, `bot`.
    actor TEXT NOT NULL,
    note TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, booking_id) REFERENCES bookings (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_history_booking ON booking_history (tenant_id, booking_id, at);

-- Where each customer is in the bot's conversation on a number.
CREATE TABLE booking_sessions (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    channel_id BLOB NOT NULL,
    contact_id BLOB NOT NULL,
    conversation_id BLOB NOT NULL,
    -- JSON: the step and what was chosen so far.
    state TEXT NOT NULL,
    -- 1: handed to the team; the bot is quiet until the conversation is resolved.
    handed_off BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, channel_id, contact_id),
    FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, conversation_id) REFERENCES conversations (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_sessions_conversation ON booking_sessions (tenant_id, conversation_id);
