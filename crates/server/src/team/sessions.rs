//! Signing in (password, then TOTP or a recovery code once enrolled),
//! refreshing a token session, and signing out.
//!
//! A session is a row; its secret (a refresh token or a cookie value) is
//! returned once and only its hash is kept.

use crate::auth::principal::SESSION_COOKIE;
use crate::auth::throttle::{self, Attempt};
use crate::auth::tokens::{Claims, hash_token, new_token};
use crate::auth::{TenantCtx, password, totp};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{SessionId, TenantId, TenantStatus, Timestamp};
use serde_json::json;
use store::StoreError;
use store::audit::{Actor, NewAuditEntry};
use store::auth::{NewSession, SessionKind, User};
use store::tenancy::Tenant;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const REFRESH_TOKEN_DAYS: i64 = 30;
pub const COOKIE_SESSION_DAYS: i64 = 7;

/// The `Set-Cookie` value that ends a browser session.
pub const SIGNED_OUT_COOKIE: &str = "sb_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0";

/// A sign-in attempt.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The tenant's slug (from the request, or the tenant's own subdomain).
    pub tenant: Option<String>,
    pub email: String,
    pub password: String,
    /// Required once TOTP is enrolled (or a recovery code instead).
    pub totp_code: Option<String>,
    pub recovery_code: Option<String>,
    /// A refresh-token session (API clients) or a cookie one (the dashboard).
    pub kind: SessionKind,
    /// The client's address, for throttling and the audit log.
    pub ip: Option<String>,
}

/// A session just opened (or refreshed), with its secret.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub tenant_id: TenantId,
    pub user: User,
    pub session_id: SessionId,
    pub kind: SessionKind,
    /// The refresh token (`sbr_…`) or the cookie value (`sbs_…`).
    pub secret: String,
    /// A signed access token, for refresh-token sessions only.
    pub access_token: Option<String>,
}

fn invalid() -> AppError {
    AppError::Unauthorized(
        "invalid_credentials",
        "wrong tenant, email or password".into(),
    )
}

fn suspended(tenant: Tenant) -> AppError {
    AppError::TenantSuspended(
        tenant
            .status_reason
            .unwrap_or_else(|| "no reason given".into()),
    )
}

/// Signs a user in. Failures count against the account, the address and
/// the two together, on counters every node shares (the throttle slows
/// guessing down before the password is even checked; `auth::throttle`),
/// and every failure answers alike so it does not tell which part was
/// wrong.
pub async fn sign_in(state: &AppState, input: SignIn) -> AppResult<SignedIn> {
    let now = state.now();
    let slug = input
        .tenant
        .ok_or_else(|| AppError::validation("tenant", "name the tenant (its slug)"))?;
    let email = input.email.trim().to_lowercase();
    let ip = input.ip;
    let attempt = Attempt::new(&format!("user:{slug}:{email}"), ip.as_deref());
    throttle::check(state, &attempt, now).await?;

    let mut sys = state.store.system_read().await?;
    let tenant = match sys.find_tenant_by_slug(&slug).await {
        Ok(t) => Some(t),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    sys.commit().await?;
    let user = match &tenant {
        Some(t) => {
            let mut tx = state.store.tenant_read(t.id).await?;
            let found = match tx.find_user_by_email(&email).await {
                Ok(u) => Some(u),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            tx.commit().await?;
            found
        }
        None => None,
    };
    // Verified even without a user, so timing does not tell who exists.
    let ok = password::verify(
        &input.password,
        user.as_ref().map(|u| u.password_hash.as_str()),
    )
    .await;
    let (Some(tenant), Some(user)) = (tenant, user.filter(|u| ok && u.disabled_at.is_none()))
    else {
        throttle::record_failure(state, &attempt, now).await?;
        return Err(invalid());
    };
    if tenant.status == TenantStatus::Suspended {
        return Err(suspended(tenant));
    }

    let mut tx = state.store.tenant(tenant.id).await?;
    if user.mfa_enabled() {
        let passed = match (&input.totp_code, &input.recovery_code, &user.totp_secret) {
            (Some(code), _, Some(sealed)) => {
                let secret = state.secrets.open_str(sealed).map_err(AppError::internal)?;
                // A code works once: its time step is spent with it.
                match totp::matching_step(&secret, code, now.as_unix_seconds()) {
                    Some(step) => tx.use_totp_step(user.id, step).await?,
                    None => false,
                }
            }
            (None, Some(code), _) => {
                let hash = hash_token(&totp::normalise_recovery_code(code));
                tx.use_recovery_code(user.id, &hash, now).await?
            }
            _ => {
                return Err(AppError::Unauthorized(
                    "mfa_required",
                    "this account uses two-factor authentication: send totp_code".into(),
                ));
            }
        };
        if !passed {
            // Rolled back first: on SQLite it holds the one writer, which
            // counting the failure needs.
            drop(tx);
            throttle::record_failure(state, &attempt, now).await?;
            return Err(AppError::Unauthorized(
                "invalid_mfa_code",
                "the two-factor code is wrong or expired".into(),
            ));
        }
    }

    let (days, prefix) = match input.kind {
        SessionKind::Refresh => (REFRESH_TOKEN_DAYS, "sbr_"),
        SessionKind::Cookie => (COOKIE_SESSION_DAYS, "sbs_"),
    };
    let secret = new_token(prefix);
    let session = tx
        .insert_session(NewSession {
            user_id: user.id,
            kind: input.kind,
            token_hash: &hash_token(&secret),
            ip: ip.as_deref(),
            now,
            expires_at: now.plus_seconds(days * 86_400),
        })
        .await?;
    // Nobody was signed in yet: the user is the actor.
    tx.insert_audit(NewAuditEntry {
        actor: Actor::User(user.id),
        action: "auth.login",
        target_kind: "session",
        target_id: Some(session.id.to_string()),
        ip: ip.as_deref(),
        details: json!({ "mode": if input.kind == SessionKind::Cookie { "cookie" } else { "token" } }),
        now,
    })
    .await?;
    tx.commit().await?;
    // After the commit: the counters are written in a transaction of
    // their own, which on SQLite could not begin while `tx` held the writer.
    throttle::succeeded(state, &attempt).await;

    let access_token = match input.kind {
        SessionKind::Refresh => Some(issue_access_token(
            state, tenant.id, &user, session.id, now,
        )?),
        SessionKind::Cookie => None,
    };
    Ok(SignedIn {
        tenant_id: tenant.id,
        user,
        session_id: session.id,
        kind: input.kind,
        secret,
        access_token,
    })
}

/// Trades a refresh token for a new access token and a new refresh token;
/// the old refresh token stops working, so a leaked one is good only once.
pub async fn refresh_session(state: &AppState, refresh_token: &str) -> AppResult<SignedIn> {
    let now = state.now();
    let invalid = || {
        AppError::Unauthorized(
            "invalid_credentials",
            "refresh token is invalid, expired or revoked".into(),
        )
    };
    let mut sys = state.store.system().await?;
    let session = match sys
        .find_session_by_token_hash(&hash_token(refresh_token))
        .await
    {
        Ok(s) => s,
        Err(StoreError::NotFound) => return Err(invalid()),
        Err(e) => return Err(e.into()),
    };
    let tenant = sys.find_tenant(session.tenant_id).await?;
    sys.commit().await?;
    if session.kind != SessionKind::Refresh || !session.is_live(now) {
        return Err(invalid());
    }
    if tenant.status == TenantStatus::Suspended {
        return Err(suspended(tenant));
    }
    let mut tx = state.store.tenant(tenant.id).await?;
    let user = tx.find_user(session.user_id).await?;
    if user.disabled_at.is_some() {
        return Err(invalid());
    }
    let secret = new_token("sbr_");
    tx.rotate_session_token(
        session.id,
        &hash_token(&secret),
        now.plus_seconds(REFRESH_TOKEN_DAYS * 86_400),
    )
    .await?;
    tx.commit().await?;
    let access_token = issue_access_token(state, tenant.id, &user, session.id, now)?;
    Ok(SignedIn {
        tenant_id: tenant.id,
        user,
        session_id: session.id,
        kind: SessionKind::Refresh,
        secret,
        access_token: Some(access_token),
    })
}

/// Signs out: the caller's session (and every access token of it) stops
/// working.
pub async fn sign_out(state: &AppState, ctx: &TenantCtx) -> AppResult<()> {
    let (_, _, session) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.revoke_session(session, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        ctx,
        now,
        "auth.logout",
        ("session", session.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A signed access token for `user` in `session`.
pub fn issue_access_token(
    state: &AppState,
    tenant: TenantId,
    user: &User,
    session: SessionId,
    now: Timestamp,
) -> AppResult<String> {
    let claims = Claims {
        sub: user.id.as_uuid(),
        tid: Some(tenant.as_uuid()),
        sid: session.as_uuid(),
        kind: "access".into(),
        iat: now.as_unix_seconds(),
        exp: now.plus_seconds(ACCESS_TOKEN_SECONDS).as_unix_seconds(),
    };
    state
        .jwt
        .sign(&claims)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("signing access token")))
}

/// The `Set-Cookie` value that carries a browser session's secret.
pub fn session_cookie(state: &AppState, secret: &str) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        COOKIE_SESSION_DAYS * 86_400
    )
}
