//! Tenant API keys. The secret is returned once; only its SHA-256 is kept.

use crate::auth::tokens::{hash_token, new_api_key};
use crate::auth::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ApiKeyId, Permission, Timestamp};
use serde_json::json;
use store::auth::ApiKey;
use store::page::{Page, PageRequest};

/// A key to create.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub name: String,
    /// What the key may do; at most what its creator may do. `None` gives
    /// it all of the creator's permissions.
    pub scopes: Option<Vec<Permission>>,
    /// When the key stops working; never when `None`.
    pub expires_at: Option<Timestamp>,
}

/// A key just made, with its secret (never shown again).
#[derive(Debug, Clone)]
pub struct CreatedApiKey {
    pub api_key: ApiKey,
    pub secret: String,
}

/// Creates an API key. A key never holds a permission its creator lacks,
/// so a key cannot be used to climb above one's role; later it does no more
/// than its creator may do at the time (`auth::live::key_scopes`).
pub async fn create_api_key(
    state: &AppState,
    ctx: &TenantCtx,
    input: NewApiKey,
) -> AppResult<CreatedApiKey> {
    let now = state.now();
    let name = domain::values::display_name(&input.name, 100)?;
    let mine = ctx.permissions();
    let mut scopes = input.scopes.unwrap_or_else(|| mine.clone());
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(AppError::validation(
            "scopes",
            "give the key at least one scope",
        ));
    }
    if let Some(extra) = scopes.iter().find(|s| !mine.contains(s)) {
        return Err(AppError::Forbidden(
            "permission_denied",
            format!("you cannot give a key the `{extra}` scope you do not hold"),
        ));
    }
    if input.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::validation("expires_at", "must be in the future"));
    }
    let (secret, prefix) = new_api_key();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    // A key made by a key answers to the same person as its parent, so its
    // scopes shrink (and it stops) with that person's role (and account).
    let created_by = match &ctx.actor {
        Actor::ApiKey { key_id, .. } => tx.find_api_key(*key_id).await?.created_by,
        _ => ctx.user_id(),
    };
    let key = tx
        .insert_api_key(store::auth::NewApiKey {
            id: ApiKeyId::new(),
            name: &name,
            prefix: &prefix,
            key_hash: &hash_token(&secret),
            scopes: &scopes,
            created_by,
            expires_at: input.expires_at,
            now,
        })
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "api_key.create",
        ("api_key", key.id.to_string()),
        json!({ "name": key.name, "scopes": key.scopes }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedApiKey {
        api_key: key,
        secret,
    })
}

/// API keys, newest first (never their secrets).
pub async fn list_api_keys(
    state: &AppState,
    ctx: &TenantCtx,
    page: PageRequest,
) -> AppResult<Page<ApiKey>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let keys = tx.list_api_keys(page).await?;
    tx.commit().await?;
    Ok(keys)
}

/// One API key.
pub async fn get_api_key(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> AppResult<ApiKey> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let key = tx.find_api_key(id).await?;
    tx.commit().await?;
    Ok(key)
}

/// Revokes an API key; it stops working at once.
pub async fn revoke_api_key(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> AppResult<ApiKey> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let key = tx.revoke_api_key(id, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "api_key.revoke",
        ("api_key", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}
