use crate::auth::OperatorCtx;
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::tenancy::{self, CreateTenant, CreatedTenant, TenantChange};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{Email, Slug, TenantId, TenantStatus, Timestamp};
use serde::{Deserialize, Serialize};
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
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// Lowercase letters, digits and hyphens; the tenant's subdomain.
    #[schema(value_type = String, example = "acme-shoes", min_length = 3, max_length = 40,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Slug,
    /// Plan code; `starter` when omitted.
    pub plan: Option<String>,
    /// Who receives the first owner invitation.
    #[schema(value_type = String, format = "email", max_length = 254)]
    pub owner_email: Email,
    /// `trial` (default) or `active`.
    #[schema(value_type = Option<NewTenantStatus>)]
    pub status: Option<TenantStatus>,
}

/// The statuses a tenant can start in (the document's; the request reads a
/// [`TenantStatus`] and refuses `suspended`).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum NewTenantStatus {
    Trial,
    Active,
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

impl From<CreatedTenant> for CreatedTenantView {
    fn from(c: CreatedTenant) -> Self {
        CreatedTenantView {
            tenant: c.tenant.into(),
            owner_invite: OwnerInvite {
                email: c.owner_invite.email,
                token: c.owner_invite_token,
                accept_url: c.owner_invite_url,
                expires_at: c.owner_invite.expires_at,
            },
            api_key: FirstApiKey {
                id: c.api_key.id,
                secret: c.api_key_secret,
                prefix: c.api_key.prefix,
            },
        }
    }
}

/// Create a tenant with its first owner invitation and API key.
#[utoipa::path(post, path = "/api/v1/operator/tenants", tag = "operator",
    request_body = CreateTenantRequest,
    responses((status = 201, body = CreatedTenantView),
              (status = 409, description = "The slug is taken (`slug_taken`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_tenant(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiJson(body): ApiJson<CreateTenantRequest>,
) -> AppResult<(StatusCode, Json<CreatedTenantView>)> {
    let input = CreateTenant {
        name: body.name,
        slug: body.slug,
        plan: body.plan,
        owner_email: body.owner_email,
        status: body.status,
    };
    let created = tenancy::create_tenant(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// List tenants, newest first.
#[utoipa::path(get, path = "/api/v1/operator/tenants", tag = "operator", params(PageQuery),
    responses((status = 200, body = Paged<TenantView>)), security(("bearer" = [])))]
pub async fn list_tenants(
    State(state): State<AppState>,
    ctx: OperatorCtx,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<TenantView>>> {
    let page = tenancy::list_tenants(&state, &ctx, q.request()?).await?;
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
    let tenant = crate::operator::tenants::get_tenant(&state, &ctx, id).await?;
    Ok(Json(tenant.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
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
    let change = TenantChange {
        name: body.name,
        plan: body.plan,
    };
    let tenant = tenancy::update_tenant(&state, &ctx, id, change).await?;
    Ok(Json(tenant.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Shown to the tenant on every call while suspended; 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
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
    let tenant = tenancy::suspend_tenant(&state, &ctx, id, &body.reason).await?;
    Ok(Json(tenant.into()))
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
    let tenant = tenancy::reactivate_tenant(&state, &ctx, id).await?;
    Ok(Json(tenant.into()))
}
