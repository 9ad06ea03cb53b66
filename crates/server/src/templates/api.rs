//! `/api/v1/templates`: the template library (list, get), authoring
//! (create, delete), previews and syncing with Meta. Adapters over the
//! area's rules ([`super`], [`super::sync`]).

use super::draft::{BodyDraft, ButtonDraft, HeaderDraft, TemplateDraft};
use super::layout::{Layout, Rendered, Values, Variable};
use super::sync::{SyncFailure, SyncReport, SyncTarget};
use super::{ListFilter, lower};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, TemplateId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::templates::Template;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_templates, create_template))
        .routes(routes!(sync_templates))
        .routes(routes!(get_template, delete_template))
        .routes(routes!(preview_template))
}

/// A template of the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateView {
    pub id: TemplateId,
    /// The WhatsApp Business Account it belongs to.
    pub waba_id: String,
    /// Meta's id (`null` until Meta has it).
    pub meta_id: Option<String>,
    pub name: String,
    pub language: String,
    /// `marketing`, `utility` or `authentication`.
    pub category: String,
    /// `pending`, `approved`, `rejected`, `paused`, `disabled`, … (Meta's,
    /// lower case). Only approved templates can be sent.
    pub status: String,
    /// Why Meta rejected it (`INVALID_FORMAT`, …).
    pub rejected_reason: Option<String>,
    /// `green`, `yellow`, `red` or `unknown`.
    pub quality: Option<String>,
    /// `positional` or `named`.
    pub parameter_format: Option<String>,
    /// Meta's components, as the management API has them.
    #[schema(value_type = Vec<Object>)]
    pub components: Value,
    /// The parameters a send fills in (`values` of a send or a preview).
    pub variables: Vec<Variable>,
    /// What the customer sees, with the examples for values.
    pub preview: Rendered,
    /// When it was last read from Meta.
    pub synced_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> Self {
        let layout = Layout::from_components(&t.components);
        TemplateView {
            id: t.id,
            waba_id: t.waba_id,
            meta_id: t.meta_id,
            name: t.name,
            language: t.language,
            category: lower(&t.category),
            status: lower(&t.status),
            rejected_reason: t.rejected_reason,
            quality: t.quality.as_deref().map(lower),
            parameter_format: t.parameter_format.as_deref().map(lower),
            variables: layout.variables(),
            preview: layout.render(&Values::default()),
            components: t.components,
            synced_at: t.synced_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateListQuery {
    /// The account of this number.
    pub channel_id: Option<ChannelId>,
    /// A WhatsApp Business Account id.
    #[param(pattern = "^[0-9]*$")]
    pub waba_id: Option<String>,
    /// `approved`, `pending`, `rejected`, `paused`, `disabled`, …
    #[param(pattern = "^[A-Za-z_]*$")]
    pub status: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// The template library, newest first, by account or status.
#[utoipa::path(get, path = "/api/v1/templates", tag = "templates", params(TemplateListQuery),
    responses((status = 200, body = Paged<TemplateView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_templates(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<TemplateListQuery>,
) -> AppResult<Json<Paged<TemplateView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let filter = ListFilter {
        channel_id: q.channel_id,
        waba_id: q.waba_id,
        status: q.status,
    };
    let found = super::list_templates(&state, &ctx, filter, page).await?;
    Ok(Json(Paged::from_page(found, TemplateView::from)))
}

/// A new template, for the account of a number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTemplate {
    /// The number whose WhatsApp Business Account gets the template.
    pub channel_id: ChannelId,
    /// Lower-case letters, digits and underscores, up to 512.
    #[schema(example = "order_update", max_length = 512)]
    pub name: String,
    /// e.g. `en_US`.
    #[schema(example = "en_US")]
    pub language: String,
    /// `marketing` or `utility`.
    #[schema(example = "utility")]
    pub category: String,
    /// `positional` (the default: `{{1}}`, `{{2}}`…) or `named`
    /// (`{{first_name}}`).
    pub parameter_format: Option<String>,
    pub header: Option<HeaderDraft>,
    pub body: BodyDraft,
    /// Up to 60 characters, without parameters.
    pub footer: Option<String>,
    /// Up to 10: quick replies, URL (at most 2), phone number (1), copy
    /// code (1).
    #[serde(default)]
    pub buttons: Vec<ButtonDraft>,
}

/// Author a template: checked against Meta's rules (`422` with the
/// fields at fault), submitted to Meta for review through the number's
/// credentials, and kept with Meta's id and status (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/templates", tag = "templates",
    request_body = CreateTemplate,
    responses((status = 201, body = TemplateView),
              (status = 409, description = "The account has this name in this language (`template_exists`).", body = ErrorBody),
              (status = 422, description = "Invalid, no such number, or refused by Meta (`meta_refused`, `credentials_rejected`).", body = ErrorBody),
              (status = 503, description = "Meta could not be reached (`meta_unavailable`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_template(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<CreateTemplate>,
) -> AppResult<(StatusCode, Json<TemplateView>)> {
    let draft = TemplateDraft {
        name: body.name,
        language: body.language,
        category: body.category,
        parameter_format: body.parameter_format.unwrap_or_else(|| "positional".into()),
        header: body.header,
        body: body.body,
        footer: body.footer,
        buttons: body.buttons,
    };
    let t = super::create_template(&state, &ctx, body.channel_id, &draft).await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// One template.
#[utoipa::path(get, path = "/api/v1/templates/{template_id}", tag = "templates",
    params(("template_id" = TemplateId, Path)),
    responses((status = 200, body = TemplateView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_template(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TemplateId>,
) -> AppResult<Json<TemplateView>> {
    Ok(Json(super::get_template(&state, &ctx, id).await?.into()))
}

/// Delete a template: at Meta (this language only), then from the
/// library (`campaigns:manage`).
#[utoipa::path(delete, path = "/api/v1/templates/{template_id}", tag = "templates",
    params(("template_id" = TemplateId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 422, description = "Meta refused (`meta_refused`, `credentials_rejected`).", body = ErrorBody),
              (status = 503, description = "Meta could not be reached (`meta_unavailable`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_template(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiPath(id): ApiPath<TemplateId>,
) -> AppResult<StatusCode> {
    super::delete_template(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a template looks like with these values (a missing one shows its
/// example, or `{{name}}`). A `POST` like the send it prepares
/// (`inbox:write`).
#[utoipa::path(post, path = "/api/v1/templates/{template_id}/preview", tag = "templates",
    params(("template_id" = TemplateId, Path)), request_body = Values,
    responses((status = 200, body = Rendered), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn preview_template(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TemplateId>,
    ApiJson(values): ApiJson<Values>,
) -> AppResult<Json<Rendered>> {
    Ok(Json(
        super::preview_template(&state, &ctx, id, &values).await?,
    ))
}

/// Which library to read again from Meta.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SyncTemplates {
    /// The account of this number; absent: every account of the
    /// workspace's numbers.
    pub channel_id: Option<ChannelId>,
}

/// What a sync did to one account's library.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncView {
    pub waba_id: String,
    /// The number whose credentials read it.
    pub channel_id: ChannelId,
    pub added: u32,
    pub updated: u32,
    pub removed: u32,
    pub total: u32,
}

impl From<SyncReport> for SyncView {
    fn from(r: SyncReport) -> Self {
        SyncView {
            waba_id: r.waba_id,
            channel_id: r.channel_id,
            added: r.added,
            updated: r.updated,
            removed: r.removed,
            total: r.total,
        }
    }
}

/// An account whose library could not be read.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncFailureView {
    pub waba_id: String,
    pub channel_id: ChannelId,
    /// `meta_unavailable`, `credentials_rejected` or `meta_refused`.
    pub code: String,
    pub message: String,
    /// Meta could not be reached: the account is read again in the
    /// background.
    pub retrying: bool,
}

impl From<SyncFailure> for SyncFailureView {
    fn from(f: SyncFailure) -> Self {
        SyncFailureView {
            waba_id: f.waba_id,
            channel_id: f.channel_id,
            code: f.error.code().to_owned(),
            message: f.error.to_string(),
            retrying: f.retrying,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncResult {
    /// The accounts read, with what changed.
    pub accounts: Vec<SyncView>,
    /// The accounts that could not be read, and why.
    pub failed: Vec<SyncFailureView>,
}

/// Read the library again from Meta now: templates Meta has are added or
/// updated, those it no longer has removed. Each account is reported;
/// one Meta could not be reached for is in `failed`, `retrying` in the
/// background (`campaigns:manage`).
#[utoipa::path(post, path = "/api/v1/templates/sync", tag = "templates",
    request_body = SyncTemplates,
    responses((status = 200, body = SyncResult),
              (status = 422, description = "No such number.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn sync_templates(
    State(state): State<AppState>,
    ctx: Authorized<perm::CampaignsManage>,
    ApiJson(body): ApiJson<SyncTemplates>,
) -> AppResult<Json<SyncResult>> {
    let target = match body.channel_id {
        Some(id) => SyncTarget::Channel(id),
        None => SyncTarget::All,
    };
    let outcome = super::sync::sync_templates(&state, &ctx, target).await?;
    Ok(Json(SyncResult {
        accounts: outcome.synced.into_iter().map(SyncView::from).collect(),
        failed: outcome
            .failed
            .into_iter()
            .map(SyncFailureView::from)
            .collect(),
    }))
}
