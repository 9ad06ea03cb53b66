//! Contacts (`/api/v1/contacts`).

use super::views::{ContactView, ConversationView, conversation_view};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::inbox;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::ContactId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact, update_contact))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Matches name, WhatsApp id or phone.
    pub search: Option<String>,
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
#[utoipa::path(get, path = "/api/v1/contacts", tag = "inbox", params(ContactQuery),
    responses((status = 200, body = Paged<ContactView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_contacts(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> AppResult<Json<Paged<ContactView>>> {
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let contacts = inbox::contacts::list_contacts(&state, &ctx, q.search.as_deref(), page).await?;
    Ok(Json(Paged::from_page(contacts, ContactView::from)))
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateContact {
    /// `true` records that the contact opted out (sends to them are
    /// refused); `false` that they opted back in. Customers can also write
    /// STOP or START themselves.
    pub opted_out: Option<bool>,
}

/// Change a contact: record an opt-out or opt-in.
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
    };
    let contact = inbox::contacts::update_contact(&state, &ctx, id, changes, "api").await?;
    Ok(Json(contact.into()))
}
