//! Tenant API keys (`/api/v1/api-keys`): adapters over [`crate::team::keys`].
//! The secret is shown once; only its SHA-256 is stored.

use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use crate::team::keys;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ApiKeyId, Permission, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use store::auth::ApiKey;
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
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
    /// What the key may do; at most what its creator may do. Defaults to
    /// all of the creator's permissions.
    #[schema(min_items = 1)]
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
    let input = keys::NewApiKey {
        name: body.name,
        scopes: body.scopes,
        expires_at: body.expires_at,
    };
    let created = keys::create_api_key(&state, &ctx, input).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApiKey {
            api_key: created.api_key.into(),
            secret: created.secret,
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
    let page = keys::list_api_keys(&state, &ctx, q.request()?).await?;
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
    Ok(Json(keys::get_api_key(&state, &ctx, id).await?.into()))
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
    Ok(Json(keys::revoke_api_key(&state, &ctx, id).await?.into()))
}
