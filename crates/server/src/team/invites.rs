//! Invitations: inviting someone with a role (the link is returned once),
//! withdrawing an invitation, and accepting one (which creates the user).

use crate::auth::TenantCtx;
use crate::auth::password;
use crate::auth::tokens::{hash_token, new_token};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::team::users::check_may_manage;
use crate::tenancy::INVITE_DAYS;
use crate::tenancy::limits::{self, Limit};
use domain::{Email, InviteId, Role, TenantStatus};
use serde_json::json;
use store::StoreError;
use store::audit::{Actor, NewAuditEntry};
use store::auth::{Invite, NewUser, User};
use store::page::{Page, PageRequest};

/// Whom to invite, and as what.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub email: Email,
    pub role: Role,
}

/// An invitation just made, with its secret (never shown again).
#[derive(Debug, Clone)]
pub struct CreatedInvite {
    pub invite: Invite,
    /// The invitation token (`sbi_…`).
    pub token: String,
    /// The dashboard link that accepts it.
    pub accept_url: String,
}

/// Invites someone to the team. An invitation does not take a seat, but
/// none is sent while the team is full.
pub async fn invite_user(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewInvite,
) -> AppResult<CreatedInvite> {
    check_may_manage(ctx, input.role)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    limits::take(&mut tx, Limit::Seats, now).await?;
    match tx.find_user_by_email(input.email.as_str()).await {
        Ok(_) => {
            return Err(AppError::Conflict(
                "email_taken",
                "this person is already on the team".into(),
            ));
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let token = new_token("sbi_");
    let invite = tx
        .insert_invite(store::auth::NewInvite {
            email: input.email.as_str(),
            role: input.role,
            token_hash: &hash_token(&token),
            invited_by: ctx.user_id(),
            expires_at: now.plus_seconds(INVITE_DAYS * 86_400),
            now,
        })
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "invite.create",
        ("invite", invite.id.to_string()),
        json!({ "email": invite.email, "role": invite.role }),
    )
    .await?;
    let accept_url = format!(
        "{}/app/accept-invite?token={token}",
        state.config.public_url
    );
    let workspace = tx.find_tenant().await?.name;
    let mail = crate::email::messages::invitation(
        &invite.email,
        &workspace,
        invite.role.as_str(),
        &accept_url,
        INVITE_DAYS,
    );
    crate::email::outbox::queue(state, &mut tx, &mail, now).await?;
    tx.commit().await?;
    Ok(CreatedInvite {
        invite,
        token,
        accept_url,
    })
}

/// Invitations not yet accepted.
pub async fn list_invites(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<Invite>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let invites = tx.list_pending_invites(page).await?;
    tx.commit().await?;
    Ok(invites)
}

/// Withdraws an invitation (only one the caller could have made).
pub async fn delete_invite(state: &AppState, ctx: &TenantCtx, id: InviteId) -> AppResult<()> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let invite = tx.find_invite(id).await?;
    check_may_manage(ctx, invite.role)?;
    tx.delete_invite(id).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "invite.delete",
        ("invite", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone answering an invitation link.
#[derive(Debug, Clone)]
pub struct Acceptance {
    /// The invitation token (`sbi_…`).
    pub token: String,
    pub name: String,
    pub password: String,
}

/// The user an accepted invitation created, and where they sign in.
#[derive(Debug, Clone)]
pub struct AcceptedInvite {
    pub user: User,
    /// The tenant's slug, for the sign-in form.
    pub tenant_slug: String,
}

fn invite_invalid(message: &str) -> AppError {
    AppError::Rule("invite_invalid", message.into())
}

/// Accepts an invitation: creates the user with the invited role, taking a
/// seat. The caller has no tenant yet: the token names it.
pub async fn accept_invite(state: &AppState, input: Acceptance) -> AppResult<AcceptedInvite> {
    let now = state.now();
    let name = crate::tenancy::check_name(&input.name)?;
    password::check_policy(&input.password)?;
    let mut sys = state.store.system().await?;
    let invite = match sys
        .find_invite_by_token_hash(&hash_token(&input.token))
        .await
    {
        Ok(i) => i,
        Err(StoreError::NotFound) => {
            return Err(invite_invalid("this invitation does not exist"));
        }
        Err(e) => return Err(e.into()),
    };
    let tenant = sys.find_tenant(invite.tenant_id).await?;
    sys.commit().await?;
    if invite.accepted_at.is_some() || now >= invite.expires_at {
        return Err(invite_invalid(
            "this invitation was already used or has expired",
        ));
    }
    if tenant.status == TenantStatus::Suspended {
        return Err(AppError::TenantSuspended(
            tenant
                .status_reason
                .unwrap_or_else(|| "no reason given".into()),
        ));
    }
    // Hashing is slow: no transaction stays open across it.
    let hash = password::hash(&input.password).await?;
    let mut tx = state.store.tenant(invite.tenant_id).await?;
    limits::take(&mut tx, Limit::Seats, now).await?;
    if !tx.accept_invite(invite.id, now).await? {
        return Err(invite_invalid("this invitation was already used"));
    }
    let user = tx
        .insert_user(NewUser {
            email: &invite.email,
            name: &name,
            role: invite.role,
            password_hash: &hash,
            now,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AppError::Conflict(
                "email_taken",
                "a user with this email already exists in this tenant".into(),
            ),
            other => other.into(),
        })?;
    // The new user is the actor: nobody was signed in.
    tx.insert_audit(NewAuditEntry {
        actor: Actor::User(user.id),
        action: "invite.accept",
        target_kind: "user",
        target_id: Some(user.id.to_string()),
        ip: None,
        details: json!({ "invite": invite.id.to_string(), "role": invite.role }),
        now,
    })
    .await?;
    tx.commit().await?;
    Ok(AcceptedInvite {
        user,
        tenant_slug: tenant.slug,
    })
}
