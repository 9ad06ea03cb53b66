//! `/api/v1/tasks`: tasks with a due time, an assignee and a link to a
//! contact, deal or conversation. Adapters over [`crate::crm::tasks`].

use crate::auth::{Authorized, perm};
use crate::crm::tasks::{self as rules, NewTask, Task, TaskChange, TaskLink, TaskQuery};
use crate::error::{AppError, AppResult, ErrorBody};
use crate::http::extract::{ApiJson, ApiPath, ApiQuery};
use crate::http::pagination::{PageQuery, Paged};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::{ContactId, ConversationId, DealId, TaskId, Timestamp, UserId};
use serde::Deserialize;
use store::crm::tasks::TaskStatus;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// `me` (needs a signed-in user) or a user id.
    #[param(
        pattern = r"^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub assignee: Option<String>,
    /// `open` or `done`.
    #[param(pattern = "^(open|done)?$")]
    pub status: Option<String>,
    /// Only open tasks due before now.
    pub overdue: Option<bool>,
    /// Linked to this contact or to one of its conversations.
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
    pub conversation_id: Option<ConversationId>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (empty or absent: the first).
    #[param(
        pattern = r"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$"
    )]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTask {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    pub due_at: Option<Timestamp>,
    /// A user of the tenant; told of it unless they are the caller.
    pub assignee_user_id: Option<UserId>,
    /// At most one of `contact_id`, `deal_id` and `conversation_id`.
    pub contact_id: Option<ContactId>,
    /// Kept as given: not checked against the deals.
    pub deal_id: Option<DealId>,
    pub conversation_id: Option<ConversationId>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTask {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// `null` or empty clears it.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Option<Option<String>>,
    /// `null` clears it. A new due time arms the reminder again.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub due_at: Option<Option<Timestamp>>,
    /// `null` unassigns.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<UserId>)]
    pub assignee_user_id: Option<Option<UserId>>,
    /// Giving any of the three links replaces the link: at most one of
    /// them may be non-null; all given as `null` unlinks.
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<ContactId>)]
    pub contact_id: Option<Option<ContactId>>,
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<DealId>)]
    pub deal_id: Option<Option<DealId>>,
    #[serde(default, deserialize_with = "crate::http::extract::nullable")]
    #[schema(value_type = Option<ConversationId>)]
    pub conversation_id: Option<Option<ConversationId>>,
    /// `done` completes it; `open` reopens it.
    #[schema(pattern = "^(open|done)$")]
    pub status: Option<String>,
}

fn link(
    contact: Option<ContactId>,
    deal: Option<DealId>,
    conversation: Option<ConversationId>,
) -> AppResult<TaskLink> {
    match (contact, deal, conversation) {
        (None, None, None) => Ok(TaskLink::None),
        (Some(c), None, None) => Ok(TaskLink::Contact(c)),
        (None, Some(d), None) => Ok(TaskLink::Deal(d)),
        (None, None, Some(v)) => Ok(TaskLink::Conversation(v)),
        _ => Err(AppError::validation(
            "contact_id",
            "link a task to at most one of contact_id, deal_id and conversation_id",
        )),
    }
}

/// `open` or `done` (empty only in a query: no filter).
fn status(raw: Option<&str>, empty_ok: bool) -> AppResult<Option<TaskStatus>> {
    match raw {
        None => Ok(None),
        Some("") if empty_ok => Ok(None),
        Some(s) => TaskStatus::parse(s)
            .map(Some)
            .ok_or_else(|| AppError::validation("status", "open or done")),
    }
}

/// Tasks, newest first, filtered by assignee, status, overdue or link.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "crm", params(TaskListQuery),
    responses((status = 200, body = Paged<Task>)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn list_tasks(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiQuery(q): ApiQuery<TaskListQuery>,
) -> AppResult<Json<Paged<Task>>> {
    let assignee = match q.assignee.as_deref() {
        None | Some("") => None,
        Some("me") => Some(
            ctx.user_id()
                .ok_or_else(|| AppError::validation("assignee", "`me` needs a signed-in user"))?,
        ),
        Some(id) => Some(
            id.parse::<UserId>()
                .map_err(|_| AppError::validation("assignee", "me or a user id"))?,
        ),
    };
    let query = TaskQuery {
        assignee,
        status: status(q.status.as_deref(), true)?,
        overdue: q.overdue.unwrap_or(false),
        contact: q.contact_id,
        deal: q.deal_id,
        conversation: q.conversation_id,
    };
    let page = PageQuery {
        limit: q.limit,
        cursor: q.cursor,
    }
    .request()?;
    let found = rules::list_tasks(&state, &ctx, query, page).await?;
    Ok(Json(Paged::from_page(found, |t| t)))
}

/// Create a task.
#[utoipa::path(post, path = "/api/v1/tasks", tag = "crm", request_body = CreateTask,
    responses((status = 201, body = Task),
              (status = 422, description = "Invalid, more than one link, or no such user, contact or conversation.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiJson(body): ApiJson<CreateTask>,
) -> AppResult<(StatusCode, Json<Task>)> {
    let input = NewTask {
        link: link(body.contact_id, body.deal_id, body.conversation_id)?,
        title: body.title,
        description: body.description,
        due_at: body.due_at,
        assignee_user_id: body.assignee_user_id,
    };
    let task = rules::create_task(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/tasks/{task_id}", tag = "crm",
    params(("task_id" = TaskId, Path)),
    responses((status = 200, body = Task)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TaskId>,
) -> AppResult<Json<Task>> {
    Ok(Json(rules::get_task(&state, &ctx, id).await?))
}

/// Change a task: edit it, reassign it, complete it (`"status": "done"`)
/// or reopen it.
#[utoipa::path(patch, path = "/api/v1/tasks/{task_id}", tag = "crm",
    params(("task_id" = TaskId, Path)), request_body = UpdateTask,
    responses((status = 200, body = Task),
              (status = 422, description = "Invalid, more than one link, or no such user, contact or conversation.", body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn update_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
    ApiJson(body): ApiJson<UpdateTask>,
) -> AppResult<Json<Task>> {
    let relinked =
        body.contact_id.is_some() || body.deal_id.is_some() || body.conversation_id.is_some();
    let change = TaskChange {
        link: if relinked {
            Some(link(
                body.contact_id.flatten(),
                body.deal_id.flatten(),
                body.conversation_id.flatten(),
            )?)
        } else {
            None
        },
        status: status(body.status.as_deref(), false)?,
        title: body.title,
        description: body.description,
        due_at: body.due_at,
        assignee_user_id: body.assignee_user_id,
    };
    Ok(Json(rules::update_task(&state, &ctx, id, change).await?))
}

/// Remove a task.
#[utoipa::path(delete, path = "/api/v1/tasks/{task_id}", tag = "crm",
    params(("task_id" = TaskId, Path)),
    responses((status = 204)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
) -> AppResult<StatusCode> {
    rules::delete_task(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
