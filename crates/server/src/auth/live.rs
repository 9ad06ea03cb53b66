//! Whether a credential still holds, and what it may do now.
//!
//! An API key acts for the user who made it: it never does more than that
//! user may do today (its scopes are cut to the creator's current role), and
//! it stops working while its creator is disabled or once they are removed.
//! [`recheck`] asks the same questions again of a caller resolved earlier,
//! for responses that stay open (the live event stream).

use super::principal::{live_user_role, tenant_not_suspended};
use super::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::Permission;
use store::StoreError;
use store::auth::ApiKey;

fn revoked() -> AppError {
    AppError::Unauthorized(
        "invalid_credentials",
        "the credentials are invalid, expired or revoked".into(),
    )
}

/// The answer for a key whose creator is disabled or removed.
pub fn creator_inactive() -> AppError {
    AppError::Unauthorized(
        "api_key_creator_inactive",
        "the user who created this API key is disabled or removed".into(),
    )
}

/// What a live key may do now: its scopes, bounded by its creator's current
/// role. Keys without a creator (the tenant's first key, made by the
/// operator) keep their scopes.
pub async fn key_scopes(state: &AppState, key: &ApiKey) -> AppResult<Vec<Permission>> {
    let Some(creator) = key.created_by else {
        return Ok(key.scopes.clone());
    };
    let mut tx = state.store.tenant_read(key.tenant_id).await?;
    let user = match tx.find_user(creator).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(creator_inactive()),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    if user.disabled_at.is_some() {
        return Err(creator_inactive());
    }
    Ok(key
        .scopes
        .iter()
        .copied()
        .filter(|p| user.role.allows(*p))
        .collect())
}

/// The caller `ctx` as of now: a revoked or expired key or session, a
/// disabled or removed user (or key creator) or a suspended tenant is
/// refused as it would be on a new request; a changed role or scope set is
/// taken into account.
pub async fn recheck(state: &AppState, ctx: &TenantCtx) -> AppResult<TenantCtx> {
    let now = state.now();
    let actor = match &ctx.actor {
        Actor::ApiKey { key_id, .. } => {
            let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
            let key = match tx.find_api_key(*key_id).await {
                Ok(k) => k,
                Err(StoreError::NotFound) => return Err(revoked()),
                Err(e) => return Err(e.into()),
            };
            tx.commit().await?;
            if !key.is_live(now) {
                return Err(revoked());
            }
            Actor::ApiKey {
                key_id: *key_id,
                scopes: key_scopes(state, &key).await?.into(),
            }
        }
        Actor::User {
            user_id,
            session_id,
            ..
        } => Actor::User {
            user_id: *user_id,
            role: live_user_role(state, ctx.tenant_id, *session_id, *user_id).await?,
            session_id: *session_id,
        },
        other => other.clone(),
    };
    tenant_not_suspended(state, ctx.tenant_id).await?;
    Ok(TenantCtx {
        tenant_id: ctx.tenant_id,
        actor,
        ip: ctx.ip.clone(),
    })
}
