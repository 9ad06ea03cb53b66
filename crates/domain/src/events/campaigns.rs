//! Broadcasts (campaigns): event payloads, beside the [`super::Event`] list that names
//! them.

use crate::ids::{CampaignId, ChannelId};
use serde::{Deserialize, Serialize};

/// A campaign as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignRef {
    pub campaign_id: CampaignId,
    pub name: String,
    pub channel_id: ChannelId,
    /// Its status after the change.
    pub status: String,
    /// Why it paused or waits, when something other than a person did it.
    #[serde(default)]
    pub reason: Option<String>,
}

/// A campaign began sending: its audience became its recipients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignStarted {
    pub campaign_id: CampaignId,
    pub name: String,
    pub channel_id: ChannelId,
    pub recipients: i64,
}

/// A campaign has no one left to send to: how its recipients ended up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignFinished {
    pub campaign_id: CampaignId,
    pub name: String,
    pub channel_id: ChannelId,
    pub recipients: i64,
    /// Handed to Meta (or on their way).
    pub queued: i64,
    /// Left out (opted out, no number).
    pub skipped: i64,
    /// Refused before a message existed.
    pub failed: i64,
}
