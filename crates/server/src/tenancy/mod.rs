//! Tenant life-cycle, shared by the operator API and `switchboard admin`.

pub mod api;
pub mod limits;

use crate::auth::tokens::{hash_token, new_api_key, new_token};
use crate::error::{AppError, AppResult};
use domain::{ApiKeyId, Email, Permission, Role, Slug, TenantId, TenantStatus, Timestamp};
use serde_json::json;
use store::audit::{Actor, NewAuditEntry};
use store::auth::{ApiKey, Invite, NewApiKey, NewInvite};
use store::tenancy::{NewTenant, Tenant};
use store::{Store, StoreError};

/// How long an invitation stays valid.
pub const INVITE_DAYS: i64 = 7;

#[derive(Debug, Clone)]
pub struct CreateTenant {
    pub name: String,
    pub slug: Slug,
    pub plan: String,
    pub owner_email: Email,
    pub status: TenantStatus,
}

/// A new tenant with its first owner invitation and first API key; the two
/// secrets are returned once and never again.
#[derive(Debug)]
pub struct CreatedTenant {
    pub tenant: Tenant,
    pub owner_invite: Invite,
    pub owner_invite_token: String,
    pub api_key: ApiKey,
    pub api_key_secret: String,
}

pub fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::validation("name", "must be 1 to 120 characters"));
    }
    Ok(name.to_owned())
}

pub async fn create_tenant(
    store: &Store,
    now: Timestamp,
    actor: Actor,
    ip: Option<&str>,
    input: CreateTenant,
) -> AppResult<CreatedTenant> {
    let name = check_name(&input.name)?;
    let mut sys = store.system().await?;
    match sys.find_plan(&input.plan).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::validation(
                "plan",
                format!("no plan `{}`", input.plan),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let tenant = sys
        .insert_tenant(NewTenant {
            id: TenantId::new(),
            name: &name,
            slug: input.slug.as_str(),
            status: input.status,
            plan_code: &input.plan,
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
    tx.insert_audit(NewAuditEntry {
        actor,
        action: "tenant.create",
        target_kind: "tenant",
        target_id: Some(tenant.id.to_string()),
        ip,
        details: json!({ "slug": tenant.slug, "plan": tenant.plan_code }),
        now,
    })
    .await?;
    tx.commit().await?;
    Ok(CreatedTenant {
        tenant,
        owner_invite,
        owner_invite_token,
        api_key,
        api_key_secret,
    })
}

/// Suspends (with a reason shown to the tenant) or reactivates a tenant.
pub async fn set_status(
    store: &Store,
    now: Timestamp,
    actor: Actor,
    ip: Option<&str>,
    id: TenantId,
    suspend: Option<&str>,
) -> AppResult<Tenant> {
    let mut sys = store.system().await?;
    let (status, reason, action) = match suspend {
        Some(reason) => (TenantStatus::Suspended, Some(reason), "tenant.suspend"),
        None => (TenantStatus::Active, None, "tenant.reactivate"),
    };
    let tenant = sys.set_tenant_status(id, status, reason, now).await?;
    if suspend.is_none() {
        // Inbound traffic held while suspended is applied now, in order.
        crate::jobs::enqueue_release_held(&mut sys, id, now).await?;
    }
    sys.insert_audit(
        Some(id),
        NewAuditEntry {
            actor,
            action,
            target_kind: "tenant",
            target_id: Some(id.to_string()),
            ip,
            details: json!({ "reason": reason }),
            now,
        },
    )
    .await?;
    sys.commit().await?;
    Ok(tenant)
}

/// Moves a tenant to another plan and/or renames it.
pub async fn update_tenant(
    store: &Store,
    now: Timestamp,
    actor: Actor,
    ip: Option<&str>,
    id: TenantId,
    name: Option<&str>,
    plan: Option<&str>,
) -> AppResult<Tenant> {
    let mut sys = store.system().await?;
    let current = sys.find_tenant(id).await?;
    let name = match name {
        Some(n) => check_name(n)?,
        None => current.name.clone(),
    };
    let plan = plan.unwrap_or(&current.plan_code).to_owned();
    match sys.find_plan(&plan).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => {
            return Err(AppError::validation("plan", format!("no plan `{plan}`")));
        }
        Err(e) => return Err(e.into()),
    }
    let tenant = sys.update_tenant(id, &name, &plan, now).await?;
    sys.insert_audit(
        Some(id),
        NewAuditEntry {
            actor,
            action: "tenant.update",
            target_kind: "tenant",
            target_id: Some(id.to_string()),
            ip,
            details: json!({ "name": name, "plan": plan, "previous_plan": current.plan_code }),
            now,
        },
    )
    .await?;
    sys.commit().await?;
    Ok(tenant)
}
