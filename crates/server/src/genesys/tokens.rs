//! Genesys OAuth tokens, cached per workspace and refreshed a minute
//! before they expire; a call answered `401` refreshes once and tries
//! again ([`call`]). The cache is per node: each node obtains its own.

use crate::state::AppState;
use domain::{TenantId, Timestamp};
use genesys::{GenesysError, Session};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long before its expiry a token is replaced, in milliseconds.
const REFRESH_BEFORE_MS: i64 = 60_000;

#[derive(Debug, Clone)]
struct Cached {
    host: String,
    client_id: String,
    token: String,
    expires_at: Timestamp,
}

/// Tokens by workspace.
#[derive(Debug, Default)]
pub struct Tokens {
    cached: Mutex<HashMap<TenantId, Cached>>,
}

impl Tokens {
    /// Drops `tenant`'s token (its credentials changed, or Genesys refused it).
    pub fn forget(&self, tenant: TenantId) {
        if let Ok(mut map) = self.cached.lock() {
            map.remove(&tenant);
        }
    }

    fn get(&self, tenant: TenantId, host: &str, client_id: &str, now: Timestamp) -> Option<String> {
        let map = self.cached.lock().ok()?;
        let c = map.get(&tenant)?;
        let fresh = c.host == host
            && c.client_id == client_id
            && now.as_millis() + REFRESH_BEFORE_MS < c.expires_at.as_millis();
        fresh.then(|| c.token.clone())
    }

    fn put(&self, tenant: TenantId, c: Cached) {
        if let Ok(mut map) = self.cached.lock() {
            map.insert(tenant, c);
        }
    }
}

/// Why a call to Genesys did not happen or did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The workspace has no Genesys credentials (any more).
    #[error("this workspace has no Genesys credentials")]
    NotConfigured,
    #[error(transparent)]
    Genesys(#[from] GenesysError),
    #[error("{0:#}")]
    Internal(anyhow::Error),
}

/// A workspace's credentials, opened.
pub struct Credentials {
    pub host: String,
    pub client_id: String,
    pub client_secret: String,
}

async fn credentials(state: &AppState, tenant: TenantId) -> Result<Credentials, CallError> {
    let mut tx = state
        .store
        .tenant_read(tenant)
        .await
        .map_err(|e| CallError::Internal(e.into()))?;
    let account = tx
        .find_genesys_account()
        .await
        .map_err(|e| CallError::Internal(e.into()))?;
    tx.commit()
        .await
        .map_err(|e| CallError::Internal(e.into()))?;
    let account = account.ok_or(CallError::NotConfigured)?;
    let client_secret = state
        .secrets
        .open_str(&account.client_secret)
        .map_err(|e| CallError::Internal(anyhow::anyhow!("{e}")))?;
    Ok(Credentials {
        host: account.region,
        client_id: account.client_id,
        client_secret,
    })
}

/// A token for `tenant`: the cached one, or a new one.
async fn token(
    state: &AppState,
    tenant: TenantId,
    creds: &Credentials,
) -> Result<String, CallError> {
    let now = state.now();
    if let Some(t) = state
        .genesys
        .tokens
        .get(tenant, &creds.host, &creds.client_id, now)
    {
        return Ok(t);
    }
    let fresh = state
        .genesys
        .client
        .token(&creds.host, &creds.client_id, &creds.client_secret)
        .await?;
    let expires_at = Timestamp::from_millis(
        now.as_millis() + fresh.expires_in_seconds.max(0).saturating_mul(1000),
    );
    state.genesys.tokens.put(
        tenant,
        Cached {
            host: creds.host.clone(),
            client_id: creds.client_id.clone(),
            token: fresh.access_token.clone(),
            expires_at,
        },
    );
    Ok(fresh.access_token)
}

/// A token for a workspace's organisation, and where to use it.
pub struct Access {
    tenant: TenantId,
    creds: Credentials,
    token: String,
}

impl Access {
    /// `tenant`'s credentials and a valid token (cached or new).
    pub async fn of(state: &AppState, tenant: TenantId) -> Result<Access, CallError> {
        let creds = credentials(state, tenant).await?;
        let token = token(state, tenant, &creds).await?;
        Ok(Access {
            tenant,
            creds,
            token,
        })
    }

    pub fn session(&self) -> Session<'_> {
        Session {
            host: &self.creds.host,
            token: &self.token,
        }
    }

    /// Replaces the token Genesys refused with a new one.
    pub async fn renew(&mut self, state: &AppState) -> Result<(), CallError> {
        state.genesys.tokens.forget(self.tenant);
        self.token = token(state, self.tenant, &self.creds).await?;
        Ok(())
    }
}

/// Runs `$call` (an expression of the client `$c` and session `$s`)
/// against workspace `$tenant`'s Genesys organisation with a valid token;
/// answered `401`, obtains a new token and runs it once more. Evaluates to
/// `Result<_, CallError>`.
macro_rules! call {
    ($state:expr, $tenant:expr, |$c:ident, $s:ident| $call:expr) => {
        async {
            let state: &$crate::state::AppState = $state;
            let mut access = $crate::genesys::tokens::Access::of(state, $tenant).await?;
            let $c = &state.genesys.client;
            let first = {
                let $s = &access.session();
                $call.await
            };
            match first {
                Err(e) if e.is_unauthorized() => {
                    access.renew(state).await?;
                    let $s = &access.session();
                    Ok::<_, $crate::genesys::tokens::CallError>($call.await?)
                }
                other => Ok(other?),
            }
        }
    };
}
pub(crate) use call;
