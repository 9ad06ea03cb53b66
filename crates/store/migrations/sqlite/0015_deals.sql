-- Deals in pipelines (docs/DESIGN.md, "CRM: pipelines and deals"): a
-- tenant's pipelines with their ordered stages, its deals, and every stage
-- a deal entered (its stage history).
-- Keep in step with ../postgres/0015_deals.sql (a test compares them).

CREATE TABLE pipelines (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE pipeline_stages (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    pipeline_id BLOB NOT NULL,
    name TEXT NOT NULL,
    -- 0, 1, 2… in board order; kept gapless by the rules.
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pipeline_stages_pipeline ON pipeline_stages (tenant_id, pipeline_id, position);

CREATE TABLE deals (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    pipeline_id BLOB NOT NULL,
    stage_id BLOB NOT NULL,
    -- NULL: no contact, or the contact was deleted (trigger below).
    contact_id BLOB,
    -- NULL: no owner, or the user was removed (trigger below).
    owner_id BLOB,
    title TEXT NOT NULL,
    -- In the currency's minor units (cents); never negative.
    value_minor BIGINT NOT NULL,
    -- ISO 4217, upper case.
    currency TEXT NOT NULL,
    -- `YYYY-MM-DD`.
    expected_close_on TEXT,
    -- `open`, `won` or `lost`.
    status TEXT NOT NULL,
    lost_reason TEXT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deals_board ON deals (tenant_id, pipeline_id, stage_id, status);
CREATE INDEX deals_stage ON deals (tenant_id, stage_id);
CREATE INDEX deals_contact ON deals (tenant_id, contact_id);
CREATE INDEX deals_owner ON deals (tenant_id, owner_id);

CREATE TABLE deal_stage_changes (
    tenant_id BLOB NOT NULL REFERENCES tenants (id),
    id BLOB NOT NULL,
    deal_id BLOB NOT NULL,
    -- NULL on the first row (the deal was created in `to_stage_id`).
    from_stage_id BLOB,
    -- The stages' names then (a stage may be renamed or removed later).
    from_stage_name TEXT,
    to_stage_id BLOB NOT NULL,
    to_stage_name TEXT NOT NULL,
    -- Who moved it: the user, if a user did.
    user_id BLOB,
    -- `user:<id>`, `api_key:<id>`, `system:<via>`…
    actor TEXT NOT NULL,
    changed_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX deal_stage_changes_deal ON deal_stage_changes (tenant_id, deal_id, id);

-- A deleted contact or user leaves their deals in place, without them.
-- (A foreign key with ON DELETE SET NULL would also null `tenant_id`, which
-- leads the composite keys.)
CREATE TRIGGER deals_contact_deleted AFTER DELETE ON contacts BEGIN
    UPDATE deals SET contact_id = NULL
    WHERE tenant_id = old.tenant_id AND contact_id = old.id;
END;

CREATE TRIGGER deals_owner_deleted AFTER DELETE ON users BEGIN
    UPDATE deals SET owner_id = NULL
    WHERE tenant_id = old.tenant_id AND owner_id = old.id;
END;
