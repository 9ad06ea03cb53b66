//! A tenant's life-cycle, run by the operator (API and console) and by
//! `switchboard admin`: create, list, rename or move to another plan,
//! suspend and reactivate.

use super::{INVITE_DAYS, Staff, check_name};
use crate::auth::tokens::{hash_token, new_api_key, new_token};
use crate::channels::jobs::{ReleaseHeld, TenantRef};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ApiKeyId, Email, Permission, Role, Slug, TenantId, TenantStatus};
use serde_json::json;
use store::StoreError;
use store::SystemTx;
use store::auth::{ApiKey, Invite, NewApiKey, NewInvite};
use store::page::{Page, PageRequest};
use store::tenancy::{NewTenant, Tenant};

/// The plan a new tenant is on unless another is named.
pub const DEFAULT_PLAN: &str = "starter";

/// A tenant to create.
#[derive(Debug, Clone)]
pub struct CreateTenant {
    pub name: String,
    pub slug: Slug,
    /// A plan code; [`DEFAULT_PLAN`] when `None`.
    pub plan: Option<String>,
    /// Who receives the first owner invitation.
    pub owner_email: Email,
    /// `trial` (the default) or `active`; never `suspended`.
    pub status: Option<TenantStatus>,
}

/// A new tenant with its first owner invitation and first API key; the two
/// secrets are returned once and never again.
#[derive(Debug)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner_invite: Invite,
    pub owner_invite_token: String,
    /// Where the owner accepts the invitation.
    pub owner_invite_url: String,
    pub api_key: ApiKey,
    pub api_key_secret: String,
}

/// Creates a tenant with its first owner invitation and an API key holding
/// every owner permission, so the new customer can start at once.
pub async fn create_tenant(
    state: &AppState,
    by: impl Into<Staff<'_>>,
    input: CreateTenant,
) -> AppResult<CreatedTenant> {
    let by = by.into();
    let status = input.status.unwrap_or(TenantStatus::Trial);
    if status == TenantStatus::Suspended {
        return Err(AppError::validation(
            "status",
            "a new tenant is `trial` or `active`",
        ));
    }
    let name = check_name(&input.name)?;
    let plan = input.plan.unwrap_or_else(|| DEFAULT_PLAN.to_owned());
    let now = state.now();
    let mut sys = state.store.system().await?;
    check_plan(&mut sys, &plan, None).await?;
    let tenant = sys
        .insert_tenant(NewTenant {
            id: TenantId::new(),
            name: &name,
            slug: input.slug.as_str(),
            status,
            plan_code: &plan,
            now,
        })
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => {
                AppError::Conflict("slug_taken", format!("slug `{}` is taken", input.slug))
            }
            other => other.into(),
        })?;
    let mut tx = sys.enter_tenant(tenant.id).await?;

    let owner_invite_token = new_token("sbi_");
    let owner_invite = tx
        .insert_invite(NewInvite {
            email: input.owner_email.as_str(),
            role: Role::Owner,
            token_hash: &hash_token(&owner_invite_token),
            invited_by: None,
            expires_at: now.plus_seconds(INVITE_DAYS * 86_400),
            now,
        })
        .await?;

    let (api_key_secret, prefix) = new_api_key();
    let scopes: Vec<Permission> = Role::Owner.permissions().to_vec();
    let api_key = tx
        .insert_api_key(NewApiKey {
            id: ApiKeyId::new(),
            name: "First key",
            prefix: &prefix,
            key_hash: &hash_token(&api_key_secret),
            scopes: &scopes,
            created_by: None,
            expires_at: None,
            now,
        })
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        &by.in_tenant(tenant.id),
        now,
        "tenant.create",
        ("tenant", tenant.id.to_string()),
        json!({ "slug": tenant.slug, "plan": tenant.plan_code }),
    )
    .await?;
    let owner_invite_url = format!(
        "{}/app/accept-invite?token={owner_invite_token}",
        state.config.public_url
    );
    let mail = crate::email::messages::invitation(
        &owner_invite.email,
        &tenant.name,
        Role::Owner.as_str(),
        &owner_invite_url,
        INVITE_DAYS,
    );
    crate::email::outbox::queue(state, &mut tx, &mail, now).await?;
    tx.commit().await?;
    Ok(CreatedTenant {
        tenant,
        owner_invite,
        owner_invite_token,
        owner_invite_url,
        api_key,
        api_key_secret,
    })
}

/// Tenants, newest first. Listing is not an audited look: it shows no
/// tenant's data beyond its name and status.
pub async fn list_tenants(
    state: &AppState,
    _by: impl Into<Staff<'_>>,
    page: PageRequest,
) -> AppResult<Page<Tenant>> {
    let mut sys = state.store.system_read().await?;
    let tenants = sys.list_tenants(page).await?;
    sys.commit().await?;
    Ok(tenants)
}

/// The tenant with this slug (the command line names tenants by slug).
pub async fn find_tenant_by_slug(
    state: &AppState,
    _by: impl Into<Staff<'_>>,
    slug: &str,
) -> AppResult<Tenant> {
    let mut sys = state.store.system_read().await?;
    let tenant = sys.find_tenant_by_slug(slug).await?;
    sys.commit().await?;
    Ok(tenant)
}

/// What to change about a tenant; `None` leaves it as it is.
#[derive(Debug, Clone, Default)]
pub struct TenantChange {
    pub name: Option<String>,
    /// Move the tenant to this plan.
    pub plan: Option<String>,
}

/// Renames a tenant and/or moves it to another plan.
pub async fn update_tenant(
    state: &AppState,
    by: impl Into<Staff<'_>>,
    id: TenantId,
    change: TenantChange,
) -> AppResult<Tenant> {
    let now = state.now();
    let mut sys = state.store.system().await?;
    let current = sys.find_tenant(id).await?;
    let name = match change.name.as_deref() {
        Some(n) => check_name(n)?,
        None => current.name.clone(),
    };
    let plan = change.plan.unwrap_or_else(|| current.plan_code.clone());
    check_plan(&mut sys, &plan, Some(&current.plan_code)).await?;
    let tenant = sys.update_tenant(id, &name, &plan, now).await?;
    if plan != current.plan_code {
        // Customers' messages held over the old plan's contact limit go
        // if the new one allows them.
        let held = TenantRef { tenant_id: id };
        crate::jobs::enqueue_system::<ReleaseHeld>(&mut sys, Some(id), &held, now).await?;
    }
    crate::audit::operator_action(
        &mut sys,
        by,
        Some(id),
        now,
        "tenant.update",
        ("tenant", id.to_string()),
        json!({ "name": name, "plan": plan, "previous_plan": current.plan_code }),
    )
    .await?;
    sys.commit().await?;
    Ok(tenant)
}

/// Moves a tenant to another plan.
pub async fn set_plan(
    state: &AppState,
    by: impl Into<Staff<'_>>,
    id: TenantId,
    plan: String,
) -> AppResult<Tenant> {
    let change = TenantChange {
        name: None,
        plan: Some(plan),
    };
    update_tenant(state, by, id, change).await
}

/// Suspends a tenant: its API answers 423 with `reason`, and its inbound
/// traffic is held, not lost, until it is reactivated.
pub async fn suspend_tenant(
    state: &AppState,
    by: impl Into<Staff<'_>>,
    id: TenantId,
    reason: &str,
) -> AppResult<Tenant> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::validation(
            "reason",
            "must be 1 to 500 characters",
        ));
    }
    set_status(state, by.into(), id, Some(reason)).await
}

/// Reactivates a suspended tenant; the inbound traffic held meanwhile is
/// applied now, in order.
pub async fn reactivate_tenant(
    state: &AppState,
    by: impl Into<Staff<'_>>,
    id: TenantId,
) -> AppResult<Tenant> {
    set_status(state, by.into(), id, None).await
}

async fn set_status(
    state: &AppState,
    by: Staff<'_>,
    id: TenantId,
    suspend: Option<&str>,
) -> AppResult<Tenant> {
    let now = state.now();
    let mut sys = state.store.system().await?;
    if suspend.is_none() {
        // Reactivating a tenant that is not suspended changes nothing (a
        // trial stays a trial).
        let current = sys.find_tenant(id).await?;
        if current.status != TenantStatus::Suspended {
            sys.commit().await?;
            return Ok(current);
        }
    }
    let (status, action) = match suspend {
        Some(_) => (TenantStatus::Suspended, "tenant.suspend"),
        None => (TenantStatus::Active, "tenant.reactivate"),
    };
    let tenant = sys.set_tenant_status(id, status, suspend, now).await?;
    if suspend.is_none() {
        let held = TenantRef { tenant_id: id };
        crate::jobs::enqueue_system::<ReleaseHeld>(&mut sys, Some(id), &held, now).await?;
        // Work that waited for the tenant (messages queued while it was
        // suspended, see channels::deliver) goes now.
        sys.wake_parked_jobs(id, now).await?;
    }
    crate::audit::operator_action(
        &mut sys,
        by,
        Some(id),
        now,
        action,
        ("tenant", id.to_string()),
        json!({ "reason": suspend }),
    )
    .await?;
    sys.commit().await?;
    Ok(tenant)
}

/// A plan code that does not exist is the caller's mistake, not a 404; a
/// retired plan keeps the tenants it has (`current`) but takes no others.
async fn check_plan(sys: &mut SystemTx, plan: &str, current: Option<&str>) -> AppResult<()> {
    match sys.find_plan(plan).await {
        Ok(p) if p.retired_at.is_some() && current != Some(plan) => Err(AppError::validation(
            "plan",
            format!("plan `{plan}` is retired and takes no new tenants"),
        )),
        Ok(_) => Ok(()),
        Err(StoreError::NotFound) => Err(AppError::validation("plan", format!("no plan `{plan}`"))),
        Err(e) => Err(e.into()),
    }
}
