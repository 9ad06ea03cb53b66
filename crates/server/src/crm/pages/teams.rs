//! Settings → Teams: the teams with their members' load and queues (create,
//! change, delete), which team each number routes its new conversations
//! to, and the signed-in agent's own availability. Adapters over
//! [`crate::crm::teams`]: each parses the form, calls one rule and
//! redirects (or shows the refusal on the page).

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::teams::{self as rules, TeamChange, TeamDetail};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use domain::{ChannelId, Permission, TeamId, UserId};
use store::crm::teams::Assignment;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/settings/teams", get(view_teams).post(create_team))
        .route("/app/settings/teams/{id}/update", post(update_team))
        .route("/app/settings/teams/{id}/delete", post(delete_team))
        .route("/app/settings/teams/numbers/{id}", post(route_number))
        .route("/app/settings/teams/availability", post(set_availability))
}

const BACK: &str = "/app/settings/teams";

/// A workspace user, for the member checkboxes.
struct Person {
    id: String,
    name: String,
}

/// A number and the team it routes to ("" for none).
struct NumberRoute {
    id: String,
    label: String,
    team: String,
}

#[derive(Template)]
#[template(path = "settings_teams.html")]
struct TeamsPage {
    shell: Shell,
    tab: &'static str,
    teams: Vec<TeamDetail>,
    people: Vec<Person>,
    numbers: Vec<NumberRoute>,
    rules: Vec<(&'static str, &'static str)>,
    can_manage: bool,
    can_route: bool,
    /// The signed-in user's availability (`None` for an API key).
    available: Option<bool>,
    error: Option<String>,
}

impl TeamsPage {
    fn is_member(&self, t: &TeamDetail, person: &str) -> bool {
        t.team.members.iter().any(|m| m.to_string() == person)
    }
}

/// What each rule is called on the page.
fn rule_names() -> Vec<(&'static str, &'static str)> {
    Assignment::ALL
        .into_iter()
        .map(|a| {
            let label = match a {
                Assignment::Manual => "Nobody (agents take them)",
                Assignment::RoundRobin => "Round robin",
                Assignment::LeastBusy => "Least busy agent",
            };
            (a.as_str(), label)
        })
        .collect()
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    error: Option<String>,
) -> AppResult<Response> {
    let teams = rules::list_teams(state, ctx).await?;
    let (users, channels) = rules::routing_choices(state, ctx).await?;
    let available = match ctx.user_id() {
        Some(_) => Some(rules::availability(state, ctx).await?.is_none()),
        None => None,
    };
    Ok(render(&TeamsPage {
        shell: shell.with_tab("settings"),
        tab: "teams",
        teams,
        people: users
            .into_iter()
            .filter(|u| u.disabled_at.is_none())
            .map(|u| Person {
                id: u.id.to_string(),
                name: u.name,
            })
            .collect(),
        numbers: channels
            .into_iter()
            .map(|c| NumberRoute {
                id: c.id.to_string(),
                team: c.team_id.map(|t| t.to_string()).unwrap_or_default(),
                label: c
                    .verified_name
                    .map(|n| format!("{n} ({})", c.display_phone_number))
                    .unwrap_or(c.display_phone_number),
            })
            .collect(),
        rules: rule_names(),
        can_manage: ctx.allows(Permission::UsersManage),
        can_route: ctx.allows(Permission::SettingsManage),
        available,
        error,
    }))
}

/// The page again with a refusal it can explain, or the error page.
async fn refused(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    e: AppError,
) -> AppResult<Response> {
    let Some(msg) = inline(&e) else {
        return Err(e);
    };
    let mut res = page(state, shell, ctx, Some(msg)).await?;
    *res.status_mut() = e.status();
    Ok(res)
}

pub async fn view_teams(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None).await
}

/// The team form: `name`, `assignment` and one `member` per box ticked
/// (repeated keys, which a plain `Form` cannot read).
fn team_form(body: &str) -> AppResult<TeamChange> {
    let mut change = TeamChange {
        member_ids: Some(Vec::new()),
        ..TeamChange::default()
    };
    for (k, v) in url::form_urlencoded::parse(body.as_bytes()) {
        match &*k {
            "name" => change.name = Some(v.into_owned()),
            "assignment" => {
                let a = Assignment::parse(&v)
                    .ok_or_else(|| AppError::validation("assignment", "choose how to assign"))?;
                change.assignment = Some(a);
            }
            "member" => {
                let id = v
                    .parse::<UserId>()
                    .map_err(|_| AppError::validation("member_ids", "choose teammates"))?;
                change.member_ids.get_or_insert_default().push(id);
            }
            _ => {}
        }
    }
    Ok(change)
}

pub async fn create_team(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersManage>,
    body: String,
) -> AppResult<Response> {
    let result = match team_form(&body) {
        Ok(input) => rules::create_team(&state, &ctx, input).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(BACK).into_response()),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn update_team(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<TeamId>,
    body: String,
) -> AppResult<Response> {
    let result = match team_form(&body) {
        Ok(change) => rules::update_team(&state, &ctx, id, change).await.map(drop),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(BACK).into_response()),
        Err(e) => refused(&state, shell, &ctx, e).await,
    }
}

pub async fn delete_team(
    State(state): State<AppState>,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<TeamId>,
) -> AppResult<Response> {
    rules::delete_team(&state, &ctx, id).await?;
    Ok(Redirect::to(BACK).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct RouteForm {
    #[serde(default)]
    team: String,
}

pub async fn route_number(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ChannelId>,
    axum::Form(form): axum::Form<RouteForm>,
) -> AppResult<Response> {
    let team = match form.team.as_str() {
        "" => None,
        t => Some(
            t.parse::<TeamId>()
                .map_err(|_| AppError::validation("team", "choose a team"))?,
        ),
    };
    rules::set_channel_team(&state, &ctx, id, team).await?;
    Ok(Redirect::to(BACK).into_response())
}

#[derive(Debug, serde::Deserialize)]
pub struct AvailabilityForm {
    #[serde(default)]
    available: String,
}

pub async fn set_availability(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    axum::Form(form): axum::Form<AvailabilityForm>,
) -> AppResult<Response> {
    rules::set_availability(&state, &ctx, form.available == "1").await?;
    Ok(Redirect::to(BACK).into_response())
}
