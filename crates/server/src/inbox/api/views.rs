//! The inbox's JSON shapes, shared by its routes and the Graph-compatible
//! endpoint.

use domain::messaging::MessageStatus;
use domain::{ChannelId, ContactId, ConversationId, MessageId, Timestamp, UserId};
use serde::Serialize;
use serde_json::Value;
use store::inbox::{Contact, Conversation, Message};
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactView {
    pub id: ContactId,
    pub wa_id: Option<String>,
    /// The customer's business-scoped user id (BSUID), when Meta sent one.
    pub user_id: Option<String>,
    /// The customer's WhatsApp username, when Meta sent one.
    pub username: Option<String>,
    pub profile_name: Option<String>,
    pub phone: Option<String>,
    pub opted_out: bool,
    /// When Meta last reported the customer's identity changed (new phone
    /// or reinstall): check who you are talking to.
    pub identity_changed_at: Option<Timestamp>,
    /// The team's name for the contact; shown instead of `profile_name`.
    pub name: Option<String>,
    pub email: Option<String>,
    /// A language tag (`en`, `pt_BR`).
    pub language: Option<String>,
    /// Custom attribute values by attribute key (`/api/v1/contact-attributes`).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, Value>,
    pub created_at: Timestamp,
    /// Its tags, by name.
    pub tags: Vec<crate::crm::tags::TagSummary>,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        ContactView {
            id: c.id,
            wa_id: c.wa_id,
            user_id: c.user_id,
            username: c.username,
            profile_name: c.profile_name,
            phone: c.phone,
            opted_out: c.opted_out_at.is_some(),
            identity_changed_at: c.identity_changed_at,
            name: c.name,
            email: c.email,
            language: c.language,
            attributes: c.attributes,
            created_at: c.created_at,
            tags: crate::crm::tags::summaries(c.tags),
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
    /// The team it is routed to.
    pub team_id: Option<domain::TeamId>,
    pub last_message_at: Timestamp,
    /// When free-form replies stop being allowed; `null` if the customer
    /// never wrote.
    pub window_closes_at: Option<Timestamp>,
    pub window_open: bool,
    /// Its tags, by name.
    pub tags: Vec<crate::crm::tags::TagSummary>,
}

pub fn conversation_view(c: Conversation, now: Timestamp) -> ConversationView {
    ConversationView {
        window_open: c.window_open(now),
        id: c.id,
        contact_id: c.contact_id,
        channel_id: c.channel_id,
        status: c.status.as_str().to_owned(),
        unread_count: c.unread_count,
        assigned_user_id: c.assigned_user_id,
        team_id: c.team_id,
        last_message_at: c.last_message_at,
        window_closes_at: c.window_closes_at,
        tags: crate::crm::tags::summaries(c.tags),
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
    /// The message object in Meta's wire format (its latest version if the
    /// customer edited it); `null` once the customer deleted it.
    #[schema(value_type = Object)]
    pub content: Value,
    /// When the customer last edited it.
    pub edited_at: Option<Timestamp>,
    /// The customer deleted it.
    pub deleted: bool,
    pub reply_to_wamid: Option<String>,
    pub status: MessageStatus,
    /// Why a `queued` message is not being sent yet (its number needs new
    /// credentials, the account is suspended); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<String>,
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
        content: if m.deleted_at.is_some() {
            Value::Null
        } else {
            m.content
        },
        edited_at: m.edited_at,
        deleted: m.deleted_at.is_some(),
        reply_to_wamid: m.reply_to_wamid,
        waiting: m
            .waiting_reason
            .filter(|_| m.status == MessageStatus::Queued),
        status: m.status,
        error,
        sent_at: m.provider_time,
        created_at: m.created_at,
        media: None,
    }
}
