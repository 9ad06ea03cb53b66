//! Contacts (`/api/v1/contacts`): list (with filters), create, read, edit,
//! erase; their timeline, duplicates, merge and "message this contact" are
//! in [`activity`].

mod activity;

use super::views::{ContactView, ConversationView, conversation_view};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::inbox;
use crate::inbox::contacts::manage::ContactInput;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::ContactId;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts, create_contact))
        .routes(routes!(get_contact, update_contact, delete_contact))
        .merge(activity::router())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Matches name, email, WhatsApp id or phone.
    pub search: Option<String>,
    /// `true`: only contacts who opted out; `false`: only those who did not.
    pub opted_out: Option<bool>,
    /// Only contacts carrying this tag.
    pub tag: Option<domain::TagId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// Contacts, newest first.
///
/// Filter by custom attribute with further query parameters:
/// `attr.<key>=<value>` (equal; booleans `true`/`false`),
/// `attr.<key>.gte=<value>` and `attr.<key>.lte=<value>` (numbers and
/// `YYYY-MM-DD` dates, bounds included). Every condition must hold. An
/// unknown key or a value of the wrong type answers 422 naming the
/// parameter.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "inbox", params(ContactQuery),
    responses((status = 200, body = Paged<ContactView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ContactQuery>,
    ApiQuery(all): ApiQuery<Vec<(String, String)>>,
) -> AppResult<Json<Paged<ContactView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let query = inbox::contacts::ContactQuery {
        search: q.search,
        tag: q.tag,
        opted_out: q.opted_out,
        attributes: all,
    };
    let contacts = inbox::contacts::filter_contacts(&state, &ctx, &query, page).await?;
    Ok(Json(Paged::from_page(contacts, ContactView::from)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContact {
    /// E.164: `+` and 8 to 15 digits (`+14155550123`). Its digits become
    /// the contact's WhatsApp id.
    #[schema(example = "+14155550123")]
    pub phone: String,
    /// The team's name for the contact (at most 200 characters).
    pub name: Option<String>,
    pub email: Option<String>,
    /// A language tag: `en`, `pt_BR`, `es-419`.
    pub language: Option<String>,
    /// Custom attribute values by key, each of its attribute's type.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Map<String, Value>>,
}

/// Create a contact by phone number. A number another contact has already
/// answers `409 contact_exists`; its message names that contact's id. It
/// counts against the plan's contact limit.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "inbox", request_body = CreateContact,
    responses((status = 201, body = ContactView),
              (status = 409, description = "A contact has this number (`contact_exists`).", body = ErrorBody),
              (status = 429, description = "The plan's contact limit is reached (`quota_exceeded`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateContact>,
) -> AppResult<(StatusCode, Json<ContactView>)> {
    let input = ContactInput {
        phone: body.phone,
        name: body.name,
        email: body.email,
        language: body.language,
        attributes: body.attributes.unwrap_or_default(),
    };
    let contact = inbox::contacts::manage::create_contact(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(contact.into())))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactDetail {
    pub contact: ContactView,
    pub conversations: Vec<ConversationView>,
}

/// One contact with their conversations.
#[utoipa::path(get, path = "/api/v1/contacts/{contact_id}", tag = "inbox",
    params(("contact_id" = ContactId, Path)),
    responses((status = 200, body = ContactDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<Json<ContactDetail>> {
    let now = state.now();
    let detail = inbox::contacts::get_contact(&state, &ctx, id).await?;
    Ok(Json(ContactDetail {
        contact: detail.contact.into(),
        conversations: detail
            .conversations
            .into_iter()
            .map(|c| conversation_view(c, now))
            .collect(),
    }))
}

/// `null` is "clear it", absent is "leave it".
fn clearable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    /// `true` records that the contact opted out (sends to them are
    /// refused); `false` that they opted back in. Customers can also write
    /// STOP or START themselves.
    pub opted_out: Option<bool>,
    /// The team's name for the contact; `null` or `""` clears it (the
    /// WhatsApp profile name shows again).
    #[serde(default, deserialize_with = "clearable")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "clearable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// A language tag (`en`, `pt_BR`); `null` or `""` clears it.
    #[serde(default, deserialize_with = "clearable")]
    #[schema(value_type = Option<String>)]
    pub language: Option<Option<String>>,
    /// Merged into the contact's values: the keys given are set, a key
    /// set to `null` is removed, the others stay.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<Map<String, Value>>,
}

/// Change a contact: name, email, language, custom attributes, opt-out.
#[utoipa::path(patch, path = "/api/v1/contacts/{contact_id}", tag = "inbox",
    params(("contact_id" = ContactId, Path)), request_body = UpdateContact,
    responses((status = 200, body = ContactView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    ApiJson(body): ApiJson<UpdateContact>,
) -> AppResult<Json<ContactView>> {
    let changes = inbox::contacts::ContactChanges {
        opted_out: body.opted_out,
        name: body.name,
        email: body.email,
        language: body.language,
        attributes: body.attributes,
    };
    let contact = inbox::contacts::update_contact(&state, &ctx, id, changes, "api").await?;
    Ok(Json(contact.into()))
}

/// Erase a contact: their conversations, messages, statuses and media
/// (files too), tags, notes and tasks. Refused with `409 contact_busy`
/// while a message to them is still queued or their media is still being
/// downloaded.
#[utoipa::path(delete, path = "/api/v1/contacts/{contact_id}", tag = "inbox",
    params(("contact_id" = ContactId, Path)),
    responses((status = 204),
              (status = 409, description = "Something of theirs is still in motion (`contact_busy`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::SettingsManage>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<StatusCode> {
    inbox::contacts::manage::delete_contact(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
