//! "Forgot password": a link by email to set a new password, for users and
//! operators alike.
//!
//! Asking never says whether the address has an account (the answer is
//! the same either way), a link only goes to the address on the account,
//! and at most one goes every [`RESET_EVERY_MINUTES`]. A link works once, for [`RESET_MINUTES`]; using it signs every
//! session of the account out and clears the sign-in throttle's counters
//! for it. The token is kept only as its hash; the email carrying it is
//! sealed in the outbox like every email.

use super::password;
use super::throttle::Attempt;
use super::tokens::{hash_token, new_token};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{Email, Slug, TenantStatus};
use serde_json::json;
use store::StoreError;
use store::audit::{Actor, NewAuditEntry};

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 60;

/// One link per account per this many minutes: asking again sooner sends
/// nothing (the earlier link still works), so the form cannot flood
/// someone's inbox.
pub const RESET_EVERY_MINUTES: i64 = 5;

/// Whose password is to be reset.
#[derive(Debug, Clone)]
pub enum Account {
    /// A user of the workspace with this slug.
    User {
        tenant: Slug,
        email: Email,
    },
    Operator {
        email: Email,
    },
}

/// Sends a reset link to `account`'s address if the account exists and
/// may sign in; does nothing otherwise. The caller answers the same in
/// both cases.
pub async fn request_reset(state: &AppState, account: Account) -> AppResult<()> {
    let now = state.now();
    let token = new_token("sbr_");
    let expires = now.plus_seconds(RESET_MINUTES * 60);
    let public = &state.config.public_url;
    match account {
        Account::User { tenant, email } => {
            let mut sys = state.store.system_read().await?;
            let found = sys.find_tenant_by_slug(tenant.as_str()).await;
            sys.commit().await?;
            let tenant = match found {
                Ok(t) if t.status != TenantStatus::Suspended => t,
                Ok(_) | Err(StoreError::NotFound) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let mut tx = state.store.tenant(tenant.id).await?;
            let user = match tx.find_user_by_email(email.as_str()).await {
                Ok(u) if u.disabled_at.is_none() => u,
                Ok(_) | Err(StoreError::NotFound) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let recent = now.plus_seconds(-RESET_EVERY_MINUTES * 60);
            if tx.password_reset_since(user.id, recent).await? {
                return Ok(());
            }
            tx.insert_password_reset(user.id, &hash_token(&token), expires, now)
                .await?;
            let url = format!("{public}/app/reset-password?token={token}");
            let mail = crate::email::messages::password_reset(
                &user.email,
                &tenant.name,
                &url,
                RESET_MINUTES,
            );
            crate::email::outbox::queue(state, &mut tx, &mail, now).await?;
            tx.commit().await?;
        }
        Account::Operator { email } => {
            let mut sys = state.store.system().await?;
            let operator = match sys.find_operator_by_email(email.as_str()).await {
                Ok(o) => o,
                Err(StoreError::NotFound) => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let recent = now.plus_seconds(-RESET_EVERY_MINUTES * 60);
            if sys
                .operator_password_reset_since(operator.id, recent)
                .await?
            {
                return Ok(());
            }
            sys.insert_operator_password_reset(operator.id, &hash_token(&token), expires, now)
                .await?;
            let url = format!("{public}/app/operator/reset-password?token={token}");
            let mail = crate::email::messages::password_reset(
                &operator.email,
                "the Switchboard operator console",
                &url,
                RESET_MINUTES,
            );
            crate::email::outbox::queue_system(state, &mut sys, None, &mail, now).await?;
            sys.commit().await?;
        }
    }
    Ok(())
}

/// Which kind of account a link is for: a users' link does nothing on the
/// operators' form, and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    User,
    Operator,
}

/// Sets a new password with a reset link's token. A token that is unknown,
/// used, out of date or for the other kind of account is one answer:
/// `422 reset_link_invalid`.
pub async fn reset_password(
    state: &AppState,
    kind: AccountKind,
    token: &str,
    new_password: &str,
) -> AppResult<()> {
    password::check_policy(new_password)?;
    let invalid = || {
        AppError::Rule(
            "reset_link_invalid",
            "this link is unknown, used or out of date: ask for a new one".into(),
        )
    };
    let mut sys = state.store.system_read().await?;
    let reset = match sys.find_password_reset(&hash_token(token)).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(invalid()),
        Err(e) => return Err(e.into()),
    };
    sys.commit().await?;
    let now = state.now();
    if reset.used_at.is_some() || now >= reset.expires_at {
        return Err(invalid());
    }
    // Hashing is slow: no transaction stays open across it.
    let hash = password::hash(new_password).await?;
    match (kind, reset.tenant_id, reset.user_id, reset.operator_id) {
        (AccountKind::User, Some(tenant), Some(user), _) => {
            let mut tx = state.store.tenant(tenant).await?;
            if !tx.use_password_reset(reset.id, now).await? {
                return Err(invalid());
            }
            let email = tx.find_user(user).await?.email;
            let slug = tx.find_tenant().await?.slug;
            tx.set_user_password(user, &hash, now).await?;
            tx.revoke_user_sessions(user, now).await?;
            tx.insert_audit(NewAuditEntry {
                actor: Actor::User(user),
                action: "user.password_reset",
                target_kind: "user",
                target_id: Some(user.to_string()),
                ip: None,
                details: json!({}),
                now,
            })
            .await?;
            tx.commit().await?;
            let account = format!("user:{slug}:{email}");
            super::throttle::succeeded(state, &Attempt::new(&account, None)).await;
            Ok(())
        }
        (AccountKind::Operator, _, _, Some(operator)) => {
            let mut sys = state.store.system().await?;
            if !sys.use_operator_password_reset(reset.id, now).await? {
                return Err(invalid());
            }
            let email = sys.find_operator(operator).await?.email;
            sys.set_operator_password(&email, &hash, now).await?;
            sys.revoke_operator_sessions(operator, now).await?;
            sys.insert_audit(
                None,
                NewAuditEntry {
                    actor: Actor::Operator(operator),
                    action: "operator.password_reset",
                    target_kind: "operator",
                    target_id: Some(operator.to_string()),
                    ip: None,
                    details: json!({}),
                    now,
                },
            )
            .await?;
            sys.commit().await?;
            let account = format!("operator:{email}");
            super::throttle::succeeded(state, &Attempt::new(&account, None)).await;
            Ok(())
        }
        _ => Err(invalid()),
    }
}
