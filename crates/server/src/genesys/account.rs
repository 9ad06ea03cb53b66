//! A workspace's Genesys Cloud credentials: the region and an OAuth client
//! (client credentials grant). Set only once Genesys gave a token for
//! them; the secret is sealed at rest and never shown again.

use super::tokens::CallError;
use crate::auth::TenantCtx;
use crate::error::{AppError, AppResult};
use crate::events::{Event, record};
use crate::state::AppState;
use domain::Permission;
use domain::events::GenesysAccountUpdated;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::genesys::GenesysAccount;
use utoipa::ToSchema;

/// The credentials as set.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    /// A region name (`eu-west-1`) or its host (`mypurecloud.ie`).
    pub region: String,
    pub client_id: String,
    /// Required the first time; left out, the stored secret is kept.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// The credentials as shown (never the secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountView {
    /// The region's host.
    pub region: String,
    pub client_id: String,
    /// When Genesys last gave a token for these credentials.
    pub verified_at: String,
}

impl From<&GenesysAccount> for AccountView {
    fn from(a: &GenesysAccount) -> Self {
        AccountView {
            region: a.region.clone(),
            client_id: a.client_id.clone(),
            verified_at: a.verified_at.to_rfc3339_millis(),
        }
    }
}

/// The workspace's credentials, if set (`settings:manage`).
pub async fn get_account(state: &AppState, ctx: &TenantCtx) -> AppResult<Option<AccountView>> {
    ctx.require(Permission::SettingsManage)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let account = tx.find_genesys_account().await?;
    tx.commit().await?;
    Ok(account.as_ref().map(AccountView::from))
}

/// Checks `input`, obtains a token with it, and stores it sealed
/// (`settings:manage`); audited as `genesys.account`, told as
/// `genesys_account.updated`.
pub async fn set_account(
    state: &AppState,
    ctx: &TenantCtx,
    input: AccountInput,
) -> AppResult<AccountView> {
    ctx.require(Permission::SettingsManage)?;
    let host =
        genesys::region::host_of(&input.region).map_err(|m| AppError::validation("region", m))?;
    let client_id = input.client_id.trim().to_owned();
    if client_id.is_empty() || client_id.len() > 200 {
        return Err(AppError::validation(
            "client_id",
            "from 1 to 200 characters",
        ));
    }
    let stored = {
        let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
        let a = tx.find_genesys_account().await?;
        tx.commit().await?;
        a
    };
    let secret = match (input.client_secret.as_deref().map(str::trim), &stored) {
        (Some(s), _) if !s.is_empty() && s.len() <= 500 => s.to_owned(),
        (Some(_), _) => {
            return Err(AppError::validation(
                "client_secret",
                "from 1 to 500 characters",
            ));
        }
        (None, Some(a)) => state
            .secrets
            .open_str(&a.client_secret)
            .map_err(AppError::internal)?,
        (None, None) => return Err(AppError::validation("client_secret", "required")),
    };
    verify(state, &host, &client_id, &secret).await?;
    let now = state.now();
    let account = GenesysAccount {
        region: host,
        client_id,
        client_secret: state.secrets.seal_str(&secret),
        verified_at: now,
        created_at: stored.as_ref().map_or(now, |a| a.created_at),
        updated_at: now,
    };
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.upsert_genesys_account(&account).await?;
    let event = GenesysAccountUpdated {
        region: account.region.clone(),
        client_id: account.client_id.clone(),
    };
    record(&mut tx, Event::GenesysAccountUpdated(event), now);
    let details = json!({ "region": account.region, "client_id": account.client_id,
        "secret_changed": input.client_secret.is_some() });
    let target = ("tenant", ctx.tenant_id.to_string());
    crate::audit::tenant_change(&mut tx, ctx, now, "genesys.account", target, details).await?;
    tx.commit().await?;
    state.genesys.tokens.forget(ctx.tenant_id);
    Ok(AccountView::from(&account))
}

/// Removes the workspace's credentials (`settings:manage`); the numbers'
/// links stay, idle, until credentials are set again. Audited as
/// `genesys.account_removed`.
pub async fn remove_account(state: &AppState, ctx: &TenantCtx) -> AppResult<()> {
    ctx.require(Permission::SettingsManage)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    if !tx.delete_genesys_account().await? {
        return Err(AppError::NotFound);
    }
    let target = ("tenant", ctx.tenant_id.to_string());
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "genesys.account_removed",
        target,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    state.genesys.tokens.forget(ctx.tenant_id);
    Ok(())
}

/// Asks Genesys for a token with these credentials.
async fn verify(state: &AppState, host: &str, client_id: &str, secret: &str) -> AppResult<()> {
    match state.genesys.client.token(host, client_id, secret).await {
        Ok(_) => Ok(()),
        Err(e) => Err(refusal(CallError::Genesys(e))),
    }
}

/// A failed call to Genesys as the API answers it.
pub fn refusal(e: CallError) -> AppError {
    match e {
        CallError::NotConfigured => AppError::Rule(
            "genesys_not_configured",
            "set this workspace's Genesys credentials first".into(),
        ),
        CallError::Genesys(e) if e.is_retryable() => {
            AppError::Unavailable("genesys_unavailable", format!("{e}"))
        }
        CallError::Genesys(e) => AppError::Rule("genesys_refused", format!("{e}")),
        CallError::Internal(e) => AppError::internal(e),
    }
}
