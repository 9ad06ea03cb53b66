//! Tenant API keys (`/api/v1/api-keys`). The secret is shown once; only its
//! SHA-256 is stored.

use crate::auth::tokens::{hash_token, new_api_key};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ApiKeyId, Permission, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::auth::{ApiKey, NewApiKey};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(get_api_key, delete_api_key))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<Permission>,
    pub created_by: Option<UserId>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        ApiKeyView {
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            created_by: k.created_by,
            expires_at: k.expires_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
            created_at: k.created_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    pub name: String,
    /// What the key may do; at most what its creator may do. Defaults to
    /// all of the creator's permissions.
    pub scopes: Option<Vec<Permission>>,
    /// When the key stops working; never when omitted.
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKey {
    pub api_key: ApiKeyView,
    /// Shown once. Send as `Authorization: Bearer …` or `X-API-Key: …`.
    pub secret: String,
}

/// Create an API key.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api keys", request_body = CreateApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_api_key(
    State(state): State<AppState>,
    ctx: Authorized<perm::ApiKeysManage>,
    ApiJson(body): ApiJson<CreateApiKey>,
) -> AppResult<(StatusCode, Json<CreatedApiKey>)> {
    let now = state.now();
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::validation("name", "must be 1 to 100 characters"));
    }
    let mine = ctx.permissions();
    let mut scopes = body.scopes.unwrap_or_else(|| mine.clone());
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
    if body.expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::validation("expires_at", "must be in the future"));
    }
    let (secret, prefix) = new_api_key();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let key = tx
        .insert_api_key(NewApiKey {
            id: ApiKeyId::new(),
            name,
            prefix: &prefix,
            key_hash: &hash_token(&secret),
            scopes: &scopes,
            created_by: ctx.user_id(),
            expires_at: body.expires_at,
            now,
        })
        .await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "api_key.create",
        ("api_key", key.id.to_string()),
        json!({ "name": key.name, "scopes": key.scopes }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            api_key: key.into(),
            secret,
        }),
    ))
}

/// API keys, newest first (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api keys", params(PageQuery),
    responses((status = 200, body = Paged<ApiKeyView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_api_keys(
    State(state): State<AppState>,
    ctx: Authorized<perm::ApiKeysManage>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<ApiKeyView>>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let page = tx.list_api_keys(q.request()?).await?;
    tx.commit().await?;
    Ok(Json(Paged::from_page(page, ApiKeyView::from)))
}

/// One API key.
#[utoipa::path(get, path = "/api/v1/api-keys/{api_key_id}", tag = "api keys",
    params(("api_key_id" = ApiKeyId, Path)),
    responses((status = 200, body = ApiKeyView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_api_key(
    State(state): State<AppState>,
    ctx: Authorized<perm::ApiKeysManage>,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> AppResult<Json<ApiKeyView>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let key = tx.find_api_key(id).await?;
    tx.commit().await?;
    Ok(Json(key.into()))
}

/// Revoke an API key; it stops working at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{api_key_id}", tag = "api keys",
    params(("api_key_id" = ApiKeyId, Path)),
    responses((status = 200, body = ApiKeyView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_api_key(
    State(state): State<AppState>,
    ctx: Authorized<perm::ApiKeysManage>,
    ApiPath(id): ApiPath<ApiKeyId>,
) -> AppResult<Json<ApiKeyView>> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let key = tx.revoke_api_key(id, now).await?;
    crate::audit::tenant_change(
        &mut tx,
        &ctx,
        now,
        "api_key.revoke",
        ("api_key", id.to_string()),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(key.into()))
}
