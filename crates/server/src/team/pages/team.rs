//! The team: members with their roles, pending invitations, inviting
//! (the link is shown once), changing a role and removing someone. The
//! rules in [`crate::team::users`] and [`crate::team::invites`] enforce who
//! may manage whom.

use crate::auth::{Authorized, TenantCtx, perm};
use crate::dashboard::page::{Shell, render};
use crate::dashboard::render::when;
use crate::dashboard::settings::inline;
use crate::error::{AppError, AppResult};
use crate::http::extract::ApiPath;
use crate::state::AppState;
use crate::team::invites::{self, NewInvite};
use crate::team::users::{self, UserChange};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{Email, Permission, Role, UserId};
use serde::Deserialize;
use store::page::PageRequest;

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub mfa: bool,
    pub disabled: bool,
    pub is_me: bool,
}

#[derive(Debug, Clone)]
pub struct InviteRow {
    pub email: String,
    pub role: &'static str,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "settings_team.html")]
struct TeamPage {
    shell: Shell,
    tab: &'static str,
    members: Vec<MemberRow>,
    invites: Vec<InviteRow>,
    can_manage: bool,
    roles: Vec<&'static str>,
    invite_url: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    shell: Shell,
    ctx: &TenantCtx,
    invite_url: Option<String>,
    error: Option<String>,
) -> AppResult<Response> {
    let now = state.now();
    let members = users::list_users(state, ctx, PageRequest::new(None, 200)).await?;
    let can_manage = ctx.allows(Permission::UsersManage);
    let pending = if can_manage {
        invites::list_invites(state, ctx, PageRequest::new(None, 200))
            .await?
            .items
    } else {
        Vec::new()
    };
    Ok(render(&TeamPage {
        shell: shell.with_tab("settings"),
        tab: "team",
        members: members
            .items
            .into_iter()
            .map(|u| MemberRow {
                id: u.id.to_string(),
                is_me: Some(u.id) == ctx.user_id(),
                mfa: u.mfa_enabled(),
                disabled: u.disabled_at.is_some(),
                name: u.name,
                email: u.email,
                role: u.role.as_str(),
            })
            .collect(),
        invites: pending
            .into_iter()
            .map(|i| InviteRow {
                email: i.email,
                role: i.role.as_str(),
                expires: when(i.expires_at, now),
            })
            .collect(),
        can_manage,
        roles: ["owner", "admin", "agent", "viewer"].into(),
        invite_url,
        error,
    }))
}

pub async fn view_team(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersRead>,
) -> AppResult<Response> {
    page(&state, shell, &ctx, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn create_invite(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersManage>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let parsed = Email::parse(form.email.trim())
        .map_err(AppError::from)
        .and_then(|email| Ok((email, form.role.parse::<Role>()?)));
    let result = match parsed {
        Ok((email, role)) => invites::invite_user(&state, &ctx, NewInvite { email, role })
            .await
            .map(|created| created.accept_url),
        Err(e) => Err(e),
    };
    match result {
        Ok(url) => page(&state, shell, &ctx, Some(url), None).await,
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn update_role(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<UserId>,
    Form(form): Form<RoleForm>,
) -> AppResult<Response> {
    let change = UserChange {
        role: Some(form.role.parse::<Role>()?),
        ..UserChange::default()
    };
    match users::update_user(&state, &ctx, id, change).await {
        Ok(_) => Ok(Redirect::to("/app/settings/team").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, None, Some(msg)).await,
            None => Err(e),
        },
    }
}

pub async fn delete_member(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::UsersManage>,
    ApiPath(id): ApiPath<UserId>,
) -> AppResult<Response> {
    match users::delete_user(&state, &ctx, id).await {
        Ok(()) => Ok(Redirect::to("/app/settings/team").into_response()),
        Err(e) => match inline(&e) {
            Some(msg) => page(&state, shell, &ctx, None, Some(msg)).await,
            None => Err(e),
        },
    }
}
