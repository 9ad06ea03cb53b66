//! Teams of agents, and where new conversations go. A number routes its
//! new conversations to a team ([`set_channel_team`]); a conversation can
//! be moved to another (`crate::inbox::conversations`). A team's
//! `assignment` rule then gives each open, unassigned conversation routed
//! to it to one of its available members ([`routing`]). Agents say when
//! they are away ([`set_availability`]).
//!
//! Defining teams needs `users:manage`, routing a number
//! `settings:manage`, reading `inbox:read`. Every change is audited and
//! records a `team.*`, `channel.team_changed` or
//! `agent.availability_changed` event.

pub mod routing;

use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::state::AppState;
use domain::events::{AgentAvailabilityChanged, ChannelTeamChanged, Event, TeamRef};
use domain::{ChannelId, Permission, TeamId, Timestamp, UserId};
use serde_json::json;
use std::collections::HashMap;
use store::crm::teams::{Assignment, MemberLoad, Team};
use store::events::CursorStart;
use store::{StoreError, TenantTx};

/// The most teams a tenant may define.
pub const MAX_TEAMS: usize = 100;
/// The most members a team may have.
pub const MAX_MEMBERS: usize = 200;
/// The longest team name, in characters.
pub const MAX_NAME: usize = 50;

/// A team with its members' load and its queue.
#[derive(Debug, Clone)]
pub struct TeamDetail {
    pub team: Team,
    /// Its members, in id order, with who is away and how busy they are.
    pub members: Vec<MemberLoad>,
    /// Open conversations routed to it that nobody has.
    pub queue: i64,
}

/// A change to a team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamChange {
    pub name: Option<String>,
    pub assignment: Option<Assignment>,
    /// The whole new member list.
    pub member_ids: Option<Vec<UserId>>,
}

/// Creates a team. Its name is 1 to 50 characters, unique in the tenant
/// whatever the case (`409 team_name_taken`); its members are users of
/// the tenant.
pub async fn create_team(state: &AppState, ctx: &TenantCtx, input: TeamChange) -> AppResult<Team> {
    ctx.require(Permission::UsersManage)?;
    let name = valid_name(input.name.as_deref().unwrap_or_default())?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let all = tx.list_teams().await?;
    if all.len() >= MAX_TEAMS {
        return Err(AppError::Rule(
            "team_limit",
            format!("a workspace has at most {MAX_TEAMS} teams; delete one first"),
        ));
    }
    unique_name(&all, &name, None)?;
    let members = valid_members(&mut tx, input.member_ids.unwrap_or_default()).await?;
    let team = Team {
        id: TeamId::new(),
        name,
        assignment: input.assignment.unwrap_or(Assignment::Manual),
        last_assigned_user_id: None,
        members,
        created_at: now,
        updated_at: now,
    };
    tx.insert_team(&team)
        .await
        .map_err(|e| NAMES.from_store(e, &team.name))?;
    // Routing follows the log from here on (not the tenant's history).
    tx.lock_cursor(routing::CONSUMER, CursorStart::Latest)
        .await?;
    changed(&mut tx, ctx, &team, "create", now).await?;
    tx.commit().await?;
    state.wake_workers();
    Ok(team)
}

/// Every team, by name, with its members' load and its queue.
pub async fn list_teams(state: &AppState, ctx: &TenantCtx) -> AppResult<Vec<TeamDetail>> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let teams = tx.list_teams().await?;
    let queues = tx.team_queues().await?;
    let mut details = Vec::with_capacity(teams.len());
    for team in teams {
        details.push(detail(&mut tx, team, &queues).await?);
    }
    tx.commit().await?;
    Ok(details)
}

pub async fn get_team(state: &AppState, ctx: &TenantCtx, id: TeamId) -> AppResult<TeamDetail> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let team = tx.find_team(id).await?;
    let queues = tx.team_queues().await?;
    let d = detail(&mut tx, team, &queues).await?;
    tx.commit().await?;
    Ok(d)
}

async fn detail(
    tx: &mut TenantTx,
    team: Team,
    queues: &HashMap<TeamId, i64>,
) -> AppResult<TeamDetail> {
    Ok(TeamDetail {
        members: tx.team_load(team.id).await?,
        queue: queues.get(&team.id).copied().unwrap_or(0),
        team,
    })
}

/// Renames a team, changes its rule or its members. A rule that now
/// assigns picks up the team's waiting conversations as new ones arrive;
/// those already waiting stay for a person to take.
pub async fn update_team(
    state: &AppState,
    ctx: &TenantCtx,
    id: TeamId,
    change: TeamChange,
) -> AppResult<Team> {
    ctx.require(Permission::UsersManage)?;
    let name = change.name.as_deref().map(valid_name).transpose()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let mut team = tx.find_team(id).await?;
    if let Some(name) = name {
        unique_name(&tx.list_teams().await?, &name, Some(id))?;
        team.name = name;
    }
    if let Some(a) = change.assignment {
        team.assignment = a;
    }
    if let Some(members) = change.member_ids {
        team.members = valid_members(&mut tx, members).await?;
    }
    team.updated_at = now;
    tx.update_team(&team)
        .await
        .map_err(|e| NAMES.from_store(e, &team.name))?;
    changed(&mut tx, ctx, &team, "update", now).await?;
    tx.commit().await?;
    Ok(team)
}

/// Deletes a team: its numbers and conversations go to no team; who has a
/// conversation does not change.
pub async fn delete_team(state: &AppState, ctx: &TenantCtx, id: TeamId) -> AppResult<()> {
    ctx.require(Permission::UsersManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let team = tx.find_team(id).await?;
    tx.delete_team(id).await?;
    changed(&mut tx, ctx, &team, "delete", now).await?;
    tx.commit().await?;
    Ok(())
}

/// Routes a number's new conversations to `team` (`None`: to none). The
/// conversations it has already keep their team.
pub async fn set_channel_team(
    state: &AppState,
    ctx: &TenantCtx,
    channel: ChannelId,
    team: Option<TeamId>,
) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let current = tx.find_channel(channel).await?;
    if let Some(t) = team {
        known_team(&mut tx, t).await?;
    }
    if current.team_id == team {
        return Ok(());
    }
    tx.set_channel_team(channel, team, now).await?;
    let event = Event::ChannelTeamChanged(ChannelTeamChanged {
        channel_id: channel,
        team_id: team,
        previous_team_id: current.team_id,
    });
    record(&mut tx, event, now);
    let details = json!({ "team_id": team, "previous": current.team_id });
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "channel.route",
        ("channel", channel.to_string()),
        details,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the routing settings choose among: the workspace's users and
/// numbers.
pub async fn routing_choices(
    state: &AppState,
    ctx: &TenantCtx,
) -> AppResult<(Vec<store::auth::User>, Vec<store::channels::Channel>)> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let users = tx
        .list_users(store::page::PageRequest::new(None, MAX_MEMBERS as u32))
        .await?
        .items;
    let channels = tx.list_channels().await?;
    tx.commit().await?;
    Ok((users, channels))
}

/// `team`, or a validation error naming `team_id` if the tenant has no
/// such team.
pub async fn known_team(tx: &mut TenantTx, team: TeamId) -> AppResult<Team> {
    tx.find_team(team).await.map_err(|e| match e {
        StoreError::NotFound => AppError::validation("team_id", "no such team"),
        other => other.into(),
    })
}

/// Since when the signed-in user is away; `None` while available.
pub async fn availability(state: &AppState, ctx: &TenantCtx) -> AppResult<Option<Timestamp>> {
    let (user, ..) = ctx.require_user()?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let since = tx.away_since(user).await?;
    tx.commit().await?;
    Ok(since)
}

/// Says the signed-in user is available (new conversations may go to
/// them) or away (they keep theirs, and get no new ones). Saying it again
/// changes nothing and records nothing.
pub async fn set_availability(
    state: &AppState,
    ctx: &TenantCtx,
    available: bool,
) -> AppResult<Option<Timestamp>> {
    let (user, ..) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if tx.set_away(user, !available, now).await? {
        let event = AgentAvailabilityChanged {
            user_id: user,
            available,
        };
        record(&mut tx, Event::AgentAvailabilityChanged(event), now);
        crate::audit::tenant_change(
            &mut tx,
            ctx,
            now,
            if available {
                "agent.available"
            } else {
                "agent.away"
            },
            ("user", user.to_string()),
            json!({}),
        )
        .await?;
    }
    let since = tx.away_since(user).await?;
    tx.commit().await?;
    Ok(since)
}

/// A team name: see [`super::short_name`].
fn valid_name(raw: &str) -> AppResult<String> {
    super::short_name(raw, MAX_NAME)
}

/// Members as a sorted set of the tenant's users.
async fn valid_members(tx: &mut TenantTx, mut ids: Vec<UserId>) -> AppResult<Vec<UserId>> {
    ids.sort();
    ids.dedup();
    if ids.len() > MAX_MEMBERS {
        return Err(AppError::validation(
            "member_ids",
            format!("a team has at most {MAX_MEMBERS} members"),
        ));
    }
    for id in &ids {
        tx.find_user(*id).await.map_err(|e| match e {
            StoreError::NotFound => AppError::validation("member_ids", format!("no user {id}")),
            other => other.into(),
        })?;
    }
    Ok(ids)
}

/// Team names are unique whatever the case.
const NAMES: super::UniqueNames = super::UniqueNames {
    code: "team_name_taken",
    what: "a team",
};

/// Refuses `name` if another team than `except` has it, whatever the case.
fn unique_name(all: &[Team], name: &str, except: Option<TeamId>) -> AppResult<()> {
    let others = all.iter().filter(|t| Some(t.id) != except);
    NAMES.check(others.map(|t| t.name.as_str()), name)
}

/// The audit entry and event of a change to a team.
async fn changed(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    t: &Team,
    what: &str,
    now: Timestamp,
) -> AppResult<()> {
    let r = TeamRef {
        team_id: t.id,
        name: t.name.clone(),
        assignment: t.assignment.as_str().to_owned(),
        member_ids: t.members.clone(),
    };
    let details = json!({ "name": r.name, "assignment": r.assignment, "member_ids": r.member_ids });
    let event = match what {
        "create" => Event::TeamCreated(r),
        "delete" => Event::TeamDeleted(r),
        _ => Event::TeamUpdated(r),
    };
    record(tx, event, now);
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("team.{what}"),
        ("team", t.id.to_string()),
        details,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_clash_whatever_their_case() {
        assert_eq!(valid_name("  Support ").unwrap(), "Support");
        assert!(valid_name("").is_err());
        assert!(valid_name(&"é".repeat(51)).is_err());
        let t = Team {
            id: TeamId::new(),
            name: "Ventes".into(),
            assignment: Assignment::Manual,
            last_assigned_user_id: None,
            members: vec![],
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        };
        let all = [t.clone()];
        assert!(unique_name(&all, "VENTES", None).is_err());
        assert!(unique_name(&all, "ventes", Some(t.id)).is_ok());
    }
}
