//! The task rules: create, list, read, change (complete and reopen
//! included) and delete.

use super::checks::{check_assignee, check_link, creator, description, reminded_at, title};
use super::{NewTask, Task, TaskChange, TaskLink, TaskQuery, task_link, task_ref, view};
use crate::auth::TenantCtx;
use crate::crm::notifications::{Subject, actor_name, notify, team};
use crate::error::AppResult;
use crate::events::record;
use crate::state::AppState;
use domain::events::{Event, TaskUpdated};
use domain::{ContactId, Permission, TaskId, Timestamp};
use serde_json::json;
use store::TenantTx;
use store::auth::User;
use store::crm::notifications::NotificationKind;
use store::crm::tasks::{Task as Stored, TaskFilter, TaskStatus};
use store::inbox::Contact;
use store::page::{Page, PageRequest};

pub async fn create_task(state: &AppState, ctx: &TenantCtx, input: NewTask) -> AppResult<Task> {
    ctx.require(Permission::InboxWrite)?;
    let title = title(&input.title)?;
    let description = description(input.description.as_deref())?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    check_assignee(&mut tx, input.assignee_user_id).await?;
    check_link(&mut tx, input.link).await?;
    let (created_by_user_id, created_by_api_key_id) = creator(ctx);
    let mut task = Stored {
        id: TaskId::new(),
        title,
        description,
        due_at: input.due_at,
        assignee_user_id: input.assignee_user_id,
        contact_id: None,
        deal_id: None,
        conversation_id: None,
        status: TaskStatus::Open,
        completed_at: None,
        reminded_at: reminded_at(input.due_at, now),
        created_by_user_id,
        created_by_api_key_id,
        created_at: now,
        updated_at: now,
    };
    input.link.apply(&mut task);
    tx.insert_task(&task).await?;
    notify_assignee(&mut tx, ctx, &task, now).await?;
    record(&mut tx, Event::TaskCreated(task_ref(&task)), now);
    audit(&mut tx, ctx, &task, "create", json!({}), now).await?;
    tx.commit().await?;
    Ok(view(task, now))
}

fn filter(q: TaskQuery, now: Timestamp) -> TaskFilter {
    TaskFilter {
        assignee: q.assignee,
        status: q.status,
        overdue_at: q.overdue.then_some(now),
        contact: q.contact,
        deal: q.deal,
        conversation: q.conversation,
    }
}

/// Tasks matching `q`, newest first.
pub async fn list_tasks(
    state: &AppState,
    ctx: &TenantCtx,
    q: TaskQuery,
    page: PageRequest,
) -> AppResult<Page<Task>> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_tasks(filter(q, now), page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(|t| view(t, now)).collect(),
        next: found.next,
    })
}

/// Tasks as the dashboard shows them: up to 200 matching `q` (open ones
/// first, soonest due first), the team (assignees' names, the assign
/// list) and the contacts they are linked to.
pub struct TaskBoard {
    pub tasks: Vec<Task>,
    pub team: Vec<User>,
    pub contacts: Vec<Contact>,
}

pub async fn list_task_board(
    state: &AppState,
    ctx: &TenantCtx,
    q: TaskQuery,
) -> AppResult<TaskBoard> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let page = PageRequest::new(None, PageRequest::MAX_LIMIT);
    let mut found = tx.list_tasks(filter(q, now), page).await?.items;
    found.sort_by_key(|t| {
        (
            t.status != TaskStatus::Open,
            t.due_at.is_none(),
            t.due_at,
            t.id,
        )
    });
    let mut ids: Vec<ContactId> = found.iter().filter_map(|t| t.contact_id).collect();
    ids.sort();
    ids.dedup();
    let mut contacts = Vec::new();
    for id in ids {
        contacts.push(tx.find_contact(id).await?);
    }
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(TaskBoard {
        tasks: found.into_iter().map(|t| view(t, now)).collect(),
        team,
        contacts,
    })
}

/// One task as its dashboard page shows it (a board of one).
pub async fn get_task_board(state: &AppState, ctx: &TenantCtx, id: TaskId) -> AppResult<TaskBoard> {
    ctx.require(Permission::InboxRead)?;
    let now = state.now();
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let t = tx.find_task(id).await?;
    let contacts = match t.contact_id {
        Some(c) => vec![tx.find_contact(c).await?],
        None => Vec::new(),
    };
    let team = team(&mut tx).await?;
    tx.commit().await?;
    Ok(TaskBoard {
        tasks: vec![view(t, now)],
        team,
        contacts,
    })
}

pub async fn get_task(state: &AppState, ctx: &TenantCtx, id: TaskId) -> AppResult<Task> {
    ctx.require(Permission::InboxRead)?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let t = tx.find_task(id).await?;
    tx.commit().await?;
    Ok(view(t, state.now()))
}

/// Changes a task. Marking it done is `task.completed`; any other change
/// (reopening included) is `task.updated` naming the fields. A new due
/// time arms its reminder again; a new assignee other than the caller is
/// notified. Nothing is recorded if nothing changed.
pub async fn update_task(
    state: &AppState,
    ctx: &TenantCtx,
    id: TaskId,
    change: TaskChange,
) -> AppResult<Task> {
    ctx.require(Permission::InboxWrite)?;
    let new_title = change.title.as_deref().map(title).transpose()?;
    let new_description = match &change.description {
        Some(d) => Some(description(d.as_deref())?),
        None => None,
    };
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let before = tx.find_task(id).await?;
    let mut t = before.clone();
    if let Some(v) = new_title {
        t.title = v;
    }
    if let Some(v) = new_description {
        t.description = v;
    }
    if let Some(v) = change.due_at {
        t.due_at = v;
    }
    if let Some(v) = change.assignee_user_id {
        if v != before.assignee_user_id {
            check_assignee(&mut tx, v).await?;
        }
        t.assignee_user_id = v;
    }
    if let Some(link) = change.link
        && link != TaskLink::of(&before)
    {
        check_link(&mut tx, link).await?;
        link.apply(&mut t);
    }
    if let Some(s) = change.status {
        t.status = s;
    }
    let mut changed: Vec<&str> = Vec::new();
    for (field, differs) in [
        ("title", t.title != before.title),
        ("description", t.description != before.description),
        ("due_at", t.due_at != before.due_at),
        (
            "assignee_user_id",
            t.assignee_user_id != before.assignee_user_id,
        ),
        ("link", TaskLink::of(&t) != TaskLink::of(&before)),
    ] {
        if differs {
            changed.push(field);
        }
    }
    let completed = t.status == TaskStatus::Done && before.status == TaskStatus::Open;
    let reopened = t.status == TaskStatus::Open && before.status == TaskStatus::Done;
    if reopened {
        changed.push("status");
    }
    if changed.is_empty() && !completed {
        tx.commit().await?;
        return Ok(view(before, now));
    }
    t.completed_at = match t.status {
        TaskStatus::Done => before.completed_at.or(Some(now)),
        TaskStatus::Open => None,
    };
    if t.due_at != before.due_at {
        t.reminded_at = reminded_at(t.due_at, now);
    }
    t.updated_at = now;
    tx.update_task(&t).await?;
    if t.assignee_user_id != before.assignee_user_id {
        notify_assignee(&mut tx, ctx, &t, now).await?;
    }
    if !changed.is_empty() {
        let changed: Vec<String> = changed.iter().map(|c| (*c).to_owned()).collect();
        let event = Event::TaskUpdated(TaskUpdated {
            task: task_ref(&t),
            changed: changed.clone(),
        });
        record(&mut tx, event, now);
        audit(
            &mut tx,
            ctx,
            &t,
            "update",
            json!({ "changed": changed }),
            now,
        )
        .await?;
    }
    if completed {
        record(&mut tx, Event::TaskCompleted(task_ref(&t)), now);
        audit(&mut tx, ctx, &t, "complete", json!({}), now).await?;
    }
    tx.commit().await?;
    Ok(view(t, now))
}

/// Removes a task, and the notifications about it.
pub async fn delete_task(state: &AppState, ctx: &TenantCtx, id: TaskId) -> AppResult<()> {
    ctx.require(Permission::InboxWrite)?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let t = tx.find_task(id).await?;
    tx.delete_task(id).await?;
    record(&mut tx, Event::TaskDeleted(task_ref(&t)), now);
    audit(&mut tx, ctx, &t, "delete", json!({}), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Tells the task's assignee it was given to them, unless they gave it to
/// themself.
async fn notify_assignee(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    t: &Stored,
    now: Timestamp,
) -> AppResult<()> {
    let Some(user) = t.assignee_user_id else {
        return Ok(());
    };
    if ctx.user_id() == Some(user) {
        return Ok(());
    }
    let team = team(tx).await?;
    let title = format!(
        "{} assigned you a task: {}",
        actor_name(ctx, &team),
        t.title
    );
    let (kind, link) = (NotificationKind::TaskAssigned, task_link(t.id));
    notify(tx, user, kind, title, link, Subject::Task(t.id), now).await
}

pub(super) async fn audit(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    t: &Stored,
    what: &str,
    extra: serde_json::Value,
    now: Timestamp,
) -> AppResult<()> {
    let mut details = json!({
        "title": t.title,
        "status": t.status.as_str(),
        "due_at": t.due_at,
        "assignee_user_id": t.assignee_user_id,
    });
    if let (Some(d), Some(e)) = (details.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    crate::audit::tenant_change(
        tx,
        ctx,
        now,
        &format!("task.{what}"),
        ("task", t.id.to_string()),
        details,
    )
    .await
}
