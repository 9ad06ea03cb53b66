//! A contact's timeline, duplicates, merge and "message this contact".

use super::super::views::{ContactView, MessageView, message_view};
use crate::auth::{Authorized, perm};
use crate::error::{AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::inbox::contacts::{merge, message, timeline};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, ContactId, EventId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_timeline))
        .routes(routes!(list_duplicates))
        .routes(routes!(merge_contact))
        .routes(routes!(create_contact_message))
}

/// One entry of a contact's timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryView {
    /// The event's id.
    pub id: EventId,
    /// Its number in the tenant's event log.
    pub seq: i64,
    /// The event's name (`message.received`, `note.created`, …; see
    /// docs/EVENTS.md).
    pub event: String,
    pub at: Timestamp,
    /// A short sentence about it.
    pub summary: String,
    /// The event's payload.
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// A contact's activity, newest first: every event of the event log that
/// names them or one of their conversations (messages, conversations,
/// consent, edits, tags, notes, tasks, deals…), except delivery receipts.
#[utoipa::path(get, path = "/api/v1/contacts/{contact_id}/timeline", tag = "inbox",
    params(("contact_id" = ContactId, Path), PageQuery),
    responses((status = 200, body = Paged<TimelineEntryView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_timeline(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<TimelineEntryView>>> {
    let page = timeline::timeline(&state, &ctx, id, q.request()?).await?;
    Ok(Json(Paged::from_page(page, |e| TimelineEntryView {
        id: e.id,
        seq: e.seq,
        event: e.event,
        at: e.at,
        summary: e.summary,
        payload: e.payload,
    })))
}

/// A contact that may be the same person.
#[derive(Debug, Serialize, ToSchema)]
pub struct DuplicateView {
    /// The other contact's id.
    pub id: ContactId,
    /// Why: `phone`, `email` and/or `name`.
    pub reasons: Vec<String>,
    pub contact: ContactView,
}

/// Contacts that may be the same person as this one: the same phone, the
/// same email or the same name (case-insensitive), newest first, at most
/// 50 (one page).
#[utoipa::path(get, path = "/api/v1/contacts/{contact_id}/duplicates", tag = "inbox",
    params(("contact_id" = ContactId, Path)),
    responses((status = 200, body = Paged<DuplicateView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_duplicates(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ContactId>,
) -> AppResult<Json<Paged<DuplicateView>>> {
    let found = merge::duplicates(&state, &ctx, id).await?;
    Ok(Json(Paged {
        items: found
            .into_iter()
            .map(|d| DuplicateView {
                id: d.contact.id,
                reasons: d.reasons.into_iter().map(str::to_owned).collect(),
                contact: d.contact.into(),
            })
            .collect(),
        next_cursor: None,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeContact {
    /// The contact to merge into this one; it is deleted.
    pub other: ContactId,
}

/// What a merge did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResult {
    /// The kept contact, as it is now.
    pub contact: ContactView,
    pub conversations_moved: u64,
    pub conversations_combined: u64,
    pub messages_moved: u64,
}

/// Merge another contact into this one, in one step: its conversations
/// (two on the same number become one), messages, media, tags, notes,
/// tasks and deals move here; this contact's fields and attribute values
/// win, the other's fill the gaps; the other is deleted. Refused with
/// `409 contact_busy` while a message to the other is still queued.
#[utoipa::path(post, path = "/api/v1/contacts/{contact_id}/merge", tag = "inbox",
    params(("contact_id" = ContactId, Path)), request_body = MergeContact,
    responses((status = 200, body = MergeResult)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn merge_contact(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    ApiJson(body): ApiJson<MergeContact>,
) -> AppResult<Json<MergeResult>> {
    let (contact, moved) = merge::merge_contacts(&state, &ctx, id, body.other).await?;
    Ok(Json(MergeResult {
        contact: contact.into(),
        conversations_moved: moved.conversations_moved,
        conversations_combined: moved.conversations_combined,
        messages_moved: moved.messages_moved,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactTemplate {
    /// The approved template's name.
    pub name: String,
    /// Its language (`en_US`, `pt_BR`).
    pub language: String,
    /// Values of its body's `{{1}}`, `{{2}}`… in order…
    pub parameters: Option<Vec<String>>,
    /// …or of its named variables (`{{first_name}}`).
    pub named_parameters: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactMessage {
    /// The number to send from (optional when the tenant has one).
    pub channel_id: Option<ChannelId>,
    /// A free-form text: only while the customer-service window is open…
    #[schema(max_length = 4096)]
    pub text: Option<String>,
    /// …otherwise a template.
    pub template: Option<ContactTemplate>,
}

/// Message this contact from a chosen number: the conversation on that
/// number is started if there is none. A `text` only goes while the
/// customer-service window is open (`422 outside_customer_service_window`
/// otherwise: send a `template`); every sending rule applies (docs/SENDING.md).
/// Answers 202 with the queued message.
#[utoipa::path(post, path = "/api/v1/contacts/{contact_id}/messages", tag = "inbox",
    params(("contact_id" = ContactId, Path)), request_body = ContactMessage,
    responses((status = 202, body = MessageView),
              (status = 422, description = "A sending rule refused it (`outside_customer_service_window`, `contact_opted_out`, `contact_has_no_number`, …).", body = ErrorBody),
              (status = 429, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_contact_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ContactId>,
    ApiJson(body): ApiJson<ContactMessage>,
) -> AppResult<(StatusCode, Json<MessageView>)> {
    let template = body.template.map(|t| message::TemplateChoice {
        name: t.name,
        language: t.language,
        parameters: t.parameters.unwrap_or_default(),
        named_parameters: t.named_parameters.unwrap_or_default().into_iter().collect(),
    });
    let input = message::ContactMessage {
        text: body.text,
        template,
    };
    let m = message::message_contact(&state, &ctx, id, body.channel_id, input).await?;
    Ok((StatusCode::ACCEPTED, Json(message_view(m))))
}
