//! The operator's sign-in and sign-out, and the command line's reset of
//! the operator's password.

use crate::auth::OperatorCtx;
use crate::auth::password;
use crate::auth::throttle::{self, Attempt};
use crate::auth::tokens::{Claims, hash_token, new_token};
use crate::crypto::random_token;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use serde_json::json;
use store::StoreError;
use store::audit::NewAuditEntry;

/// Operator tokens last 12 hours.
pub const OPERATOR_TOKEN_SECONDS: i64 = 12 * 3600;

/// An operator's sign-in attempt.
#[derive(Debug, Clone)]
pub struct OperatorSignIn {
    pub email: String,
    pub password: String,
    /// The caller's address, throttled alongside the account.
    pub ip: Option<String>,
}

/// A signed-in operator's access token.
#[derive(Debug, Clone)]
pub struct OperatorToken {
    pub access_token: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Signs the operator in. Failures are throttled per account, per address
/// and per both, with growing delays rather than a lock, on counters every
/// node shares (`auth::throttle`), and a wrong email costs as much as a
/// wrong password.
pub async fn sign_in(state: &AppState, input: OperatorSignIn) -> AppResult<OperatorToken> {
    let now = state.now();
    let email = input.email.trim().to_lowercase();
    let ip = input.ip.unwrap_or_default();
    let attempt = Attempt::new(&format!("operator:{email}"), Some(ip.as_str()));
    throttle::check(state, &attempt, now).await?;
    // Look up, then check the password, with no write transaction open:
    // the hash takes tens of milliseconds, and on SQLite a write
    // transaction would hold up every writer (the webhook intake first).
    let mut sys = state.store.system_read().await?;
    let operator = match sys.find_operator_by_email(&email).await {
        Ok(o) => Some(o),
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    sys.commit().await?;
    let ok = password::verify(
        &input.password,
        operator.as_ref().map(|o| o.password_hash.as_str()),
    )
    .await;
    let Some(operator) = operator.filter(|_| ok) else {
        // Counted in the database, in a short write transaction of its own
        // (the password hash above ran outside any), before the answer:
        // the next try, on any node, sees it.
        throttle::record_failure(state, &attempt, now).await?;
        return Err(AppError::Unauthorized(
            "invalid_credentials",
            "wrong email or password".into(),
        ));
    };
    throttle::succeeded(state, &attempt).await;
    let expires = now.plus_seconds(OPERATOR_TOKEN_SECONDS);
    let mut sys = state.store.system().await?;
    let sid = sys
        .insert_operator_session(operator.id, &hash_token(&new_token("sbo_")), now, expires)
        .await?;
    let entry = NewAuditEntry {
        actor: store::audit::Actor::Operator(operator.id),
        action: "operator.sign_in",
        target_kind: "operator",
        target_id: Some(operator.id.to_string()),
        ip: (!ip.is_empty()).then_some(ip.as_str()),
        details: json!({}),
        now,
    };
    sys.insert_audit(None, entry).await?;
    sys.commit().await?;
    let claims = Claims {
        sub: operator.id.as_uuid(),
        tid: None,
        sid: sid.as_uuid(),
        kind: "operator".into(),
        iat: now.as_unix_seconds(),
        exp: expires.as_unix_seconds(),
    };
    let access_token = state
        .jwt
        .sign(&claims)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("signing operator token")))?;
    Ok(OperatorToken {
        access_token,
        expires_in: OPERATOR_TOKEN_SECONDS,
    })
}

/// Signs the operator out: the session's token stops working at once.
pub async fn sign_out(state: &AppState, ctx: &OperatorCtx) -> AppResult<()> {
    let now = state.now();
    let mut sys = state.store.system().await?;
    sys.revoke_operator_session(ctx.session_id, now).await?;
    let entry = NewAuditEntry {
        actor: ctx.audit_actor(),
        action: "operator.sign_out",
        target_kind: "operator",
        target_id: Some(ctx.operator_id.to_string()),
        ip: ctx.ip.as_deref(),
        details: json!({}),
        now,
    };
    sys.insert_audit(None, entry).await?;
    sys.commit().await?;
    Ok(())
}

/// Gives the operator with this email a new random password, returned once
/// (`switchboard admin reset-operator-password`, for a forgotten one).
pub async fn reset_password(state: &AppState, email: &str) -> AppResult<String> {
    let password = random_token::<18>();
    let hash = password::hash(&password).await?;
    let mut sys = state.store.system().await?;
    sys.set_operator_password(email, &hash, state.now()).await?;
    sys.commit().await?;
    Ok(password)
}
