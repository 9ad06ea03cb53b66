use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::tenancy::{self, CreateTenant};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Email, Slug, TenantId, TenantStatus, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::tenancy::Tenant;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct TenantView {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    pub status: TenantStatus,
    /// Why the tenant is suspended, when it is.
    pub status_reason: Option<String>,
    pub plan: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        TenantView {
            id: t.id,
            name: t.name,
            slug: t.slug,
            status: t.status,
            status_reason: t.status_reason,
            plan: t.plan_code,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    pub name: String,
    /// Lowercase letters, digits and hyphens; the tenant's subdomain.
    #[schema(value_type = String, example = "acme-shoes")]
    pub slug: Slug,
    /// Plan code; `starter` when omitted.
    pub plan: Option<String>,
    /// Who receives the first owner invitation.
    #[schema(value_type = String, format = "email")]
    pub owner_email: Email,
    /// `trial` (default) or `active`.
    pub status: Option<TenantStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTenantView {
    pub tenant: TenantView,
    pub owner_invite: OwnerInvite,
    pub api_key: FirstApiKey,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerInvite {
    pub email: String,
    /// Shown once. Accept with `POST /api/v1/auth/accept-invite`.
    pub token: String,
    pub accept_url: String,
    pub expires_at: Timestamp,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FirstApiKey {
    pub id: domain::ApiKeyId,
    /// Shown once; only a hash is kept.
    pub secret: String,
    pub prefix: String,
}

/// Create a tenant with its first owner invitation and API key.
#[utoipa::path(post, path = "/api/v1/operator/tenants", tag = "operator",
    request_body = CreateTenantRequest,
    responses((status = 201, body = CreatedTenantView), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiJson(body): ApiJson<CreateTenantRequest>,
) -> AppResult<(StatusCode, Json<CreatedTenantView>)> {
    let status = body.status.unwrap_or(TenantStatus::Trial);
    if status == TenantStatus::Suspended {
        return Err(crate::error::AppError::validation(
            "status",
            "a new tenant is `trial` or `active`",
        ));
    }
    let created = tenancy::create_tenant(
        &state.store,
        state.now(),
        ctx.audit_actor(),
        ctx.ip.as_deref(),
        CreateTenant {
            name: body.name,
            slug: body.slug,
            plan: body.plan.unwrap_or_else(|| "starter".into()),
            owner_email: body.owner_email,
            status,
        },
    )
    .await?;
    let accept_url = format!(
        "{}/app/accept-invite?token={}",
        state.config.public_url, created.owner_invite_token
    );
    Ok((
        StatusCode::CREATED,
        Json(CreatedTenantView {
            tenant: created.tenant.into(),
            owner_invite: OwnerInvite {
                email: created.owner_invite.email,
                token: created.owner_invite_token,
                accept_url,
                expires_at: created.owner_invite.expires_at,
            },
            api_key: FirstApiKey {
                id: created.api_key.id,
                secret: created.api_key_secret,
                prefix: created.api_key.prefix,
            },
        }),
    ))
}

/// List tenants, newest first.
#[utoipa::path(get, path = "/api/v1/operator/tenants", tag = "operator", params(PageQuery),
    responses((status = 200, body = Paged<TenantView>)), security(("bearer" = [])))]
pub async fn list_tenants(
    State(state): State<AppState>,
    _ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<TenantView>>> {
    let mut sys = state.store.system_read().await?;
    let page = sys.list_tenants(q.request()?).await?;
    sys.commit().await?;
    Ok(Json(Paged::from_page(page, TenantView::from)))
}

/// One tenant. The look is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/operator/tenants/{tenant_id}", tag = "operator",
    params(("tenant_id" = TenantId, Path)),
    responses((status = 200, body = TenantView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
) -> AppResult<Json<TenantView>> {
    let mut sys = state.store.system().await?;
    let tenant = sys.find_tenant(id).await?;
    crate::audit::operator_action(
        &mut sys,
        &ctx,
        Some(id),
        state.now(),
        "operator.view_tenant",
        ("tenant", id.to_string()),
        json!({}),
    )
    .await?;
    sys.commit().await?;
    Ok(Json(tenant.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    pub name: Option<String>,
    /// Move the tenant to this plan.
    pub plan: Option<String>,
}

/// Rename a tenant or change its plan.
#[utoipa::path(patch, path = "/api/v1/operator/tenants/{tenant_id}", tag = "operator",
    params(("tenant_id" = TenantId, Path)), request_body = UpdateTenantRequest,
    responses((status = 200, body = TenantView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiJson(body): ApiJson<UpdateTenantRequest>,
) -> AppResult<Json<TenantView>> {
    let t = tenancy::update_tenant(
        &state.store,
        state.now(),
        ctx.audit_actor(),
        ctx.ip.as_deref(),
        id,
        body.name.as_deref(),
        body.plan.as_deref(),
    )
    .await?;
    Ok(Json(t.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Shown to the tenant on every call while suspended.
    pub reason: String,
}

/// Suspend a tenant: its API answers 423 with the reason; its inbound
/// traffic is held, not lost.
#[utoipa::path(post, path = "/api/v1/operator/tenants/{tenant_id}/suspend", tag = "operator",
    params(("tenant_id" = TenantId, Path)), request_body = SuspendRequest,
    responses((status = 200, body = TenantView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn suspend_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
    ApiJson(body): ApiJson<SuspendRequest>,
) -> AppResult<Json<TenantView>> {
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(crate::error::AppError::validation(
            "reason",
            "must be 1 to 500 characters",
        ));
    }
    let t = tenancy::set_status(
        &state.store,
        state.now(),
        ctx.audit_actor(),
        ctx.ip.as_deref(),
        id,
        Some(reason),
    )
    .await?;
    Ok(Json(t.into()))
}

/// Reactivate a suspended tenant.
#[utoipa::path(post, path = "/api/v1/operator/tenants/{tenant_id}/reactivate", tag = "operator",
    params(("tenant_id" = TenantId, Path)),
    responses((status = 200, body = TenantView), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reactivate_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiPath(id): ApiPath<TenantId>,
) -> AppResult<Json<TenantView>> {
    let t = tenancy::set_status(
        &state.store,
        state.now(),
        ctx.audit_actor(),
        ctx.ip.as_deref(),
        id,
        None,
    )
    .await?;
    Ok(Json(t.into()))
}
