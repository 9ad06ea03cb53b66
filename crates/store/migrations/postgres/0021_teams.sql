-- Teams of agents, and new conversations routed to them and assigned
-- to one of their members (docs/DESIGN.md, "CRM: teams and
-- auto-assignment").
-- Keep in step with ../sqlite/0021_teams.sql (a test compares them).

CREATE TABLE teams (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    id UUID NOT NULL,
    name TEXT NOT NULL,
    -- How its new conversations are assigned: `manual` (not at all),
    -- `round_robin` or `least_busy`.
    assignment TEXT NOT NULL,
    -- Round robin's place: the member who was given the last conversation.
    last_assigned_user_id UUID,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
-- Names are unique per tenant whatever their (ASCII) case.
CREATE UNIQUE INDEX teams_name ON teams (tenant_id, LOWER(name));

CREATE TABLE team_members (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    team_id UUID NOT NULL,
    user_id UUID NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, team_id, user_id),
    FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

-- Agents who said they are away: they keep their conversations and get
-- no new ones. Everyone else is available.
CREATE TABLE away_agents (
    tenant_id UUID NOT NULL REFERENCES tenants (id),
    user_id UUID NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- The team a number's new conversations go to, and a conversation's team.
-- Deleting a team clears both (crates/store/src/crm/teams.rs).
ALTER TABLE channels ADD COLUMN team_id UUID;
ALTER TABLE conversations ADD COLUMN team_id UUID;
CREATE INDEX conversations_team ON conversations (tenant_id, team_id, last_message_at);
-- An agent's open conversations, counted by least-busy assignment.
CREATE INDEX conversations_assignee ON conversations (tenant_id, assigned_user_id, status);

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['teams', 'team_members', 'away_agents']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (sb_row_visible(tenant_id)) WITH CHECK (sb_row_visible(tenant_id))', t);
    END LOOP;
END $$;
