//! Incoming webhooks: the envelope, message/status/template types, parsing
//! and flattening into [`WebhookEvent`]s.
//!
//! Parsing is deliberately forgiving: only a body that is not JSON, or whose
//! envelope (`object`, `entry`, `changes`) has the wrong JSON shape, is a
//! [`ParseError`]. Unknown fields, unknown message types and values that do
//! not fit the typed model are kept raw so nothing is silently lost.

mod content;
mod envelope;
mod events;
mod interactive;
mod message;
mod status;
mod template;

pub use content::{ButtonReply, Media, MessageContent, Order, ProductItem, Reaction, System, Text};
pub use envelope::{
    Change, ChangeValue, Contact, EchoesValue, Entry, FIELD_MESSAGE_ECHOES, FIELD_MESSAGES,
    FIELD_TEMPLATE_STATUS, MessagesValue, Metadata, OBJECT_WHATSAPP, Profile, WebhookError,
    WebhookErrorData, WebhookPayload, value_phone_number_id,
};
pub use events::WebhookEvent;
pub use interactive::InteractiveReply;
pub use message::{Context, Identity, InboundMessage, Referral, ReferredProduct};
pub use status::{Conversation, ConversationOrigin, Pricing, Status, StatusKind};
pub use template::{DisableInfo, OtherInfo, RejectionInfo, TemplateEvent, TemplateStatusUpdate};

/// The body is not a WhatsApp webhook envelope.
#[derive(Debug, thiserror::Error)]
#[error("invalid webhook body: {0}")]
pub struct ParseError(#[from] serde_json::Error);

/// Parses a webhook `POST` body (verify the signature over the same bytes
/// first, see [`crate::verify_signature`]).
pub fn parse_webhook(body: &[u8]) -> Result<WebhookPayload, ParseError> {
    Ok(serde_json::from_slice(body)?)
}
