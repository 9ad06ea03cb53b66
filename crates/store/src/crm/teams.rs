//! Teams of agents (`teams`, `team_members`), the agents who are away
//! (`away_agents`), and the team a number's new conversations go to
//! (`channels.team_id`, copied to `conversations.team_id` when a
//! conversation starts: see [`TenantTx::upsert_conversation`]).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ChannelId, TeamId, Timestamp, UserId};
use std::collections::HashMap;
use uuid::Uuid;

/// How a team's new conversations are given to its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// They wait, unassigned, for someone to take them.
    Manual,
    /// Each goes to the next available member in turn.
    RoundRobin,
    /// Each goes to the available member with the fewest open ones.
    LeastBusy,
}

impl Assignment {
    pub const ALL: [Assignment; 3] = [
        Assignment::Manual,
        Assignment::RoundRobin,
        Assignment::LeastBusy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Assignment::Manual => "manual",
            Assignment::RoundRobin => "round_robin",
            Assignment::LeastBusy => "least_busy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A team as stored, with its members' ids (in id order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub assignment: Assignment,
    /// Round robin's place: who was given the team's last conversation.
    pub last_assigned_user_id: Option<UserId>,
    pub members: Vec<UserId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: Uuid,
    name: String,
    assignment: String,
    last_assigned_user_id: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
}

impl TeamRow {
    fn into_team(self, members: Vec<UserId>) -> StoreResult<Team> {
        Ok(Team {
            id: TeamId::from_uuid(self.id),
            assignment: Assignment::parse(&self.assignment).ok_or_else(|| {
                StoreError::corrupt(format!("team assignment {}", self.assignment))
            })?,
            name: self.name,
            last_assigned_user_id: self.last_assigned_user_id.map(UserId::from_uuid),
            members,
            created_at: Timestamp::from_millis(self.created_at),
            updated_at: Timestamp::from_millis(self.updated_at),
        })
    }
}

/// A member of a team and how much they have on their plate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberLoad {
    pub user_id: UserId,
    pub name: String,
    /// Away agents get no new conversations.
    pub away_since: Option<Timestamp>,
    /// Disabled users get none either.
    pub disabled: bool,
    /// Open conversations assigned to them, in any team.
    pub open_conversations: i64,
}

impl MemberLoad {
    /// Whether new conversations may go to them.
    pub fn available(&self) -> bool {
        self.away_since.is_none() && !self.disabled
    }
}

#[derive(sqlx::FromRow)]
struct MemberLoadRow {
    user_id: Uuid,
    name: String,
    away_since: Option<i64>,
    disabled_at: Option<i64>,
    open_conversations: i64,
}

const TEAM_COLUMNS: &str = "id, name, assignment, last_assigned_user_id, created_at, updated_at";

impl TenantTx {
    /// Inserts `t` and its members (a name another team has, in any case,
    /// is a `Conflict`).
    pub async fn insert_team(&mut self, t: &Team) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO teams (tenant_id, id, name, assignment, last_assigned_user_id, \
                                created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, $6)"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.name)
        .bind(t.assignment.as_str())
        .bind(t.created_at.as_millis())
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)?;
        self.set_team_members(t.id, &t.members, t.updated_at).await
    }

    /// Writes `t`'s name, assignment, members and `updated_at`.
    pub async fn update_team(&mut self, t: &Team) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE teams SET name = $3, assignment = $4, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.name)
        .bind(t.assignment.as_str())
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()?;
        self.set_team_members(t.id, &t.members, t.updated_at).await
    }

    /// Makes `members` the team's members: those already in keep their
    /// `added_at`.
    async fn set_team_members(
        &mut self,
        id: TeamId,
        members: &[UserId],
        now: Timestamp,
    ) -> StoreResult<()> {
        let current = self.team_member_ids(&[id]).await?;
        let current = current.get(&id).map(Vec::as_slice).unwrap_or_default();
        for gone in current.iter().filter(|u| !members.contains(u)) {
            exec!(&mut self.tx, |c| sqlx::query(
                "DELETE FROM team_members WHERE tenant_id = $1 AND team_id = $2 AND user_id = $3"
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(gone.as_uuid())
            .execute(c)
            .await)?;
        }
        for new in members.iter().filter(|u| !current.contains(u)) {
            exec!(&mut self.tx, |c| sqlx::query(
                "INSERT INTO team_members (tenant_id, team_id, user_id, added_at) \
                 VALUES ($1, $2, $3, $4)"
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .bind(new.as_uuid())
            .bind(now.as_millis())
            .execute(c)
            .await)?;
        }
        Ok(())
    }

    /// The members' ids of each of `teams`, in id order (one team's rows
    /// alone when there is one).
    async fn team_member_ids(
        &mut self,
        teams: &[TeamId],
    ) -> StoreResult<HashMap<TeamId, Vec<UserId>>> {
        let only = match teams {
            [one] => Some(one.as_uuid()),
            _ => None,
        };
        let rows: Vec<(Uuid, Uuid)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT team_id, user_id FROM team_members WHERE tenant_id = $1 \
               AND ($2 IS NULL OR team_id = $2) \
             ORDER BY team_id, user_id"
        )
        .bind(self.tenant.as_uuid())
        .bind(only)
        .fetch_all(c)
        .await)?;
        let mut by_team: HashMap<TeamId, Vec<UserId>> = HashMap::new();
        for (team, user) in rows {
            let team = TeamId::from_uuid(team);
            if teams.contains(&team) {
                by_team
                    .entry(team)
                    .or_default()
                    .push(UserId::from_uuid(user));
            }
        }
        Ok(by_team)
    }

    pub async fn find_team(&mut self, id: TeamId) -> StoreResult<Team> {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, TeamRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?
        .or_not_found()?;
        let mut members = self.team_member_ids(&[id]).await?;
        row.into_team(members.remove(&id).unwrap_or_default())
    }

    /// Every team, by name (a tenant has a handful).
    pub async fn list_teams(&mut self) -> StoreResult<Vec<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams WHERE tenant_id = $1 ORDER BY LOWER(name), id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, TeamRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        let ids: Vec<TeamId> = rows.iter().map(|r| TeamId::from_uuid(r.id)).collect();
        let mut members = self.team_member_ids(&ids).await?;
        rows.into_iter()
            .map(|r| {
                let id = TeamId::from_uuid(r.id);
                r.into_team(members.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    /// Deletes a team: its numbers and conversations keep working, routed
    /// to no team.
    pub async fn delete_team(&mut self, id: TeamId) -> StoreResult<()> {
        for table in ["channels", "conversations"] {
            let sql =
                format!("UPDATE {table} SET team_id = NULL WHERE tenant_id = $1 AND team_id = $2");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await)?;
        }
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM teams WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// A team's members (disabled ones too), in id order, with whether they
    /// are away and how many open conversations they have.
    pub async fn team_load(&mut self, id: TeamId) -> StoreResult<Vec<MemberLoad>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, MemberLoadRow>(
            "SELECT m.user_id, u.name, a.since AS away_since, u.disabled_at, \
                    (SELECT COUNT(*) FROM conversations v \
                     WHERE v.tenant_id = m.tenant_id AND v.assigned_user_id = m.user_id \
                       AND v.status = 'open') AS open_conversations \
             FROM team_members m \
             JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id \
             LEFT JOIN away_agents a ON a.tenant_id = m.tenant_id AND a.user_id = m.user_id \
             WHERE m.tenant_id = $1 AND m.team_id = $2 \
             ORDER BY m.user_id"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| MemberLoad {
                user_id: UserId::from_uuid(r.user_id),
                name: r.name,
                away_since: r.away_since.map(Timestamp::from_millis),
                disabled: r.disabled_at.is_some(),
                open_conversations: r.open_conversations,
            })
            .collect())
    }

    /// Moves round robin's place: `user` was given the team's last
    /// conversation.
    pub async fn set_round_robin_place(&mut self, id: TeamId, user: UserId) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE teams SET last_assigned_user_id = $3 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(user.as_uuid())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Routes a number's new conversations to `team` (`None`: to none).
    pub async fn set_channel_team(
        &mut self,
        channel: ChannelId,
        team: Option<TeamId>,
        now: Timestamp,
    ) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE channels SET team_id = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .bind(team.map(|t| t.as_uuid()))
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Since when `user` is away; `None` if available.
    pub async fn away_since(&mut self, user: UserId) -> StoreResult<Option<Timestamp>> {
        let since: Option<i64> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT since FROM away_agents WHERE tenant_id = $1 AND user_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(since.map(Timestamp::from_millis))
    }

    /// Marks `user` away (or back); `true` if that changed anything.
    pub async fn set_away(
        &mut self,
        user: UserId,
        away: bool,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let n = if away {
            exec!(&mut self.tx, |c| sqlx::query(
                "INSERT INTO away_agents (tenant_id, user_id, since) VALUES ($1, $2, $3) \
                 ON CONFLICT (tenant_id, user_id) DO NOTHING"
            )
            .bind(self.tenant.as_uuid())
            .bind(user.as_uuid())
            .bind(now.as_millis())
            .execute(c)
            .await)?
        } else {
            exec!(&mut self.tx, |c| sqlx::query(
                "DELETE FROM away_agents WHERE tenant_id = $1 AND user_id = $2"
            )
            .bind(self.tenant.as_uuid())
            .bind(user.as_uuid())
            .execute(c)
            .await)?
        };
        Ok(n > 0)
    }

    /// Conversations routed to each team that are open and unassigned: a
    /// team's queue.
    pub async fn team_queues(&mut self) -> StoreResult<HashMap<TeamId, i64>> {
        let rows: Vec<(Uuid, i64)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT team_id, COUNT(*) FROM conversations \
             WHERE tenant_id = $1 AND team_id IS NOT NULL AND assigned_user_id IS NULL \
               AND status = 'open' \
             GROUP BY team_id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(t, n)| (TeamId::from_uuid(t), n))
            .collect())
    }
}
