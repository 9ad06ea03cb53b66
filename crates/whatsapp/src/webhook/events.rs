//! Flattening a payload into a sequence of events.

use serde_json::Value;

use super::envelope::{Change, ChangeValue, Contact, Entry, WebhookError, WebhookPayload};
use super::message::InboundMessage;
use super::status::Status;
use super::template::TemplateStatusUpdate;

/// One thing that happened, borrowed from a [`WebhookPayload`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WebhookEvent<'a> {
    /// An inbound message from a user.
    Message {
        waba_id: &'a str,
        phone_number_id: &'a str,
        display_phone_number: &'a str,
        /// The sender's profile, when the value carried one.
        contact: Option<&'a Contact>,
        message: &'a InboundMessage,
    },
    /// A delivery status of a message we sent.
    Status {
        waba_id: &'a str,
        phone_number_id: &'a str,
        display_phone_number: &'a str,
        /// The recipient's profile, on newer payloads.
        contact: Option<&'a Contact>,
        status: &'a Status,
    },
    /// A message the business sent from the WhatsApp Business app
    /// (`smb_message_echoes`): `message.from` is the business number,
    /// `message.to` the customer.
    Echo {
        waba_id: &'a str,
        phone_number_id: &'a str,
        display_phone_number: &'a str,
        message: &'a InboundMessage,
    },
    /// A template review outcome.
    TemplateStatus {
        waba_id: &'a str,
        /// `entry[].time`, Unix seconds.
        time: Option<i64>,
        update: &'a TemplateStatusUpdate,
    },
    /// A value-level error (`value.errors[]`) not tied to one message.
    ValueError {
        waba_id: &'a str,
        phone_number_id: &'a str,
        error: &'a WebhookError,
    },
    /// A field we do not model, or a value that did not fit its model.
    Other {
        waba_id: &'a str,
        /// `value.metadata.phone_number_id`, when the value names a
        /// number (then the event is that number's, not the whole WABA's).
        phone_number_id: Option<&'a str>,
        field: &'a str,
        value: &'a Value,
    },
}

impl<'a> WebhookEvent<'a> {
    /// The WABA id (`entry[].id`) the event belongs to.
    pub fn waba_id(&self) -> &'a str {
        match self {
            Self::Message { waba_id, .. }
            | Self::Status { waba_id, .. }
            | Self::Echo { waba_id, .. }
            | Self::TemplateStatus { waba_id, .. }
            | Self::ValueError { waba_id, .. }
            | Self::Other { waba_id, .. } => waba_id,
        }
    }

    /// The business phone number id, for events scoped to one number.
    pub fn phone_number_id(&self) -> Option<&'a str> {
        match self {
            Self::Message {
                phone_number_id, ..
            }
            | Self::Status {
                phone_number_id, ..
            }
            | Self::ValueError {
                phone_number_id, ..
            }
            | Self::Echo {
                phone_number_id, ..
            } => Some(phone_number_id),
            Self::Other {
                phone_number_id, ..
            } => *phone_number_id,
            Self::TemplateStatus { .. } => None,
        }
    }
}

impl WebhookPayload {
    /// Every event in the payload: every entry, every change, and within a
    /// `messages` value first the messages, then the statuses, then the
    /// value-level errors, each in array order.
    pub fn events(&self) -> impl Iterator<Item = WebhookEvent<'_>> + '_ {
        self.entry.iter().flat_map(|entry| {
            entry
                .changes
                .iter()
                .flat_map(move |change| change_events(entry, change))
        })
    }
}

fn change_events<'a>(entry: &'a Entry, change: &'a Change) -> Vec<WebhookEvent<'a>> {
    let waba_id = entry.id.as_str();
    match &change.value {
        ChangeValue::Messages(value) => {
            let phone_number_id = value.metadata.phone_number_id.as_str();
            let display_phone_number = value.metadata.display_phone_number.as_str();
            let messages = value.messages.iter().map(|message| WebhookEvent::Message {
                waba_id,
                phone_number_id,
                display_phone_number,
                contact: value
                    .contact_for(message.from.as_deref(), message.from_user_id.as_deref()),
                message,
            });
            let statuses = value.statuses.iter().map(|status| WebhookEvent::Status {
                waba_id,
                phone_number_id,
                display_phone_number,
                contact: value.contact_for(
                    status.recipient_id.as_deref(),
                    status.recipient_user_id.as_deref(),
                ),
                status,
            });
            let errors = value.errors.iter().map(|error| WebhookEvent::ValueError {
                waba_id,
                phone_number_id,
                error,
            });
            messages.chain(statuses).chain(errors).collect()
        }
        ChangeValue::TemplateStatus(update) => {
            vec![WebhookEvent::TemplateStatus {
                waba_id,
                time: entry.time,
                update,
            }]
        }
        ChangeValue::MessageEchoes(value) => value
            .message_echoes
            .iter()
            .map(|message| WebhookEvent::Echo {
                waba_id,
                phone_number_id: value.metadata.phone_number_id.as_str(),
                display_phone_number: value.metadata.display_phone_number.as_str(),
                message,
            })
            .collect(),
        ChangeValue::Other(value) => {
            vec![WebhookEvent::Other {
                waba_id,
                phone_number_id: super::envelope::value_phone_number_id(value),
                field: change.field.as_str(),
                value,
            }]
        }
    }
}
