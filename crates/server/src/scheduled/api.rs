//! JSON routes (`/api/v1/scheduled-messages`): adapters over the area's
//! rules ([`super::rules`]).

use super::rules;
use super::{Content, NewScheduled, Scheduled, ScheduledChange, TemplateContent, When};
use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ChannelId, ContactId, MessageId, ScheduledMessageId, Timestamp};
use serde::{Deserialize, Serialize};
use store::scheduled::{ScheduledFilter, ScheduledStatus};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scheduled_messages, create_scheduled_message))
        .routes(routes!(
            get_scheduled_message,
            update_scheduled_message,
            delete_scheduled_message
        ))
}

/// A scheduled message as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledMessageView {
    pub id: ScheduledMessageId,
    pub contact_id: ContactId,
    /// The number it goes from.
    pub channel_id: ChannelId,
    /// `text` or `template`.
    pub kind: String,
    /// The text, for a `text`.
    pub text: Option<String>,
    /// The template and its values, for a `template`.
    pub template: Option<TemplateContent>,
    /// When it is (or was) to be sent.
    pub send_at: Timestamp,
    /// The same time as wall time in `time_zone` (`YYYY-MM-DDTHH:MM`).
    pub local_time: String,
    /// The tenant's time zone.
    pub time_zone: String,
    /// `scheduled`, `sent`, `failed` or `cancelled`.
    pub status: String,
    /// Once `sent`: the message queued (follow it in its conversation).
    pub message_id: Option<MessageId>,
    /// Once `failed`: a stable code (`contact_opted_out`,
    /// `outside_customer_service_window`, `quota_exceeded`,
    /// `channel_restricted`, `too_late`…)…
    pub failure_code: Option<String>,
    /// …and the reason in words.
    pub failure_reason: Option<String>,
    /// When it was sent, failed or cancelled.
    pub finished_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Scheduled> for ScheduledMessageView {
    fn from(s: Scheduled) -> Self {
        let local_time = s.local_time();
        let (text, template) = match s.content {
            Content::Text { text } => (Some(text), None),
            Content::Template(t) => (None, Some(t)),
        };
        let m = s.stored;
        ScheduledMessageView {
            id: m.id,
            contact_id: m.contact_id,
            channel_id: m.channel_id,
            kind: if text.is_some() { "text" } else { "template" }.to_owned(),
            text,
            template,
            send_at: m.send_at,
            local_time,
            time_zone: s.time_zone,
            status: m.status.as_str().to_owned(),
            message_id: m.message_id,
            failure_code: m.failure_code,
            failure_reason: m.failure_reason,
            finished_at: m.finished_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduledListQuery {
    /// `scheduled`, `sent`, `failed` or `cancelled`.
    #[param(pattern = "^(scheduled|sent|failed|cancelled)?$")]
    pub status: Option<String>,
    /// Only those to this contact.
    pub contact_id: Option<ContactId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

/// `status` as a filter (empty: any).
fn status(raw: Option<&str>) -> AppResult<Option<ScheduledStatus>> {
    match raw.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => ScheduledStatus::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::validation("status", "scheduled, sent, failed or cancelled")),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateScheduledMessage {
    /// The contact to write to (they need a WhatsApp number).
    pub contact_id: ContactId,
    /// The number to send from (optional when the tenant has one).
    pub channel_id: Option<ChannelId>,
    /// A free-form text (it goes only if the customer-service window is
    /// open when its time comes)…
    #[schema(max_length = 4096)]
    pub text: Option<String>,
    /// …or an approved template.
    pub template: Option<TemplateContent>,
    /// When to send, as an instant…
    pub send_at: Option<Timestamp>,
    /// …or as wall time in the tenant's time zone (`YYYY-MM-DDTHH:MM`; a
    /// time skipped by a daylight-saving change is moved forward by the
    /// change, a repeated one is the first).
    #[schema(example = "2030-01-15T09:30")]
    pub local_time: Option<String>,
}

/// Schedule a message or template to one contact, from a chosen number,
/// at a time in the future (at most a year ahead). When the time comes
/// the sending rules in force then apply (window, opt-out, quota, the
/// number's state); a refusal marks it `failed` with the rule's code.
#[utoipa::path(post, path = "/api/v1/scheduled-messages", tag = "inbox",
    request_body = CreateScheduledMessage,
    responses((status = 201, body = ScheduledMessageView),
              (status = 422, description = "Invalid (a time in the past, both or neither of `text` and `template`…), or the contact cannot be written to (`contact_has_no_number`, `contact_opted_out`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_scheduled_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateScheduledMessage>,
) -> AppResult<(StatusCode, Json<ScheduledMessageView>)> {
    let content = Content::from_parts(body.text, body.template)?;
    let when = When::from_parts(body.send_at, body.local_time)?
        .ok_or_else(|| AppError::validation("send_at", "give `send_at` or `local_time`"))?;
    let input = NewScheduled {
        contact_id: body.contact_id,
        channel_id: body.channel_id,
        content,
        when,
    };
    let scheduled = rules::schedule_message(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(scheduled.into())))
}

/// Scheduled messages, newest first; filter by `status` and `contact_id`.
#[utoipa::path(get, path = "/api/v1/scheduled-messages", tag = "inbox",
    params(ScheduledListQuery),
    responses((status = 200, body = Paged<ScheduledMessageView>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_scheduled_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ScheduledListQuery>,
) -> AppResult<Json<Paged<ScheduledMessageView>>> {
    let filter = ScheduledFilter {
        status: status(q.status.as_deref())?,
        contact: q.contact_id,
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = rules::list_scheduled(&state, &ctx, filter, page).await?;
    Ok(Json(Paged::from_page(found, ScheduledMessageView::from)))
}

/// One scheduled message, with its status (and why, if it failed).
#[utoipa::path(get, path = "/api/v1/scheduled-messages/{scheduled_message_id}", tag = "inbox",
    params(("scheduled_message_id" = ScheduledMessageId, Path)),
    responses((status = 200, body = ScheduledMessageView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_scheduled_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ScheduledMessageId>,
) -> AppResult<Json<ScheduledMessageView>> {
    Ok(Json(rules::get_scheduled(&state, &ctx, id).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateScheduledMessage {
    /// Another number to send from.
    pub channel_id: Option<ChannelId>,
    /// A new text (replaces a template)…
    #[schema(max_length = 4096)]
    pub text: Option<String>,
    /// …or a new template (replaces a text).
    pub template: Option<TemplateContent>,
    /// A new time, as an instant…
    pub send_at: Option<Timestamp>,
    /// …or as wall time in the tenant's time zone (`YYYY-MM-DDTHH:MM`).
    #[schema(example = "2030-01-15T10:00")]
    pub local_time: Option<String>,
}

/// Change a scheduled message's time, content or number while it is still
/// `scheduled`.
#[utoipa::path(patch, path = "/api/v1/scheduled-messages/{scheduled_message_id}", tag = "inbox",
    params(("scheduled_message_id" = ScheduledMessageId, Path)),
    request_body = UpdateScheduledMessage,
    responses((status = 200, body = ScheduledMessageView), (status = 404, body = ErrorBody),
              (status = 409, description = "Already sent, failed or cancelled (`not_scheduled`).", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_scheduled_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ScheduledMessageId>,
    ApiJson(body): ApiJson<UpdateScheduledMessage>,
) -> AppResult<Json<ScheduledMessageView>> {
    let content = match (&body.text, &body.template) {
        (None, None) => None,
        _ => Some(Content::from_parts(body.text, body.template)?),
    };
    let change = ScheduledChange {
        channel_id: body.channel_id,
        content,
        when: When::from_parts(body.send_at, body.local_time)?,
    };
    let scheduled = rules::update_scheduled(&state, &ctx, id, change).await?;
    Ok(Json(scheduled.into()))
}

/// Cancel a scheduled message before its time (it stays listed as
/// `cancelled`; cancelling it again changes nothing).
#[utoipa::path(delete, path = "/api/v1/scheduled-messages/{scheduled_message_id}", tag = "inbox",
    params(("scheduled_message_id" = ScheduledMessageId, Path)),
    responses((status = 204), (status = 404, body = ErrorBody),
              (status = 409, description = "Already sent or failed (`not_scheduled`).", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_scheduled_message(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ScheduledMessageId>,
) -> AppResult<StatusCode> {
    rules::cancel_scheduled(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
