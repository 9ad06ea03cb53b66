//! Tasks in the dashboard: `/app/tasks` (tabs: mine, all, overdue, done;
//! a create form; complete buttons), one task's page (edit, complete or
//! reopen, delete), and the small task block of a contact's page. Adapters
//! over [`crate::crm::tasks`]. Due times are entered and shown in UTC.

mod form;

pub use form::{ContactTasks, TaskRow, contact_tasks};

use crate::auth::{Authorized, TenantCtx, perm};
use crate::crm::tasks::{self as rules, TaskQuery};
use crate::dashboard::page::{Shell, render};
use crate::error::AppResult;
use crate::http::extract::ApiPath;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use domain::TaskId;
use form::{TaskFields, Teammate, back, rows, teammates};
use serde::Deserialize;
use store::crm::tasks::TaskStatus;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app/tasks", get(view_tasks).post(create_task))
        .route("/app/tasks/{id}", get(view_task))
        .route("/app/tasks/{id}/update", post(update_task))
        .route("/app/tasks/{id}/complete", post(complete_task))
        .route("/app/tasks/{id}/reopen", post(reopen_task))
        .route("/app/tasks/{id}/delete", post(delete_task))
}

#[derive(Debug, Deserialize)]
pub struct TasksQuery {
    #[serde(default)]
    tab: String,
}

#[derive(Template)]
#[template(path = "tasks.html")]
struct TasksPage {
    shell: Shell,
    tab: &'static str,
    tasks: Vec<TaskRow>,
    team: Vec<Teammate>,
    me: String,
    /// Where the complete buttons return.
    back: String,
}

pub async fn view_tasks(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    Query(q): Query<TasksQuery>,
) -> AppResult<Response> {
    let me = ctx.user_id();
    let tab = match (q.tab.as_str(), me) {
        ("all", _) => "all",
        ("overdue", _) => "overdue",
        ("done", _) => "done",
        (_, Some(_)) => "mine",
        (_, None) => "all",
    };
    let query = TaskQuery {
        assignee: if tab == "mine" { me } else { None },
        status: Some(if tab == "done" {
            TaskStatus::Done
        } else {
            TaskStatus::Open
        }),
        overdue: tab == "overdue",
        ..TaskQuery::default()
    };
    let board = rules::list_task_board(&state, &ctx, query).await?;
    Ok(render(&TasksPage {
        shell: shell.with_tab("tasks"),
        tab,
        tasks: rows(&board),
        team: teammates(&board.team),
        me: me.map(|m| m.to_string()).unwrap_or_default(),
        back: format!("/app/tasks?tab={tab}"),
    }))
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    shell: Shell,
    task: TaskRow,
    team: Vec<Teammate>,
}

pub async fn view_task(
    State(state): State<AppState>,
    shell: Shell,
    ctx: Authorized<perm::InboxRead>,
    ApiPath(id): ApiPath<TaskId>,
) -> AppResult<Response> {
    let board = rules::get_task_board(&state, &ctx, id).await?;
    let task = rows(&board).pop().ok_or(crate::error::AppError::NotFound)?;
    Ok(render(&TaskPage {
        shell: shell.with_tab("tasks"),
        task,
        team: teammates(&board.team),
    }))
}

pub async fn create_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    Form(fields): Form<TaskFields>,
) -> AppResult<Response> {
    let to = back(&fields.back, "/app/tasks");
    let input = fields.new_task()?;
    rules::create_task(&state, &ctx, input).await?;
    Ok(Redirect::to(&to).into_response())
}

pub async fn update_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
    Form(fields): Form<TaskFields>,
) -> AppResult<Response> {
    let change = fields.change()?;
    rules::update_task(&state, &ctx, id, change).await?;
    Ok(Redirect::to(&format!("/app/tasks/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct BackForm {
    #[serde(default)]
    back: String,
}

async fn set_status(
    state: &AppState,
    ctx: &TenantCtx,
    id: TaskId,
    status: TaskStatus,
    to: String,
) -> AppResult<Response> {
    let change = rules::TaskChange {
        status: Some(status),
        ..Default::default()
    };
    rules::update_task(state, ctx, id, change).await?;
    Ok(Redirect::to(&to).into_response())
}

pub async fn complete_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
    Form(f): Form<BackForm>,
) -> AppResult<Response> {
    let to = back(&f.back, &format!("/app/tasks/{id}"));
    set_status(&state, &ctx, id, TaskStatus::Done, to).await
}

pub async fn reopen_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
    Form(f): Form<BackForm>,
) -> AppResult<Response> {
    let to = back(&f.back, &format!("/app/tasks/{id}"));
    set_status(&state, &ctx, id, TaskStatus::Open, to).await
}

pub async fn delete_task(
    State(state): State<AppState>,
    ctx: Authorized<perm::InboxWrite>,
    ApiPath(id): ApiPath<TaskId>,
) -> AppResult<Response> {
    rules::delete_task(&state, &ctx, id).await?;
    Ok(Redirect::to("/app/tasks?tab=all").into_response())
}
