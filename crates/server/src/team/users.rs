//! Team members: listing, changing a name, role or whether someone can sign
//! in, removing someone; and the caller's own profile and password.

use crate::auth::{Actor, TenantCtx, password};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::limits::{self, Limit};
use domain::{Permission, Role, TenantId, UserId};
use serde_json::json;
use store::auth::User;
use store::page::{Page, PageRequest};

/// The team, newest first.
pub async fn list_users(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<User>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let users = tx.list_users(page).await?;
    tx.commit().await?;
    Ok(users)
}

/// One team member.
pub async fn get_user(state: &AppState, ctx: &TenantCtx, id: UserId) -> AppResult<User> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    tx.commit().await?;
    Ok(user)
}

/// What to change about a user; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Disabled users cannot sign in and do not take a seat.
    pub disabled: Option<bool>,
}

/// Changes a user's name, role or whether they can sign in. The tenant
/// keeps at least one active owner; re-enabling someone takes a seat; a
/// change of role or a disabling signs the user out everywhere.
pub async fn update_user(
    state: &AppState,
    ctx: &TenantCtx,
    id: UserId,
    change: UserChange,
) -> AppResult<User> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    let role = change.role.unwrap_or(user.role);
    check_may_manage(ctx, user.role)?;
    check_may_manage(ctx, role)?;
    let name = match change.name.as_deref() {
        Some(n) => crate::tenancy::check_name(n)?,
        None => user.name.clone(),
    };
    let disabled_at = match change.disabled {
        Some(true) => user.disabled_at.or(Some(now)),
        Some(false) => None,
        None => user.disabled_at,
    };
    let loses_owner = user.role == Role::Owner
        && user.disabled_at.is_none()
        && (role != Role::Owner || disabled_at.is_some());
    if loses_owner && tx.count_active_owners().await? <= 1 {
        return Err(last_owner());
    }
    if user.disabled_at.is_some() && disabled_at.is_none() {
        limits::take(&mut tx, Limit::Seats, now).await?;
    }
    let updated = tx.update_user(id, &name, role, disabled_at, now).await?;
    if role != user.role || disabled_at.is_some() {
        tx.revoke_user_sessions(id, now).await?;
    }
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "user.update",
        ("user", id.to_string()),
        json!({ "role": role, "previous_role": user.role, "disabled": disabled_at.is_some() }),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes a user from the team (never the last active owner).
pub async fn delete_user(state: &AppState, ctx: &TenantCtx, id: UserId) -> AppResult<()> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let user = tx.find_user(id).await?;
    check_may_manage(ctx, user.role)?;
    if user.role == Role::Owner
        && user.disabled_at.is_none()
        && tx.count_active_owners().await? <= 1
    {
        return Err(last_owner());
    }
    tx.delete_user(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "user.delete",
        ("user", id.to_string()),
        json!({ "email": user.email, "role": user.role }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn last_owner() -> AppError {
    AppError::Rule(
        "last_owner",
        "a tenant keeps at least one active owner".into(),
    )
}

/// Only owners manage owners; an API key acts with its scopes and may not
/// touch owners either.
pub(crate) fn check_may_manage(ctx: &TenantCtx, target: Role) -> AppResult<()> {
    let allowed = match &ctx.actor {
        Actor::User { role, .. } => role.may_manage(target),
        _ => target != Role::Owner,
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "permission_denied",
            format!("you may not manage users with the `{target}` role"),
        ))
    }
}

/// The caller as the tenant knows them.
#[derive(Debug, Clone)]
pub struct Me {
    pub tenant_id: TenantId,
    /// The signed-in user; `None` for an API key (or Switchboard itself).
    pub user: Option<User>,
    pub permissions: Vec<Permission>,
}

/// Who is calling: their user (if any), tenant and permissions.
pub async fn get_me(state: &AppState, ctx: &TenantCtx) -> AppResult<Me> {
    let user = match ctx.user_id() {
        Some(id) => Some(get_user(state, ctx, id).await?),
        None => None,
    };
    Ok(Me {
        tenant_id: ctx.tenant_id,
        user,
        permissions: ctx.permissions(),
    })
}

/// A password change: the current password proves it is the user.
#[derive(Debug, Clone)]
pub struct NewPassword {
    pub current_password: String,
    pub new_password: String,
}

/// Changes the signed-in user's password and signs every session of theirs
/// out (the current one included), so a stolen session dies with the old
/// password.
pub async fn change_password(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewPassword,
) -> AppResult<()> {
    let (user_id, _, session) = ctx.require_user()?;
    password::check_policy(&input.new_password)?;
    let now = state.now();
    let user = get_user(state, ctx, user_id).await?;
    // Hashing is slow: no transaction stays open across it.
    if !password::verify(&input.current_password, Some(&user.password_hash)).await {
        return Err(AppError::validation("current_password", "is wrong"));
    }
    let hash = password::hash(&input.new_password).await?;
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.set_user_password(user_id, &hash, now).await?;
    tx.revoke_user_sessions(user_id, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "user.password_change",
        ("user", user_id.to_string()),
        json!({ "session": session.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
