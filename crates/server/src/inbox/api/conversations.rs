//! The shared inbox (`/api/v1/contacts`, `/api/v1/conversations`).

use crate::auth::{Authorized, perm};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::messaging::MessageStatus;
use domain::{ChannelId, ContactId, ConversationId, MessageId, Timestamp, UserId};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use store::inbox::{Contact, Conversation, ConversationFilter, ConversationStatus, Message};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_contacts))
        .routes(routes!(get_contact, update_contact))
        .routes(routes!(list_conversations))
        .routes(routes!(get_conversation, update_conversation))
        .routes(routes!(mark_conversation_read))
        .routes(routes!(list_messages))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: ContactId,
    pub wa_id: Option<String>,
    pub profile_name: Option<String>,
    pub phone: Option<String>,
    pub opted_out: bool,
    pub created_at: Timestamp,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        ContactView {
            id: c.id,
            wa_id: c.wa_id,
            profile_name: c.profile_name,
            phone: c.phone,
            opted_out: c.opted_out_at.is_some(),
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    /// `open`, `pending` or `resolved`.
    pub status: String,
    pub unread_count: i64,
    pub assigned_user_id: Option<UserId>,
    pub last_message_at: Timestamp,
    /// When free-form replies stop being allowed; `null` if the customer
    /// never wrote.
    pub window_closes_at: Option<Timestamp>,
    pub window_open: bool,
}

fn conversation_view(c: Conversation, now: Timestamp) -> ConversationView {
    ConversationView {
        window_open: c.window_open(now),
        id: c.id,
        contact_id: c.contact_id,
        channel_id: c.channel_id,
        status: c.status.as_str().to_owned(),
        unread_count: c.unread_count,
        assigned_user_id: c.assigned_user_id,
        last_message_at: c.last_message_at,
        window_closes_at: c.window_closes_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageError {
    pub code: Option<i64>,
    pub title: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// `in` or `out`.
    pub direction: String,
    pub wamid: Option<String>,
    /// Meta's message type: `text`, `image`, `template`, `reaction`, …
    pub kind: String,
    /// The message object in Meta's wire format.
    #[schema(value_type = Object)]
    pub content: Value,
    pub reply_to_wamid: Option<String>,
    pub status: MessageStatus,
    pub error: Option<MessageError>,
    /// When WhatsApp says it was sent (inbound) — absent for ours until sent.
    pub sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// The message's media in our media store (inbound image, audio,
    /// video, document or sticker).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::inbox::api::media::MediaView>,
}

pub fn message_view(m: Message) -> MessageView {
    let error = (m.error_code.is_some() || m.error_title.is_some()).then(|| MessageError {
        code: m.error_code,
        title: m.error_title.clone(),
        detail: m.error_detail.clone(),
    });
    MessageView {
        id: m.id,
        conversation_id: m.conversation_id,
        direction: m.direction.as_str().to_owned(),
        wamid: m.wamid,
        kind: m.kind,
        content: m.content,
        reply_to_wamid: m.reply_to_wamid,
        status: m.status,
        error,
        sent_at: m.provider_time,
        created_at: m.created_at,
        media: None,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactQuery {
    /// Matches name, WhatsApp id or phone.
    pub search: Option<String>,
    pub limit: Option<u32>,
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
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contacts = tx
        .list_contacts(q.search.as_deref().filter(|s| !s.is_empty()), page)
        .await?;
    tx.commit().await?;
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
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    let conversations = tx.list_contact_conversations(id).await?;
    tx.commit().await?;
    Ok(Json(ContactDetail {
        contact: contact.into(),
        conversations: conversations
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
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let contact = tx.find_contact(id).await?;
    if let Some(opt_out) = body.opted_out {
        crate::channels::process::set_consent(&mut tx, &contact, opt_out, "api", now).await?;
        crate::audit::tenant_change(
            &mut tx,
            &ctx,
            now,
            if opt_out {
                "contact.opt_out"
            } else {
                "contact.opt_in"
            },
            ("contact", id.to_string()),
            json!({}),
        )
        .await?;
    }
    let contact = tx.find_contact(id).await?;
    tx.commit().await?;
    Ok(Json(contact.into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationQuery {
    /// `open`, `pending` or `resolved`.
    pub status: Option<String>,
    pub channel_id: Option<ChannelId>,
    /// Only conversations with unread messages.
    pub unread: Option<bool>,
    /// `me`, `none`, or a user id.
    pub assigned: Option<String>,
    /// Matches the contact's name, WhatsApp id or phone.
    pub search: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// The inbox: conversations with the most recent activity first.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "inbox", params(ConversationQuery),
    responses((status = 200, body = Paged<ConversationView>), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_conversations(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<ConversationQuery>,
) -> AppResult<Json<Paged<ConversationView>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            ConversationStatus::parse(s)
                .ok_or_else(|| AppError::validation("status", "open, pending or resolved"))?,
        ),
    };
    let (assigned_to, unassigned_only) =
        match q.assigned.as_deref() {
            None | Some("") => (None, false),
            Some("none") => (None, true),
            Some("me") => (
                Some(ctx.user_id().ok_or_else(|| {
                    AppError::validation("assigned", "`me` needs a signed-in user")
                })?),
                false,
            ),
            Some(id) => (
                Some(
                    id.parse::<UserId>()
                        .map_err(|_| AppError::validation("assigned", "me, none or a user id"))?,
                ),
                false,
            ),
        };
    let before = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => Some(
            parse_cursor(c)
                .ok_or_else(|| AppError::validation("cursor", "not a cursor from this API"))?,
        ),
        None => None,
    };
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 200));
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let mut rows = tx
        .list_conversations(&ConversationFilter {
            status,
            channel: q.channel_id,
            unread_only: q.unread.unwrap_or(false),
            assigned_to,
            unassigned_only,
            search: q.search.clone(),
            before,
            limit: limit + 1,
        })
        .await?;
    tx.commit().await?;
    let next_cursor = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last()
            .map(|c| format!("{}_{}", c.last_message_at.as_millis(), c.id))
    } else {
        None
    };
    Ok(Json(Paged {
        items: rows
            .into_iter()
            .map(|c| conversation_view(c, now))
            .collect(),
        next_cursor,
    }))
}

fn parse_cursor(c: &str) -> Option<(Timestamp, ConversationId)> {
    let (ts, id) = c.split_once('_')?;
    Some((Timestamp::from_millis(ts.parse().ok()?), id.parse().ok()?))
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationView>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let c = tx.find_conversation(id).await?;
    tx.commit().await?;
    Ok(Json(conversation_view(c, state.now())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateConversation {
    /// `open`, `pending` or `resolved`.
    pub status: Option<String>,
    /// Assign to this user; `null` unassigns.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<UserId>)]
    pub assigned_user_id: Option<Option<UserId>>,
}

fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<UserId>>, D::Error> {
    Option::<UserId>::deserialize(d).map(Some)
}

/// Change a conversation's status or assignee.
#[utoipa::path(patch, path = "/api/v1/conversations/{conversation_id}", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)), request_body = UpdateConversation,
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_conversation(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(body): ApiJson<UpdateConversation>,
) -> AppResult<Json<ConversationView>> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let current = tx.find_conversation(id).await?;
    let status = match body.status.as_deref() {
        Some(s) => ConversationStatus::parse(s)
            .ok_or_else(|| AppError::validation("status", "open, pending or resolved"))?,
        None => current.status,
    };
    let assigned = match body.assigned_user_id {
        Some(Some(user)) => {
            let u = tx.find_user(user).await.map_err(|e| match e {
                store::StoreError::NotFound => {
                    AppError::validation("assigned_user_id", "no such user")
                }
                other => other.into(),
            })?;
            if u.disabled_at.is_some() {
                return Err(AppError::validation(
                    "assigned_user_id",
                    "this user is disabled",
                ));
            }
            Some(user)
        }
        Some(None) => None,
        None => current.assigned_user_id,
    };
    let c = tx.update_conversation(id, status, assigned, now).await?;
    tx.insert_event(
        "conversation.updated",
        Some(id.as_uuid()),
        &json!({ "conversation_id": id, "status": status.as_str(), "assigned_user_id": assigned }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(conversation_view(c, now)))
}

/// Mark a conversation read (its unread count drops to zero).
#[utoipa::path(post, path = "/api/v1/conversations/{conversation_id}/read", tag = "inbox",
    params(("conversation_id" = ConversationId, Path)),
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn mark_conversation_read(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<ConversationId>,
) -> AppResult<Json<ConversationView>> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    tx.find_conversation(id).await?;
    let c = tx.mark_conversation_read(id, now).await?;
    tx.insert_event(
        "conversation.read",
        Some(id.as_uuid()),
        &json!({ "conversation_id": id }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(conversation_view(c, now)))
}

/// A conversation's messages, newest first.
#[utoipa::path(get, path = "/api/v1/conversations/{conversation_id}/messages", tag = "inbox",
    params(("conversation_id" = ConversationId, Path), PageQuery),
    responses((status = 200, body = Paged<MessageView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_messages(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> AppResult<Json<Paged<MessageView>>> {
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    tx.find_conversation(id).await?;
    let page = tx.list_messages(id, q.request()?).await?;
    let ids: Vec<_> = page.items.iter().map(|m| m.id).collect();
    let media = tx.list_media_of_messages(&ids).await?;
    tx.commit().await?;
    Ok(Json(Paged::from_page(page, |m| {
        let found = media.iter().find(|x| x.message_id == m.id);
        MessageView {
            media: found.map(crate::inbox::api::media::MediaView::from),
            ..message_view(m)
        }
    })))
}
