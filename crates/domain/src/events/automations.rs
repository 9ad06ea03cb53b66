//! Automations: event payloads, beside the [`super::Event`] list that names
//! them.

use crate::ids::{ContactId, ConversationId, EventId, WorkflowId, WorkflowRunId};
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
