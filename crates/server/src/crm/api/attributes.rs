//! `/api/v1/contact-attributes`: adapters over [`crate::crm::attributes`].

use crate::auth::{Authorized, perm};
use crate::crm::attributes::{self as rules, Attribute, AttributeChange, NewAttribute};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::AttributeId;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attributes, create_attribute))
        .routes(routes!(get_attribute, update_attribute, delete_attribute))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAttribute {
    /// 1 to 40 lower-case letters, digits or `_`, starting with a letter;
    /// unique; never changes.
    #[schema(pattern = "^[a-z][a-z0-9_]{0,39}$", example = "plan")]
    pub key: String,
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
    /// `text`, `number`, `date` (`YYYY-MM-DD`), `boolean` or `choice`;
    /// never changes.
    #[serde(rename = "type")]
    #[schema(example = "text")]
    pub kind: String,
    /// A choice's allowed values (1 to 50); none for the other types.
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAttribute {
    #[schema(min_length = 1, max_length = 100)]
    pub label: Option<String>,
    /// A choice's options, all of them. Values contacts already have are
    /// kept even if their option is removed.
    pub options: Option<Vec<String>>,
}

/// Define a custom contact attribute.
#[utoipa::path(post, path = "/api/v1/contact-attributes", tag = "crm",
    request_body = CreateAttribute,
    responses((status = 201, body = Attribute),
              (status = 409, description = "Another attribute has this key (`attribute_key_taken`).", body = ErrorBody),
              (status = 422, description = "Invalid, or the tenant has 100 already (`attribute_limit`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_attribute(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiJson(body): ApiJson<CreateAttribute>,
) -> AppResult<(StatusCode, Json<Attribute>)> {
    let input = NewAttribute {
        key: body.key,
        label: body.label,
        kind: body.kind,
        options: body.options.unwrap_or_default(),
    };
    let created = rules::create_attribute(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Custom contact attributes, newest first.
#[utoipa::path(get, path = "/api/v1/contact-attributes", tag = "crm", params(PageQuery),
    responses((status = 200, body = Paged<Attribute>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_attributes(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<Attribute>>> {
    let page = rules::list_attributes(&state, &ctx, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |a| a)))
}

/// One custom contact attribute.
#[utoipa::path(get, path = "/api/v1/contact-attributes/{attribute_id}", tag = "crm",
    params(("attribute_id" = AttributeId, Path)),
    responses((status = 200, body = Attribute)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_attribute(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<AttributeId>,
) -> AppResult<Json<Attribute>> {
    Ok(Json(rules::get_attribute(&state, &ctx, id).await?))
}

/// Change an attribute's label, or a choice's options.
#[utoipa::path(patch, path = "/api/v1/contact-attributes/{attribute_id}", tag = "crm",
    params(("attribute_id" = AttributeId, Path)), request_body = UpdateAttribute,
    responses((status = 200, body = Attribute)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_attribute(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<AttributeId>,
    ApiJson(body): ApiJson<UpdateAttribute>,
) -> AppResult<Json<Attribute>> {
    let change = AttributeChange {
        label: body.label,
        options: body.options,
    };
    Ok(Json(
        rules::update_attribute(&state, &ctx, id, change).await?,
    ))
}

/// Remove an attribute, and its value from every contact.
#[utoipa::path(delete, path = "/api/v1/contact-attributes/{attribute_id}", tag = "crm",
    params(("attribute_id" = AttributeId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_attribute(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<AttributeId>,
) -> AppResult<StatusCode> {
    rules::delete_attribute(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
