//! Turning stored values into what a page shows: message bodies of every
//! type, status ticks, times.

use domain::Timestamp;
use domain::messaging::MessageStatus;
use serde_json::Value;
use store::inbox::{Contact, Message};

/// A message's media as the thread needs it.
#[derive(Debug, Clone)]
pub struct MediaView {
    pub message_id: domain::MessageId,
    pub url: String,
    pub mime_type: Option<String>,
    pub status: String,
}

/// A time as a person reads it: `14:05` today, `3 Mar 14:05` otherwise (UTC).
pub fn when(t: Timestamp, now: Timestamp) -> String {
    let (Ok(t), Ok(n)) = (
        time::OffsetDateTime::from_unix_timestamp(t.as_unix_seconds()),
        time::OffsetDateTime::from_unix_timestamp(now.as_unix_seconds()),
    ) else {
        return String::new();
    };
    let hm = format!("{:02}:{:02}", t.hour(), t.minute());
    if t.date() == n.date() {
        hm
    } else {
        let month = &t.month().to_string()[..3];
        format!("{} {month} {hm}", t.day())
    }
}

/// The name to show for a contact.
pub fn contact_name(c: &Contact) -> String {
    c.display_name()
        .map(str::to_owned)
        .or_else(|| c.wa_id.as_ref().map(|w| format!("+{w}")))
        .or_else(|| c.phone.clone())
        .unwrap_or_else(|| "Unknown contact".to_owned())
}

/// A message, ready for the thread.
#[derive(Debug, Clone)]
pub struct MessageRow {
    pub id: String,
    pub wamid: String,
    /// `in` or `out`.
    pub direction: &'static str,
    pub status: &'static str,
    pub tick: &'static str,
    pub tick_label: String,
    /// What went wrong, for a failed message.
    pub failure: Option<String>,
    /// A label such as "Image" or "Template order_update" for non-text messages.
    pub label: Option<String>,
    pub text: String,
    /// The authorised URL of the message's media (`/api/v1/media/{id}`).
    pub media_url: Option<String>,
    /// Why the media cannot be shown yet.
    pub media_note: Option<String>,
    pub media_is_image: bool,
    pub reply_to: Option<String>,
    pub time: String,
    /// A template message as the customer received it (rendered from the
    /// template library with its values); set by the thread page.
    pub template: Option<crate::templates::layout::Rendered>,
}

fn s(v: &Value, path: &str) -> Option<String> {
    v.pointer(path)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .filter(|s| !s.is_empty())
}

/// The readable text and a label of a stored message: a deleted one
/// shows no content, an edited one says so.
pub fn message_body(m: &Message) -> (Option<String>, String) {
    if m.deleted_at.is_some() {
        return (Some("This message was deleted".to_owned()), String::new());
    }
    let (label, text) = body(&m.kind, &m.content);
    match (m.edited_at, label) {
        (Some(_), Some(l)) => (Some(format!("{l} (edited)")), text),
        (Some(_), None) => (Some("Edited".to_owned()), text),
        (None, label) => (label, text),
    }
}

/// The readable text and a label for any message type.
pub fn body(kind: &str, c: &Value) -> (Option<String>, String) {
    let media = |k: &str, label: &str| {
        let caption = s(c, &format!("/{k}/caption"))
            .or_else(|| s(c, &format!("/{k}/filename")))
            .unwrap_or_default();
        (Some(label.to_owned()), caption)
    };
    match kind {
        "text" => (None, s(c, "/text/body").unwrap_or_default()),
        "image" => media("image", "Image"),
        "video" => media("video", "Video"),
        "audio" => media("audio", "Voice message"),
        "document" => media("document", "Document"),
        "sticker" => media("sticker", "Sticker"),
        "location" => {
            let place = [s(c, "/location/name"), s(c, "/location/address")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
            let coords = match (
                c.pointer("/location/latitude"),
                c.pointer("/location/longitude"),
            ) {
                (Some(la), Some(lo)) => format!("{la}, {lo}"),
                _ => String::new(),
            };
            let text = [place, coords]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" · ");
            (Some("Location".into()), text)
        }
        "contacts" => {
            let names = c["contacts"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| s(p, "/name/formatted_name"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            (Some("Contact card".into()), names)
        }
        "interactive" => {
            let text = s(c, "/interactive/button_reply/title")
                .or_else(|| s(c, "/interactive/list_reply/title"))
                .or_else(|| s(c, "/interactive/body/text"))
                .unwrap_or_default();
            (Some("Interactive".into()), text)
        }
        "button" => (
            Some("Button".into()),
            s(c, "/button/text").unwrap_or_default(),
        ),
        "reaction" => (
            Some("Reaction".into()),
            s(c, "/reaction/emoji").unwrap_or_else(|| "(removed)".into()),
        ),
        "template" => {
            let name = s(c, "/template/name").unwrap_or_default();
            let params = c
                .pointer("/template/components")
                .and_then(Value::as_array)
                .map(|comps| {
                    comps
                        .iter()
                        .filter_map(|p| p["parameters"].as_array())
                        .flatten()
                        .filter_map(|p| s(p, "/text"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            (Some(format!("Template {name}")), params)
        }
        other => (
            Some(format!("Unsupported message ({other})")),
            String::new(),
        ),
    }
}

fn tick(status: MessageStatus) -> (&'static str, &'static str) {
    match status {
        MessageStatus::Received => ("", "received"),
        MessageStatus::Queued => ("○", "queued"),
        MessageStatus::Sent => ("✓", "sent"),
        MessageStatus::Delivered => ("✓✓", "delivered"),
        MessageStatus::Read => ("✓✓", "read"),
        MessageStatus::Played => ("✓✓", "played"),
        MessageStatus::Failed => ("✕", "failed"),
    }
}

/// Thread rows, oldest first, with reply context resolved within the page.
pub fn message_rows(
    mut messages: Vec<Message>,
    media: &[MediaView],
    now: Timestamp,
) -> Vec<MessageRow> {
    // In the order they reached us (ids are time-ordered too).
    messages.sort_by_key(|m| (m.created_at, m.id));
    let snippets: Vec<(String, String)> = messages
        .iter()
        .filter_map(|m| {
            let (label, text) = message_body(m);
            let t = if text.is_empty() {
                label.unwrap_or_default()
            } else {
                text
            };
            m.wamid.clone().map(|w| (w, t.chars().take(80).collect()))
        })
        .collect();
    messages
        .into_iter()
        .map(|m| {
            let (label, text) = message_body(&m);
            let found = media
                .iter()
                .find(|x| x.message_id == m.id)
                .filter(|_| m.deleted_at.is_none());
            let (symbol, name) = tick(m.status);
            let failure = (m.status == MessageStatus::Failed).then(|| {
                let title = m.error_title.clone().unwrap_or_else(|| "failed".into());
                match m.error_code {
                    Some(code) => format!("{title} (error {code})"),
                    None => title,
                }
            });
            let reply_to = m.reply_to_wamid.as_ref().map(|w| {
                snippets
                    .iter()
                    .find(|(id, _)| id == w)
                    .map(|(_, t)| t.clone())
                    .unwrap_or_else(|| "an earlier message".into())
            });
            MessageRow {
                id: m.id.to_string(),
                wamid: m.wamid.clone().unwrap_or_default(),
                direction: m.direction.as_str(),
                status: name,
                tick: symbol,
                tick_label: failure.clone().unwrap_or_else(|| name.to_owned()),
                failure,
                label,
                text,
                media_url: found
                    .filter(|f| f.status == "stored")
                    .map(|f| f.url.clone()),
                media_note: found.and_then(|f| match f.status.as_str() {
                    "stored" => None,
                    "failed" => {
                        Some("The attachment could not be fetched from WhatsApp.".to_owned())
                    }
                    _ => Some("The attachment is still being fetched…".to_owned()),
                }),
                media_is_image: found
                    .and_then(|f| f.mime_type.as_deref())
                    .map_or(m.kind == "image" || m.kind == "sticker", |t| {
                        t.starts_with("image/")
                    }),
                reply_to,
                time: when(m.provider_time.unwrap_or(m.created_at), now),
                template: None,
            }
        })
        .collect()
}
