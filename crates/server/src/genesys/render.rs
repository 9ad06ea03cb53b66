//! Between the two wire formats: a customer's WhatsApp message as a
//! Genesys inbound message, an agent's Genesys message as WhatsApp
//! content, and our reasons for refusing a send as Genesys receipt
//! reasons (reference §3 to §5).

use crate::automations::conditions::message_text;
use domain::Timestamp;
use genesys::wire::{self, Attachment, ChannelMetadata, Content, InboundChannel, Party};
use serde_json::Value;
use store::channels::Channel;
use store::inbox::{Contact, Media, MediaStatus, Message};
use whatsapp::outgoing::{
    Interactive, MediaBody, MediaKind, OutgoingContent, ReplyButton, TextBody,
};

/// A WhatsApp text's longest body.
const MAX_TEXT: usize = 4096;
/// A media caption's longest text.
const MAX_CAPTION: usize = 1024;
/// A reply button's longest title.
const MAX_BUTTON_TITLE: usize = 20;

/// Customer message `m` as Genesys takes it: its words (or a rendering of
/// a location, contact card or reaction), its media as an attachment at
/// `media_url` when stored, and who wrote it.
pub fn inbound(
    m: &Message,
    contact: &Contact,
    channel: &Channel,
    media: Option<&Media>,
    media_url: Option<String>,
) -> wire::InboundMessage {
    let mut custom = std::collections::BTreeMap::new();
    custom.insert("phoneNumberId".to_owned(), channel.phone_number_id.clone());
    custom.insert("wabaId".to_owned(), channel.waba_id.clone());
    let time = m.provider_time.unwrap_or(m.created_at);
    let mut text = words(&m.kind, &m.content);
    let mut content = Vec::new();
    match (media, media_url) {
        (Some(media), Some(url)) if media.status == MediaStatus::Stored => {
            content.push(Content {
                content_type: "Attachment".into(),
                attachment: Some(Attachment {
                    id: Some(media.id.to_string()),
                    media_type: media_type(&m.kind, media.mime_type.as_deref()).into(),
                    url,
                    mime: media.mime_type.clone(),
                    filename: filename(&m.kind, &m.content),
                    content_size_bytes: media.size_bytes,
                    text: None,
                }),
                other: Default::default(),
            });
        }
        (Some(_), _) => {
            let note = format!("[{} could not be fetched from WhatsApp]", m.kind);
            text = Some(match text {
                Some(t) => format!("{t}\n{note}"),
                None => note,
            });
        }
        (None, _) => {}
    }
    if text.is_none() && content.is_empty() {
        text = Some(format!("[{} message]", m.kind));
    }
    let name = contact.display_name().map(str::to_owned);
    wire::InboundMessage {
        channel: InboundChannel {
            message_id: m.wamid.clone(),
            from: Party {
                id: contact.wa_id.clone().unwrap_or_default(),
                id_type: Some("Phone".into()),
                nickname: name,
                first_name: None,
                last_name: None,
            },
            time: rfc3339(time),
            metadata: Some(ChannelMetadata {
                custom_attributes: custom,
            }),
        },
        text,
        content,
    }
}

/// `t` as Genesys writes times: RFC 3339, milliseconds, `Z`.
pub fn rfc3339(t: Timestamp) -> String {
    t.to_rfc3339_millis()
}

/// A message's words for an agent to read.
fn words(kind: &str, content: &Value) -> Option<String> {
    if let Some(t) = message_text(content) {
        return Some(t);
    }
    let at = |path: &[&str]| path.iter().try_fold(content, |v, k| v.get(k)).cloned();
    match kind {
        "location" => {
            let l = at(&["location"])?;
            let (lat, lon) = (l.get("latitude")?.as_f64()?, l.get("longitude")?.as_f64()?);
            let name = [l.get("name"), l.get("address")]
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let link = format!("https://maps.google.com/?q={lat},{lon}");
            Some(if name.is_empty() {
                format!("Location: {lat}, {lon} {link}")
            } else {
                format!("Location: {name} ({lat}, {lon}) {link}")
            })
        }
        "contacts" => {
            let cards = at(&["contacts"])?;
            let lines: Vec<String> = cards
                .as_array()?
                .iter()
                .map(|c| {
                    let name = c
                        .pointer("/name/formatted_name")
                        .and_then(Value::as_str)
                        .unwrap_or("(no name)");
                    let phones: Vec<&str> = c
                        .get("phones")
                        .and_then(Value::as_array)
                        .map(|p| p.iter().filter_map(|x| x.get("phone")?.as_str()).collect())
                        .unwrap_or_default();
                    format!("Contact: {name} {}", phones.join(", "))
                })
                .collect();
            Some(lines.join("\n"))
        }
        "reaction" => {
            let emoji = at(&["reaction", "emoji"])?;
            Some(format!("Reacted {}", emoji.as_str().unwrap_or("")))
        }
        _ => None,
    }
}

/// Genesys' media type of a WhatsApp media message.
fn media_type(kind: &str, mime: Option<&str>) -> &'static str {
    match kind {
        "image" => "Image",
        "video" => "Video",
        "audio" => "Audio",
        "sticker" if mime.is_some_and(|m| m.starts_with("image/")) => "Image",
        _ => "File",
    }
}

fn filename(kind: &str, content: &Value) -> Option<String> {
    content
        .get(kind)
        .and_then(|m| m.get("filename"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Why an agent's message cannot become WhatsApp content: a Genesys
/// receipt reason and what to tell the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsendable {
    pub reason: &'static str,
    pub message: String,
}

/// Agent message `m` as WhatsApp messages, in the order they go: its
/// text (as the first attachment's caption where WhatsApp allows one),
/// each attachment sent by link, quick replies as reply buttons.
pub fn outgoing(m: &wire::OutboundMessage) -> Result<Vec<OutgoingContent>, Unsendable> {
    let text = m
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned);
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(Unsendable {
            reason: "InvalidMessageStructure",
            message: format!("WhatsApp takes texts of at most {MAX_TEXT} characters"),
        });
    }
    let mut attachments = Vec::new();
    let mut quick = Vec::new();
    for c in &m.content {
        match c.content_type.as_str() {
            "Attachment" => {
                if let Some(a) = &c.attachment {
                    attachments.push(a);
                }
            }
            "QuickReply" | "QuickReplyV2" => {
                let q = c
                    .other
                    .get("quickReply")
                    .or_else(|| c.other.get("quickReplyV2"));
                if let Some(title) = q.and_then(|q| q.get("text")).and_then(Value::as_str) {
                    let payload = q
                        .and_then(|q| q.get("payload"))
                        .and_then(Value::as_str)
                        .unwrap_or(title);
                    quick.push((payload.to_owned(), title.to_owned()));
                }
            }
            other => {
                return Err(Unsendable {
                    reason: "UnsupportedMessage",
                    message: format!("`{other}` content cannot be sent on WhatsApp"),
                });
            }
        }
    }
    let mut out = Vec::new();
    // Longer than a caption may be: the text goes on its own, first.
    let mut caption = text.clone().filter(|t| t.chars().count() <= MAX_CAPTION);
    let mut alone = text.clone().filter(|t| t.chars().count() > MAX_CAPTION);
    if !quick.is_empty() {
        let body = text.clone().ok_or_else(|| Unsendable {
            reason: "InvalidMessageStructure",
            message: "quick replies need a text".into(),
        })?;
        if quick.len() > 3
            || quick
                .iter()
                .any(|(_, t)| t.chars().count() > MAX_BUTTON_TITLE)
        {
            return Err(Unsendable {
                reason: "InvalidMessageStructure",
                message: format!(
                    "WhatsApp shows at most 3 reply buttons of {MAX_BUTTON_TITLE} characters"
                ),
            });
        }
        let buttons = quick
            .into_iter()
            .map(|(id, title)| ReplyButton::new(id, title))
            .collect();
        out.push(OutgoingContent::Interactive {
            interactive: Interactive::buttons(body, buttons),
        });
        caption = None;
        alone = None;
    }
    for a in attachments {
        let kind = match a.media_type.as_str() {
            "Image" => MediaKind::Image,
            "Video" => MediaKind::Video,
            "Audio" => MediaKind::Audio,
            _ => MediaKind::Document,
        };
        let takes_caption = kind != MediaKind::Audio;
        let body = MediaBody {
            id: None,
            link: Some(a.url.clone()),
            caption: if takes_caption { caption.take() } else { None },
            filename: (kind == MediaKind::Document)
                .then(|| a.filename.clone())
                .flatten(),
            voice: None,
        };
        out.push(OutgoingContent::media(kind, body));
    }
    if let Some(t) = alone.or(caption) {
        // Text without an attachment to carry it: a text message, first.
        out.insert(
            0,
            OutgoingContent::Text {
                text: TextBody {
                    preview_url: false,
                    body: t,
                },
            },
        );
    }
    if out.is_empty() {
        return Err(Unsendable {
            reason: "InvalidMessageStructure",
            message: "the message has neither text nor attachments".into(),
        });
    }
    Ok(out)
}

/// The receipt reason for a send our rules refused (`code` is the API's
/// error code).
pub fn refusal_reason(code: &str) -> &'static str {
    match code {
        "outside_customer_service_window" => "MessageExpired",
        "contact_opted_out" => "RecipientOptedOut",
        "quota_exceeded" | "genesys_rate_limited" | "rate_limited" => "RateLimited",
        c if c.starts_with("channel_") => "MessageNotAllowed",
        "invalid" | "validation_failed" => "InvalidMessageStructure",
        _ => "GeneralError",
    }
}

#[cfg(test)]
mod tests;
