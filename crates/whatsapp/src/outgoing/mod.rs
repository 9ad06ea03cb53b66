//! Bodies of `POST /{phone_number_id}/messages` (reference §2.1) and its
//! responses (§2.2). Serialising an [`OutgoingMessage`] gives Meta's exact
//! JSON; deserialising accepts it back (the server and the sandbox read API
//! requests into these types).

mod interactive;
mod response;
mod template;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

pub use interactive::{
    Interactive, InteractiveAction, InteractiveHeader, InteractiveText, ListRow, ListSection,
    ReplyButton, ReplyButtonBody,
};
pub use response::{SendContact, SendResponse, SentMessage, SuccessResponse};
pub use template::{
    Currency, DateTime, Template, TemplateComponent, TemplateLanguage, TemplateParameter,
};

use crate::shared::{ContactCard, Location};

/// `"whatsapp"`, the only `messaging_product`.
pub const MESSAGING_PRODUCT: &str = "whatsapp";

fn whatsapp() -> String {
    MESSAGING_PRODUCT.to_owned()
}

fn individual() -> String {
    "individual".to_owned()
}

/// Who a message goes to: a phone number / wa_id (`to`) or a
/// business-scoped user id (`recipient`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// wa_id or phone number (`+` and formatting tolerated by Meta).
    WaId(String),
    /// BSUID, for users who hide their number.
    UserId(String),
}

impl From<&str> for Recipient {
    fn from(wa_id: &str) -> Self {
        Self::WaId(wa_id.to_owned())
    }
}

impl From<String> for Recipient {
    fn from(wa_id: String) -> Self {
        Self::WaId(wa_id)
    }
}

/// A message send request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingMessage {
    /// Always `"whatsapp"` (required on the wire, so no default when read).
    pub messaging_product: String,
    /// `individual` (default) or `group`.
    #[serde(default = "individual")]
    pub recipient_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// BSUID alternative to `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// `type` plus the object named after it.
    #[serde(flatten)]
    pub content: OutgoingContent,
    /// Quote a message (`{"message_id": "wamid..."}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<ReplyContext>,
    /// Echoed on every status webhook of this message (<= 512 chars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biz_opaque_callback_data: Option<String>,
}

/// The `type` and content object of an [`OutgoingMessage`].
// Short-lived values; boxing would only complicate construction and matching.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutgoingContent {
    Text { text: TextBody },
    Image { image: MediaBody },
    Video { video: MediaBody },
    Audio { audio: MediaBody },
    Document { document: MediaBody },
    Sticker { sticker: MediaBody },
    Location { location: Location },
    Contacts { contacts: Vec<ContactCard> },
    Interactive { interactive: Interactive },
    Template { template: Template },
    Reaction { reaction: ReactionBody },
}

impl OutgoingContent {
    /// The wire `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Image { .. } => "image",
            Self::Video { .. } => "video",
            Self::Audio { .. } => "audio",
            Self::Document { .. } => "document",
            Self::Sticker { .. } => "sticker",
            Self::Location { .. } => "location",
            Self::Contacts { .. } => "contacts",
            Self::Interactive { .. } => "interactive",
            Self::Template { .. } => "template",
            Self::Reaction { .. } => "reaction",
        }
    }

    /// Media content of the given kind.
    pub fn media(kind: MediaKind, media: MediaBody) -> Self {
        match kind {
            MediaKind::Image => Self::Image { image: media },
            MediaKind::Video => Self::Video { video: media },
            MediaKind::Audio => Self::Audio { audio: media },
            MediaKind::Document => Self::Document { document: media },
            MediaKind::Sticker => Self::Sticker { sticker: media },
        }
    }
}

/// The sendable media types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// `text` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBody {
    /// Render a link preview for the first URL.
    #[serde(default)]
    pub preview_url: bool,
    /// <= 4096 chars.
    pub body: String,
}

/// Media object: exactly one of `id` (uploaded media) or `link` (public URL).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// image, video, document only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// document only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// audio only: send as a voice note (ogg/opus).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<bool>,
}

impl MediaBody {
    /// Media previously uploaded (see [`crate::GraphClient::upload_media`]).
    pub fn id(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }

    /// Media Meta fetches from a public URL.
    pub fn link(url: impl Into<String>) -> Self {
        Self {
            link: Some(url.into()),
            ..Self::default()
        }
    }

    pub fn with_caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = Some(caption.into());
        self
    }

    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    pub fn with_voice(mut self, voice: bool) -> Self {
        self.voice = Some(voice);
        self
    }
}

/// `reaction` object. An empty `emoji` removes the reaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReactionBody {
    pub message_id: String,
    #[serde(default)]
    pub emoji: String,
}

/// `context` object of a quoted reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyContext {
    pub message_id: String,
}

impl OutgoingMessage {
    /// A message to `to` with the given content.
    pub fn new(to: impl Into<Recipient>, content: OutgoingContent) -> Self {
        let (to, recipient) = match to.into() {
            Recipient::WaId(id) => (Some(id), None),
            Recipient::UserId(id) => (None, Some(id)),
        };
        Self {
            messaging_product: whatsapp(),
            recipient_type: individual(),
            to,
            recipient,
            content,
            context: None,
            biz_opaque_callback_data: None,
        }
    }

    /// Free-form text (`preview_url: false`; see [`Self::with_preview_url`]).
    pub fn text(to: impl Into<Recipient>, body: impl Into<String>) -> Self {
        let text = TextBody {
            preview_url: false,
            body: body.into(),
        };
        Self::new(to, OutgoingContent::Text { text })
    }

    /// Image, video, audio, document or sticker.
    pub fn media(to: impl Into<Recipient>, kind: MediaKind, media: MediaBody) -> Self {
        Self::new(to, OutgoingContent::media(kind, media))
    }

    /// An approved template (the only kind allowed outside the 24 h window).
    pub fn template(to: impl Into<Recipient>, template: Template) -> Self {
        Self::new(to, OutgoingContent::Template { template })
    }

    /// Reply buttons, list, or another interactive type.
    pub fn interactive(to: impl Into<Recipient>, interactive: Interactive) -> Self {
        Self::new(to, OutgoingContent::Interactive { interactive })
    }

    /// React to `message_id` (empty `emoji` removes the reaction).
    pub fn reaction(
        to: impl Into<Recipient>,
        message_id: impl Into<String>,
        emoji: impl Into<String>,
    ) -> Self {
        let reaction = ReactionBody {
            message_id: message_id.into(),
            emoji: emoji.into(),
        };
        Self::new(to, OutgoingContent::Reaction { reaction })
    }

    pub fn location(to: impl Into<Recipient>, location: Location) -> Self {
        Self::new(to, OutgoingContent::Location { location })
    }

    pub fn contacts(to: impl Into<Recipient>, contacts: Vec<ContactCard>) -> Self {
        Self::new(to, OutgoingContent::Contacts { contacts })
    }

    /// Sets `text.preview_url` (no effect on other types).
    pub fn with_preview_url(mut self, preview_url: bool) -> Self {
        if let OutgoingContent::Text { text } = &mut self.content {
            text.preview_url = preview_url;
        }
        self
    }

    /// Sends as a quoted reply to `message_id`.
    pub fn with_reply_to(mut self, message_id: impl Into<String>) -> Self {
        self.context = Some(ReplyContext {
            message_id: message_id.into(),
        });
        self
    }

    /// Sets `biz_opaque_callback_data`.
    pub fn with_callback_data(mut self, data: impl Into<String>) -> Self {
        self.biz_opaque_callback_data = Some(data.into());
        self
    }

    /// Applies [`SendOptions`].
    pub fn with_options(mut self, options: &SendOptions) -> Self {
        if let Some(id) = &options.reply_to {
            self = self.with_reply_to(id.clone());
        }
        if let Some(data) = &options.biz_opaque_callback_data {
            self = self.with_callback_data(data.clone());
        }
        self
    }

    /// The wire `type`.
    pub fn kind(&self) -> &'static str {
        self.content.kind()
    }

    /// `to` or, failing that, `recipient`.
    pub fn target(&self) -> Option<Recipient> {
        match (&self.to, &self.recipient) {
            (Some(to), _) => Some(Recipient::WaId(to.clone())),
            (None, Some(user)) => Some(Recipient::UserId(user.clone())),
            (None, None) => None,
        }
    }
}

/// Options shared by every send helper of [`crate::GraphClient`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// wamid to quote (`context.message_id`).
    pub reply_to: Option<String>,
    /// Echoed back on status webhooks.
    pub biz_opaque_callback_data: Option<String>,
}

/// Mark-as-read body (same endpoint as sends, no `to`/`type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkReadRequest {
    pub messaging_product: String,
    /// Always `"read"`.
    pub status: String,
    pub message_id: String,
    /// Show "typing..." until we reply or 25 s pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typing_indicator: Option<TypingIndicator>,
}

impl MarkReadRequest {
    pub fn new(message_id: impl Into<String>, typing_indicator: bool) -> Self {
        Self {
            messaging_product: whatsapp(),
            status: "read".to_owned(),
            message_id: message_id.into(),
            typing_indicator: typing_indicator.then(|| TypingIndicator {
                kind: "text".to_owned(),
            }),
        }
    }
}

/// `typing_indicator` object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypingIndicator {
    /// `"text"`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Anything `POST /{phone_number_id}/messages` accepts: a send or a
/// mark-as-read (told apart by the presence of `status`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum MessagesRequest {
    Send(OutgoingMessage),
    MarkRead(MarkReadRequest),
}

impl<'de> Deserialize<'de> for MessagesRequest {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = Value::deserialize(d)?;
        let is_mark_read = value.get("status").is_some() && value.get("type").is_none();
        if is_mark_read {
            MarkReadRequest::deserialize(value)
                .map(Self::MarkRead)
                .map_err(D::Error::custom)
        } else {
            OutgoingMessage::deserialize(value)
                .map(Self::Send)
                .map_err(D::Error::custom)
        }
    }
}
