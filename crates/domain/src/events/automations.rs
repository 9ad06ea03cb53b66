//! Automations: event payloads, beside the [`super::Event`] list that names
//! them.

use crate::ids::{
    AutoTagRuleId, ChannelId, ContactId, ConversationId, EventId, TagId, WorkflowId, WorkflowRunId,
};
use serde::{Deserialize, Serialize};

/// A workflow as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRef {
    pub workflow_id: WorkflowId,
    pub name: String,
    /// The current version (runs already under way keep theirs).
    pub version: i64,
    pub enabled: bool,
    /// The trigger's type (`message_received`, `tag_added`…).
    pub trigger: String,
}

/// A workflow's name, definition or state changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowUpdated {
    #[serde(flatten)]
    pub workflow: WorkflowRef,
    /// What changed: `name`, `description`, `definition` (a new version),
    /// `enabled`.
    pub changed: Vec<String>,
}

/// A run of a workflow as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunRef {
    pub run_id: WorkflowRunId,
    pub workflow_id: WorkflowId,
    pub version: i64,
    /// The event that started it, and its name.
    pub trigger_event_id: EventId,
    pub trigger_event: String,
    pub contact_id: Option<ContactId>,
    pub conversation_id: Option<ConversationId>,
}

/// A run stopped at a step that could not be done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunFailed {
    #[serde(flatten)]
    pub run: WorkflowRunRef,
    /// Where the step is in the definition (`steps[2]`).
    pub step: String,
    /// A stable code (the refusing rule's: `outside_customer_service_window`,
    /// `contact_opted_out`…) and the reason.
    pub code: String,
    pub reason: String,
}

/// A workflow's schedule came round; the workflow's trigger reads this
/// event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowScheduleFired {
    pub workflow_id: WorkflowId,
    /// The time the schedule named (the event may be recorded a little
    /// after it).
    pub scheduled_for: crate::time::Timestamp,
}

/// A POST reached a workflow's inbound URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowInboundReceived {
    pub workflow_id: WorkflowId,
    /// The contact the body named (`contact_id`, or `phone`), if any.
    pub contact_id: Option<ContactId>,
    /// The JSON object that was posted.
    pub body: serde_json::Value,
}

/// An auto-tag rule as its events name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoTagRuleRef {
    pub auto_tag_rule_id: AutoTagRuleId,
    pub name: String,
    /// What it matches: `message` or `contact`.
    pub on: String,
    /// The tag it puts on.
    pub tag_id: TagId,
    pub enabled: bool,
    /// Its place in the order rules apply in.
    pub position: i64,
}

/// Business hours as their events name them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessHoursRef {
    /// `null`: the workspace's schedule; else the number's own.
    pub channel_id: Option<ChannelId>,
    pub enabled: bool,
    pub time_zone: String,
    /// Whether a welcome message, and an away message, are set.
    pub welcome: bool,
    pub away: bool,
}
