//! `/api/v1/teams`, a number's team (`/api/v1/channels/{id}/team`) and the
//! signed-in agent's availability (`/api/v1/me/availability`): adapters
//! over [`crate::crm::teams`].

use crate::auth::{Authorized, perm};
use crate::crm::teams::{self as rules, TeamChange, TeamDetail};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath};
use crate::http::pagination::Paged;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, TeamId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use store::crm::teams::{Assignment, Team};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(set_channel_team))
        .routes(routes!(get_availability, set_availability))
}

/// A team as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamView {
    pub id: TeamId,
    pub name: String,
    /// `manual`, `round_robin` or `least_busy`.
    pub assignment: String,
    pub members: Vec<TeamMemberView>,
    /// Open conversations routed to it that nobody has.
    pub queue: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A member of a team, and whether new conversations may go to them.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberView {
    pub user_id: UserId,
    pub name: String,
    /// Not away and not disabled.
    pub available: bool,
    /// Open conversations assigned to them, in any team.
    pub open_conversations: i64,
}

impl From<TeamDetail> for TeamView {
    fn from(d: TeamDetail) -> Self {
        TeamView {
            id: d.team.id,
            name: d.team.name,
            assignment: d.team.assignment.as_str().to_owned(),
            members: d
                .members
                .into_iter()
                .map(|m| TeamMemberView {
                    available: m.available(),
                    user_id: m.user_id,
                    name: m.name,
                    open_conversations: m.open_conversations,
                })
                .collect(),
            queue: d.queue,
            created_at: d.team.created_at,
            updated_at: d.team.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTeam {
    /// 1 to 50 characters, unique in the workspace whatever the case.
    #[schema(min_length = 1, max_length = 50)]
    pub name: String,
    /// `manual` (the default), `round_robin` or `least_busy`.
    #[schema(pattern = "^(manual|round_robin|least_busy)$")]
    pub assignment: Option<String>,
    /// Users of the workspace (at most 200).
    #[serde(default)]
    pub member_ids: Vec<UserId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTeam {
    #[schema(min_length = 1, max_length = 50)]
    pub name: Option<String>,
    #[schema(pattern = "^(manual|round_robin|least_busy)$")]
    pub assignment: Option<String>,
    /// The whole new member list.
    pub member_ids: Option<Vec<UserId>>,
}

fn assignment(raw: Option<&str>) -> AppResult<Option<Assignment>> {
    raw.map(|a| {
        Assignment::parse(a)
            .ok_or_else(|| AppError::validation("assignment", "manual, round_robin or least_busy"))
    })
    .transpose()
}

/// The view of a team just written (its members' load read back).
async fn view_of(
    state: &AppState,
    ctx: &crate::auth::TenantCtx,
    team: Team,
) -> AppResult<TeamView> {
    Ok(rules::get_team(state, ctx, team.id).await?.into())
}

/// Create a team of agents (`users:manage`).
#[utoipa::path(post, path = "/api/v1/teams", tag = "crm",
    request_body = CreateTeam,
    responses((status = 201, body = TeamView),
              (status = 409, description = "Another team has this name (`team_name_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid, or the workspace has 100 teams (`team_limit`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiJson(body): ApiJson<CreateTeam>,
) -> AppResult<(StatusCode, Json<TeamView>)> {
    let input = TeamChange {
        name: Some(body.name),
        assignment: assignment(body.assignment.as_deref())?,
        member_ids: Some(body.member_ids),
    };
    let team = rules::create_team(&state, &ctx, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(view_of(&state, &ctx, team).await?),
    ))
}

/// Every team, by name, with its members and its queue (one page:
/// `next_cursor` is `null`).
#[utoipa::path(get, path = "/api/v1/teams", tag = "crm",
    responses((status = 200, body = Paged<TeamView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_teams(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Json<Paged<TeamView>>> {
    let teams = rules::list_teams(&state, &ctx).await?;
    Ok(Json(Paged {
        items: teams.into_iter().map(TeamView::from).collect(),
        next_cursor: None,
    }))
}

/// One team.
#[utoipa::path(get, path = "/api/v1/teams/{team_id}", tag = "crm",
    params(("team_id" = TeamId, Path)),
    responses((status = 200, body = TeamView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TeamId>,
) -> AppResult<Json<TeamView>> {
    Ok(Json(rules::get_team(&state, &ctx, id).await?.into()))
}

/// Rename a team, change its assignment rule or its members
/// (`users:manage`).
#[utoipa::path(patch, path = "/api/v1/teams/{team_id}", tag = "crm",
    params(("team_id" = TeamId, Path)), request_body = UpdateTeam,
    responses((status = 200, body = TeamView), (status = 404, body = ErrorBody),
              (status = 409, description = "Another team has this name (`team_name_taken`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<TeamId>,
    ApiJson(body): ApiJson<UpdateTeam>,
) -> AppResult<Json<TeamView>> {
    let change = TeamChange {
        name: body.name,
        assignment: assignment(body.assignment.as_deref())?,
        member_ids: body.member_ids,
    };
    let team = rules::update_team(&state, &ctx, id, change).await?;
    Ok(Json(view_of(&state, &ctx, team).await?))
}

/// Delete a team; its numbers and conversations go to no team, and keep
/// their assignees (`users:manage`).
#[utoipa::path(delete, path = "/api/v1/teams/{team_id}", tag = "crm",
    params(("team_id" = TeamId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<TeamId>,
) -> AppResult<StatusCode> {
    rules::delete_team(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which team a number's new conversations go to.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelTeam {
    /// `null`: no team (new conversations wait, unassigned, for anyone).
    pub team_id: Option<TeamId>,
}

/// Route a number's new conversations to a team, or to none
/// (`settings:manage`). Its existing conversations keep their team.
#[utoipa::path(put, path = "/api/v1/channels/{channel_id}/team", tag = "crm",
    params(("channel_id" = ChannelId, Path)), request_body = ChannelTeam,
    responses((status = 200, body = ChannelTeam), (status = 404, body = ErrorBody),
              (status = 422, description = "No such team.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn set_channel_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    ApiJson(body): ApiJson<ChannelTeam>,
) -> AppResult<Json<ChannelTeam>> {
    rules::set_channel_team(&state, &ctx, id, body.team_id).await?;
    Ok(Json(body))
}

/// Whether the signed-in agent takes new conversations.
#[derive(Debug, Serialize, ToSchema)]
pub struct Availability {
    /// `false`: away (keeps their conversations, gets no new ones).
    pub available: bool,
    /// Since when they are away.
    pub away_since: Option<Timestamp>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAvailability {
    pub available: bool,
}

fn availability_view(away_since: Option<Timestamp>) -> Availability {
    Availability {
        available: away_since.is_none(),
        away_since,
    }
}

/// The signed-in agent's availability (a user session, not an API key).
#[utoipa::path(get, path = "/api/v1/me/availability", tag = "crm",
    responses((status = 200, body = Availability),
              (status = 403, description = "Not a signed-in user (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn get_availability(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Json<Availability>> {
    Ok(Json(availability_view(
        rules::availability(&state, &ctx).await?,
    )))
}

/// Say the signed-in agent is available or away. Auto-assignment gives
/// new conversations only to available agents.
#[utoipa::path(put, path = "/api/v1/me/availability", tag = "crm",
    request_body = SetAvailability,
    responses((status = 200, body = Availability),
              (status = 403, description = "Not a signed-in user (`user_required`).", body = ErrorBody)),
    security(("bearer" = []), ("session_cookie" = [])))]
pub async fn set_availability(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiJson(body): ApiJson<SetAvailability>,
) -> AppResult<Json<Availability>> {
    let since = rules::set_availability(&state, &ctx, body.available).await?;
    Ok(Json(availability_view(since)))
}
