//! The booking bot: event payloads, beside the [`super::Event`] list that
//! names them.

use crate::ids::{BookingId, ChannelId, ContactId, ConversationId, ResourceId, ServiceId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A service as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingServiceRef {
    pub service_id: ServiceId,
    pub name: String,
    pub duration_minutes: i64,
    pub price_minor: i64,
    pub currency: String,
    pub active: bool,
}

/// Staff or a resource as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingResourceRef {
    pub resource_id: ResourceId,
    pub name: String,
    /// `staff` or `resource`.
    pub kind: String,
    pub capacity: i64,
    pub active: bool,
}

/// A workspace's analytics targets changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsSettingsUpdated {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// The booking settings changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingSettingsUpdated {
    /// The numbers the bot answers on now.
    pub channel_ids: Vec<ChannelId>,
    pub time_zone: String,
}

/// A booking as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRef {
    pub booking_id: BookingId,
    /// What the customer is told (`BK-7F3K2A`).
    pub reference: String,
    pub service_id: ServiceId,
    pub resource_id: ResourceId,
    pub contact_id: ContactId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// `pending`, `confirmed`, `completed`, `cancelled` or `no_show`.
    pub status: String,
    /// Who made the change: `bot`, `dashboard` or `api`.
    pub via: String,
}

/// A booking moved to another time (or resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingRescheduled {
    #[serde(flatten)]
    pub booking: BookingRef,
    pub previous_starts_at: Timestamp,
    pub previous_resource_id: ResourceId,
}

/// A booking's status changed (other than a cancellation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingStatusChanged {
    #[serde(flatten)]
    pub booking: BookingRef,
    pub previous_status: String,
}

/// The bot handed a conversation to the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingHandedOff {
    pub conversation_id: ConversationId,
    pub contact_id: ContactId,
    pub channel_id: ChannelId,
    /// `button`, `keyword` or `unsure`.
    pub reason: String,
}
