//! What the task pages show and read: rows of tasks, the assignee list,
//! the create and edit form's fields, and the contact page's task block.

use crate::auth::TenantCtx;
use crate::crm::notifications::user_name;
use crate::crm::tasks::{
    self as rules, NewTask, Status, TaskBoard, TaskChange, TaskLink, TaskQuery,
};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{ContactId, ConversationId, Timestamp, UserId};
use serde::Deserialize;
use store::auth::User;

/// A teammate in the assignee list.
#[derive(Debug, Clone)]
pub struct Teammate {
    pub id: String,
    pub name: String,
}

/// Active teammates, by name.
pub fn teammates(team: &[User]) -> Vec<Teammate> {
    let mut out: Vec<Teammate> = team
        .iter()
        .filter(|u| u.disabled_at.is_none())
        .map(|u| Teammate {
            id: u.id.to_string(),
            name: user_name(u),
        })
        .collect();
    out.sort_by_key(|t| t.name.to_lowercase());
    out
}

/// A task as the lists and its page show it.
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub id: String,
    pub title: String,
    pub description: String,
    /// `2026-01-31 09:00 UTC`, or empty.
    pub due: String,
    /// The same for a `datetime-local` input (`2026-01-31T09:00`).
    pub due_input: String,
    pub overdue: bool,
    pub done: bool,
    pub assignee: String,
    pub assignee_id: String,
    /// What it is linked to, and where that is.
    pub link_label: String,
    pub link_href: String,
}

fn due_text(t: Timestamp) -> (String, String) {
    let s = t.to_rfc3339_millis();
    let (date, time) = (s.get(..10).unwrap_or(""), s.get(11..16).unwrap_or(""));
    (format!("{date} {time} UTC"), format!("{date}T{time}"))
}

/// The board's tasks as rows, in its order.
pub fn rows(board: &TaskBoard) -> Vec<TaskRow> {
    board
        .tasks
        .iter()
        .map(|t| {
            let (due, due_input) = t.due_at.map(due_text).unwrap_or_default();
            let assignee = t
                .assignee_user_id
                .and_then(|a| board.team.iter().find(|u| u.id == a))
                .map(user_name)
                .unwrap_or_default();
            let (link_label, link_href) = match (t.contact_id, t.deal_id, t.conversation_id) {
                (Some(c), _, _) => (
                    board
                        .contacts
                        .iter()
                        .find(|x| x.id == c)
                        .and_then(|x| x.profile_name.clone().or(x.wa_id.clone()))
                        .unwrap_or_else(|| "Contact".to_owned()),
                    format!("/app/contacts/{c}"),
                ),
                (_, Some(d), _) => ("Deal".to_owned(), format!("/app/deals/{d}")),
                (_, _, Some(v)) => ("Conversation".to_owned(), format!("/app/inbox/{v}")),
                _ => (String::new(), String::new()),
            };
            TaskRow {
                id: t.id.to_string(),
                title: t.title.clone(),
                description: t.description.clone().unwrap_or_default(),
                due,
                due_input,
                overdue: t.overdue,
                done: t.status == Status::Done,
                assignee,
                assignee_id: t
                    .assignee_user_id
                    .map(|a| a.to_string())
                    .unwrap_or_default(),
                link_label,
                link_href,
            }
        })
        .collect()
}

/// Where to go after a form: `back` when it is a dashboard path.
pub fn back(back: &str, default: &str) -> String {
    if back.starts_with("/app/") && !back.starts_with("/app//") {
        back.to_owned()
    } else {
        default.to_owned()
    }
}

/// The create and edit form.
#[derive(Debug, Deserialize)]
pub struct TaskFields {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// `datetime-local` (UTC) or RFC 3339; empty: none.
    #[serde(default)]
    due: String,
    /// A user id; empty: nobody.
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    contact_id: String,
    #[serde(default)]
    conversation_id: String,
    #[serde(default)]
    pub back: String,
}

fn due(raw: &str) -> AppResult<Option<Timestamp>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let full = match raw.len() {
        16 => format!("{raw}:00Z"),
        19 => format!("{raw}Z"),
        _ => raw.to_owned(),
    };
    Timestamp::parse_rfc3339(&full)
        .map(Some)
        .ok_or_else(|| AppError::validation("due", "a date and time (2026-01-31T09:00)"))
}

fn id<T: std::str::FromStr>(field: &'static str, raw: &str) -> AppResult<Option<T>> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::validation(field, "choose one from the list"))
}

impl TaskFields {
    pub fn new_task(&self) -> AppResult<NewTask> {
        let link = match (
            id::<ContactId>("contact_id", &self.contact_id)?,
            id::<ConversationId>("conversation_id", &self.conversation_id)?,
        ) {
            (Some(c), _) => TaskLink::Contact(c),
            (None, Some(v)) => TaskLink::Conversation(v),
            (None, None) => TaskLink::None,
        };
        Ok(NewTask {
            title: self.title.clone(),
            description: Some(self.description.clone()),
            due_at: due(&self.due)?,
            assignee_user_id: id::<UserId>("assignee", &self.assignee)?,
            link,
        })
    }

    pub fn change(&self) -> AppResult<TaskChange> {
        Ok(TaskChange {
            title: Some(self.title.clone()),
            description: Some(Some(self.description.clone())),
            due_at: Some(due(&self.due)?),
            assignee_user_id: Some(id::<UserId>("assignee", &self.assignee)?),
            ..TaskChange::default()
        })
    }
}

/// The task block of a contact's page: its tasks (and its conversations'),
/// open first, and a create form.
#[derive(Debug, Clone, Default)]
pub struct ContactTasks {
    pub tasks: Vec<TaskRow>,
    pub team: Vec<Teammate>,
    pub contact_id: String,
    /// The caller's user id (the default assignee), if a user.
    pub me: String,
    /// Where the forms return: the contact's page.
    pub back: String,
}

pub async fn contact_tasks(
    state: &AppState,
    ctx: &TenantCtx,
    contact: ContactId,
) -> AppResult<ContactTasks> {
    let query = TaskQuery {
        contact: Some(contact),
        ..TaskQuery::default()
    };
    let board = rules::list_task_board(state, ctx, query).await?;
    Ok(ContactTasks {
        tasks: rows(&board),
        team: teammates(&board.team),
        contact_id: contact.to_string(),
        me: ctx.user_id().map(|u| u.to_string()).unwrap_or_default(),
        back: format!("/app/contacts/{contact}#tasks"),
    })
}
