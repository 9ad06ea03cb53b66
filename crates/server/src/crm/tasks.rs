//! Tasks: a title, an optional description and due time, an assignee, and
//! a link to at most one contact, deal or conversation; open or done.
//! Working them needs `inbox:write`, reading `inbox:read`. Assigning a
//! task to someone else notifies them (`task_assigned`); when an open task
//! comes due its assignee is notified once ([`reminders`], run by the job
//! runtime's pollers). Every change is audited and recorded as a `task.*`
//! event.

mod checks;
pub mod reminders;
mod rules;

pub use rules::{
    TaskBoard, create_task, delete_task, get_task, get_task_board, list_task_board, list_tasks,
    update_task,
};

use domain::{ContactId, ConversationId, DealId, TaskId, Timestamp, UserId};
use serde::Serialize;
use store::crm::tasks::{Task as Stored, TaskStatus};
use utoipa::ToSchema;

/// The longest title and description, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;

/// What a task is linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskLink {
    #[default]
    None,
    Contact(ContactId),
    /// Not checked: deals live in their own area; a deal id is kept as given.
    Deal(DealId),
    Conversation(ConversationId),
}

impl TaskLink {
    fn of(t: &Stored) -> Self {
        match (t.contact_id, t.deal_id, t.conversation_id) {
            (Some(c), _, _) => TaskLink::Contact(c),
            (_, Some(d), _) => TaskLink::Deal(d),
            (_, _, Some(v)) => TaskLink::Conversation(v),
            _ => TaskLink::None,
        }
    }

    fn apply(self, t: &mut Stored) {
        (t.contact_id, t.deal_id, t.conversation_id) = (None, None, None);
        match self {
            TaskLink::None => {}
            TaskLink::Contact(c) => t.contact_id = Some(c),
            TaskLink::Deal(d) => t.deal_id = Some(d),
            TaskLink::Conversation(v) => t.conversation_id = Some(v),
        }
    }
}

/// A task to create.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<Timestamp>,
    pub assignee_user_id: Option<UserId>,
    pub link: TaskLink,
}

/// A change to a task; `None` leaves a field as it is, `Some(None)` clears
/// it.
#[derive(Debug, Clone, Default)]
pub struct TaskChange {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub due_at: Option<Option<Timestamp>>,
    pub assignee_user_id: Option<Option<UserId>>,
    pub link: Option<TaskLink>,
    pub status: Option<TaskStatus>,
}

/// `open` or `done`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Done,
}

impl From<TaskStatus> for Status {
    fn from(s: TaskStatus) -> Self {
        match s {
            TaskStatus::Open => Status::Open,
            TaskStatus::Done => Status::Done,
        }
    }
}

/// A task.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<Timestamp>,
    pub assignee_user_id: Option<UserId>,
    /// At most one of `contact_id`, `deal_id` and `conversation_id`.
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
    pub conversation_id: Option<ConversationId>,
    pub status: Status,
    /// When it was marked done (`null` while open).
    pub completed_at: Option<Timestamp>,
    /// Open and due before now.
    pub overdue: bool,
    /// Who created it: a user, or an API key (the other is `null`).
    pub created_by_user_id: Option<UserId>,
    pub created_by_api_key_id: Option<domain::ApiKeyId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn view(t: Stored, now: Timestamp) -> Task {
    Task {
        overdue: t.status == TaskStatus::Open && t.due_at.is_some_and(|d| d < now),
        id: t.id,
        title: t.title,
        description: t.description,
        due_at: t.due_at,
        assignee_user_id: t.assignee_user_id,
        contact_id: t.contact_id,
        deal_id: t.deal_id,
        conversation_id: t.conversation_id,
        status: t.status.into(),
        completed_at: t.completed_at,
        created_by_user_id: t.created_by_user_id,
        created_by_api_key_id: t.created_by_api_key_id,
        created_at: t.created_at,
        updated_at: t.updated_at,
    }
}

/// Which tasks a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskQuery {
    pub assignee: Option<UserId>,
    pub status: Option<TaskStatus>,
    /// Only open tasks due before now.
    pub overdue: bool,
    /// Linked to this contact or to one of its conversations.
    pub contact: Option<ContactId>,
    pub deal: Option<DealId>,
    pub conversation: Option<ConversationId>,
}

/// Where a task is shown in the dashboard.
pub fn task_link(id: TaskId) -> String {
    format!("/app/tasks/{id}")
}

fn task_ref(t: &Stored) -> domain::events::TaskRef {
    domain::events::TaskRef {
        task_id: t.id,
        title: t.title.clone(),
        status: t.status.as_str().to_owned(),
        due_at: t.due_at,
        assignee_user_id: t.assignee_user_id,
        contact_id: t.contact_id,
        deal_id: t.deal_id,
        conversation_id: t.conversation_id,
    }
}
