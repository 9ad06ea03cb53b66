//! Scheduled messages: a message or template to one contact at a chosen time,
//! sent by a job when it comes, under the rules in force then.
//!
//! The rules live here ([`rules`]: schedule, list, read, change, cancel;
//! [`fire`]: what happens when the time comes); [`api`] and [`pages`] are
//! thin adapters over them, [`jobs`] registers the background work.
//!
//! A scheduled message is `scheduled` until its time, then `sent` (its
//! message was queued, in the same transaction that marks it sent: see
//! [`fire`]), or `failed` with the refusing rule's code and reason; or it
//! is `cancelled` before its time. Only a `scheduled` one may be changed.

pub mod api;
pub mod board;
pub mod fire;
pub mod jobs;
pub mod pages;
pub mod rules;

use crate::error::{AppError, AppResult};
use domain::events::ScheduledMessageRef;
use domain::{ChannelId, ContactId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::scheduled::ScheduledMessage;
use utoipa::ToSchema;
use whatsapp::outgoing::{
    OutgoingContent, Template, TemplateComponent, TemplateParameter, TextBody,
};

/// How far ahead a message may be scheduled.
pub const MAX_AHEAD_DAYS: i64 = 366;
/// A text's longest length (Meta's limit).
pub const MAX_TEXT: usize = 4096;

/// What a scheduled message sends, as stored (`content`, JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    Text { text: String },
    Template(TemplateContent),
}

/// An approved template by name and language, with the values of its
/// body's variables: positional (`{{1}}`…) or named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateContent {
    /// The approved template's name.
    pub name: String,
    /// Its language (`en_US`, `pt_BR`).
    pub language: String,
    /// Values of its body's `{{1}}`, `{{2}}`… in order…
    #[serde(default)]
    pub parameters: Vec<String>,
    /// …or of its named variables (`{{first_name}}`).
    #[serde(default)]
    pub named_parameters: BTreeMap<String, String>,
}

impl Content {
    /// Exactly one of a non-empty text (up to 4,096 characters) or a
    /// template with a name and a language; values trimmed.
    pub fn from_parts(text: Option<String>, template: Option<TemplateContent>) -> AppResult<Self> {
        let text = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        match (text, template) {
            (Some(text), None) if text.chars().count() <= MAX_TEXT => Ok(Content::Text { text }),
            (Some(_), None) => Err(AppError::validation(
                "text",
                format!("at most {MAX_TEXT} characters"),
            )),
            (None, Some(t)) if !t.name.trim().is_empty() && !t.language.trim().is_empty() => {
                Ok(Content::Template(TemplateContent {
                    name: t.name.trim().to_owned(),
                    language: t.language.trim().to_owned(),
                    parameters: t.parameters.iter().map(|v| v.trim().to_owned()).collect(),
                    named_parameters: t
                        .named_parameters
                        .iter()
                        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                        .collect(),
                }))
            }
            _ => Err(AppError::validation(
                "text",
                "write a text, or choose a template (name and language), not both",
            )),
        }
    }

    /// `text` or `template`.
    pub fn kind(&self) -> &'static str {
        match self {
            Content::Text { .. } => "text",
            Content::Template(_) => "template",
        }
    }

    /// One line for lists: the text, or the template's name and values.
    pub fn summary(&self) -> String {
        match self {
            Content::Text { text } => text.clone(),
            Content::Template(t) => {
                let values: Vec<&str> = t
                    .parameters
                    .iter()
                    .map(String::as_str)
                    .chain(t.named_parameters.values().map(String::as_str))
                    .collect();
                if values.is_empty() {
                    format!("Template {} ({})", t.name, t.language)
                } else {
                    format!(
                        "Template {} ({}): {}",
                        t.name,
                        t.language,
                        values.join(", ")
                    )
                }
            }
        }
    }

    /// Meta's content for it.
    pub fn outgoing(&self) -> OutgoingContent {
        match self {
            Content::Text { text } => OutgoingContent::Text {
                text: TextBody {
                    preview_url: false,
                    body: text.clone(),
                },
            },
            Content::Template(t) => {
                let params: Vec<TemplateParameter> = t
                    .parameters
                    .iter()
                    .map(|v| TemplateParameter::text(v.as_str()))
                    .chain(
                        t.named_parameters
                            .iter()
                            .map(|(k, v)| TemplateParameter::named(k.as_str(), v.as_str())),
                    )
                    .collect();
                let template = Template::new(t.name.as_str(), t.language.as_str());
                OutgoingContent::Template {
                    template: if params.is_empty() {
                        template
                    } else {
                        template.with_component(TemplateComponent::body(params))
                    },
                }
            }
        }
    }

    fn to_json(&self) -> AppResult<serde_json::Value> {
        serde_json::to_value(self).map_err(AppError::internal)
    }

    fn of(stored: &ScheduledMessage) -> AppResult<Self> {
        serde_json::from_value(stored.content.clone()).map_err(AppError::internal)
    }
}

/// When to send: an instant, or wall time in the tenant's zone
/// (`YYYY-MM-DDTHH:MM`, read by [`crate::tenancy::zone::parse_local`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    At(Timestamp),
    Local(String),
}

impl When {
    /// From the two ways a caller may give it: exactly one.
    pub fn from_parts(at: Option<Timestamp>, local: Option<String>) -> AppResult<Option<Self>> {
        match (at, local.filter(|l| !l.trim().is_empty())) {
            (Some(at), None) => Ok(Some(When::At(at))),
            (None, Some(local)) => Ok(Some(When::Local(local))),
            (None, None) => Ok(None),
            (Some(_), Some(_)) => Err(AppError::validation(
                "send_at",
                "give `send_at` or `local_time`, not both",
            )),
        }
    }

    /// The instant, checked: after `now` and at most [`MAX_AHEAD_DAYS`]
    /// ahead.
    pub fn resolve(&self, zone: &str, now: Timestamp) -> AppResult<Timestamp> {
        let (at, field) = match self {
            When::At(at) => (*at, "send_at"),
            When::Local(local) => (
                crate::tenancy::zone::parse_local(zone, local)?,
                "local_time",
            ),
        };
        if at <= now {
            return Err(AppError::validation(field, "must be in the future"));
        }
        if at > now.plus_seconds(MAX_AHEAD_DAYS * 86_400) {
            return Err(AppError::validation(
                field,
                format!("at most {MAX_AHEAD_DAYS} days ahead"),
            ));
        }
        Ok(at)
    }
}

/// What to schedule.
#[derive(Debug, Clone)]
pub struct NewScheduled {
    pub contact_id: ContactId,
    /// The number to send from (optional when the tenant has one).
    pub channel_id: Option<ChannelId>,
    pub content: Content,
    pub when: When,
}

/// A change to a scheduled message; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct ScheduledChange {
    pub channel_id: Option<ChannelId>,
    pub content: Option<Content>,
    pub when: Option<When>,
}

/// A scheduled message with its decoded content and the tenant's zone
/// (to show its time in).
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub stored: ScheduledMessage,
    pub content: Content,
    pub time_zone: String,
}

impl Scheduled {
    fn of(stored: ScheduledMessage, time_zone: &str) -> AppResult<Self> {
        Ok(Scheduled {
            content: Content::of(&stored)?,
            stored,
            time_zone: time_zone.to_owned(),
        })
    }

    /// Its time as wall time in the tenant's zone (`YYYY-MM-DDTHH:MM`).
    pub fn local_time(&self) -> String {
        crate::tenancy::zone::format_local(&self.time_zone, self.stored.send_at)
    }
}

/// The event payload naming `m`.
fn event_ref(m: &ScheduledMessage, content: &Content) -> ScheduledMessageRef {
    ScheduledMessageRef {
        scheduled_message_id: m.id,
        contact_id: m.contact_id,
        channel_id: m.channel_id,
        kind: content.kind().to_owned(),
        send_at: m.send_at,
    }
}
