use crate::auth::password;
use crate::auth::tokens::hash_token;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::ApiJson;
use crate::state::AppState;
use crate::team::api::me::UserView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{PlanLimits, TenantStatus};
use serde::Deserialize;
use serde_json::json;
use store::StoreError;
use store::audit::{Actor, NewAuditEntry};
use store::auth::NewUser;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvite {
    /// The invitation token (`sbi_…`).
    pub token: String,
    pub name: String,
    pub password: String,
}

/// Accept an invitation: creates the user with the invited role.
#[utoipa::path(post, path = "/api/v1/auth/accept-invite", tag = "auth", request_body = AcceptInvite,
    responses((status = 201, body = UserView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<AcceptInvite>,
) -> AppResult<(StatusCode, Json<UserView>)> {
    let now = state.now();
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::validation("name", "must be 1 to 120 characters"));
    }
    password::check_policy(&body.password)?;
    let mut sys = state.store.system().await?;
    let invite = match sys
        .find_invite_by_token_hash(&hash_token(&body.token))
        .await
    {
        Ok(i) => i,
        Err(StoreError::NotFound) => {
            return Err(AppError::Rule(
                "invite_invalid",
                "this invitation does not exist".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let tenant = sys.find_tenant(invite.tenant_id).await?;
    sys.commit().await?;
    if invite.accepted_at.is_some() || now >= invite.expires_at {
        return Err(AppError::Rule(
            "invite_invalid",
            "this invitation was already used or has expired".into(),
        ));
    }
    if tenant.status == TenantStatus::Suspended {
        return Err(AppError::TenantSuspended(
            tenant
                .status_reason
                .unwrap_or_else(|| "no reason given".into()),
        ));
    }
    let hash = password::hash(&body.password).await?;
    let mut tx = state.store.tenant(invite.tenant_id).await?;
    let plan = tx.find_plan().await?;
    if !PlanLimits::admits(plan.limits.agents, tx.count_active_users().await?) {
        return Err(AppError::TooManyRequests(
            "plan_limit_reached",
            format!(
                "the {} plan allows {} users",
                plan.name,
                plan.limits.agents.unwrap_or(0)
            ),
            0,
        ));
    }
    if !tx.accept_invite(invite.id, now).await? {
        return Err(AppError::Rule(
            "invite_invalid",
            "this invitation was already used".into(),
        ));
    }
    let user = tx
        .insert_user(NewUser {
            email: &invite.email,
            name,
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
    Ok((StatusCode::CREATED, Json(UserView::from(user))))
}
