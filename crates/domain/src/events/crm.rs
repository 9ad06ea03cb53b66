//! The CRM's event payloads (tags, quick replies, notes, tasks, deals,
//! contacts' attributes and merges, imports, segments), beside the
//! [`super::Event`] list that names them.

use crate::ids::{AttributeId, ContactId, ConversationId, UserId};
use serde::{Deserialize, Serialize};

/// A private note: what it is on, who wrote it, whom it mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteRef {
    pub note_id: crate::ids::NoteId,
    /// Set for a note on a conversation.
    pub conversation_id: Option<ConversationId>,
    /// The contact it is about: the one it is on, or its conversation's.
    pub contact_id: Option<ContactId>,
    /// The author: a user or an API key (the other is `null`).
    pub author_user_id: Option<UserId>,
    pub author_api_key_id: Option<crate::ids::ApiKeyId>,
    /// Every user its text mentions.
    pub mentioned_user_ids: Vec<UserId>,
}

/// A task as events carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRef {
    pub task_id: crate::ids::TaskId,
    pub title: String,
    /// `open` or `done`.
    pub status: String,
    pub due_at: Option<crate::time::Timestamp>,
    pub assignee_user_id: Option<UserId>,
    /// At most one of the three links.
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<crate::ids::DealId>,
    pub conversation_id: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskUpdated {
    #[serde(flatten)]
    pub task: TaskRef,
    /// The fields that changed (`title`, `due_at`, `assignee_user_id`, …).
    pub changed: Vec<String>,
}

// CRM: tags and quick replies' payloads.

/// A tag of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagRef {
    pub tag_id: crate::ids::TagId,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
}

/// A tag put on or taken off a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactTagged {
    pub contact_id: ContactId,
    pub tag_id: crate::ids::TagId,
    pub tag_name: String,
}

/// A tag put on or taken off a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationTagged {
    pub conversation_id: ConversationId,
    pub tag_id: crate::ids::TagId,
    pub tag_name: String,
}

/// A quick reply of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickReplyRef {
    pub quick_reply_id: crate::ids::QuickReplyId,
    pub shortcut: String,
}

// CRM: pipelines and deals' payloads.

/// A deal pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipelineRef {
    pub pipeline_id: crate::ids::PipelineId,
    pub name: String,
}

/// A deal as it is after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRef {
    pub deal_id: crate::ids::DealId,
    pub title: String,
    pub pipeline_id: crate::ids::PipelineId,
    pub stage_id: crate::ids::StageId,
    /// `null`: no contact.
    pub contact_id: Option<ContactId>,
    /// `null`: no owner.
    pub owner_id: Option<UserId>,
    /// In the currency's minor units (cents).
    pub value_minor: i64,
    /// ISO 4217 (`EUR`).
    pub currency: String,
    /// `open`, `won` or `lost`.
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealUpdated {
    #[serde(flatten)]
    pub deal: DealRef,
    /// The fields that changed (`title`, `value_minor`, `owner_id`, …).
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealStageChanged {
    #[serde(flatten)]
    pub deal: DealRef,
    /// Where it was (possibly in another pipeline).
    pub from_pipeline_id: crate::ids::PipelineId,
    pub from_stage_id: crate::ids::StageId,
    pub from_stage_name: String,
    /// Where it is now (`stage_id`).
    pub to_stage_id: crate::ids::StageId,
    pub to_stage_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealLost {
    #[serde(flatten)]
    pub deal: DealRef,
    pub reason: String,
}

/// Two contacts made one (`contact.merged`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactMerged {
    /// The contact kept.
    pub contact_id: ContactId,
    /// The contact merged into it, now gone.
    pub merged_contact_id: ContactId,
    /// Conversations that moved to the kept contact whole.
    pub conversations_moved: u64,
    /// Conversations on a number both had, combined into the kept one's.
    pub conversations_combined: u64,
    pub messages_moved: u64,
}

/// A custom contact attribute's definition, by id and key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactAttributeRef {
    pub attribute_id: AttributeId,
    pub key: String,
    /// `text`, `number`, `date`, `boolean` or `choice`.
    #[serde(rename = "type")]
    pub kind: String,
}

// CRM: contact imports' payloads.

/// An import as it starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactImportStarted {
    pub import_id: crate::ids::ContactImportId,
    /// Data rows in the file (the header row aside).
    pub row_count: i64,
    /// `create_only` or `create_or_update`.
    pub mode: String,
}

/// An import as it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactImportFinished {
    pub import_id: crate::ids::ContactImportId,
    /// `finished`, `failed` or `cancelled`.
    pub status: String,
    pub row_count: i64,
    /// Rows processed; the rest were never read (failed or cancelled).
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub rejected: i64,
}

// CRM: segments and saved searches' payloads.

/// A segment, by id and name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRef {
    pub segment_id: crate::ids::SegmentId,
    pub name: String,
}

/// A team of agents: how its new conversations are assigned, and to whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRef {
    pub team_id: crate::ids::TeamId,
    pub name: String,
    /// `manual`, `round_robin` or `least_busy`.
    pub assignment: String,
    pub member_ids: Vec<UserId>,
}

/// The team a number's new conversations go to changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelTeamChanged {
    pub channel_id: crate::ids::ChannelId,
    /// `null`: no team.
    pub team_id: Option<crate::ids::TeamId>,
    pub previous_team_id: Option<crate::ids::TeamId>,
}

/// A conversation was routed to another team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationTeamChanged {
    pub conversation_id: ConversationId,
    /// `null`: no team.
    pub team_id: Option<crate::ids::TeamId>,
    pub previous_team_id: Option<crate::ids::TeamId>,
}

/// An agent is away, or available again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentAvailabilityChanged {
    pub user_id: UserId,
    pub available: bool,
}
