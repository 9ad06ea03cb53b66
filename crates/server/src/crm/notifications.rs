//! In-app notifications: each user's own list of mentions, tasks assigned
//! to them and tasks come due. Notes and tasks write them ([`notify`]) in
//! the transaction of the change; the user reads them and marks them read.
//! Only a signed-in user has notifications: an API key gets
//! `403 user_required`.

use crate::auth::{Actor, TenantCtx};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use domain::{NoteId, NotificationId, TaskId, Timestamp, UserId};
use serde::Serialize;
use store::TenantTx;
use store::auth::User;
use store::crm::notifications::{Notification as Stored, NotificationKind};
use store::page::{Page, PageRequest};
use utoipa::ToSchema;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Someone mentioned you in a note.
    Mention,
    /// A task assigned to you came due.
    TaskDue,
    /// Someone assigned a task to you.
    TaskAssigned,
}

impl From<NotificationKind> for Kind {
    fn from(k: NotificationKind) -> Self {
        match k {
            NotificationKind::Mention => Kind::Mention,
            NotificationKind::TaskDue => Kind::TaskDue,
            NotificationKind::TaskAssigned => Kind::TaskAssigned,
        }
    }
}

/// One notification of the caller's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: Kind,
    pub title: String,
    /// Where it leads in the dashboard (a path such as
    /// `/app/inbox/{conversation_id}#note-{note_id}`).
    pub link: String,
    /// The note it is about (a mention).
    pub note_id: Option<NoteId>,
    /// The task it is about (`task_due`, `task_assigned`).
    pub task_id: Option<TaskId>,
    pub created_at: Timestamp,
    /// `null` while unread.
    pub read_at: Option<Timestamp>,
}

impl From<Stored> for Notification {
    fn from(n: Stored) -> Self {
        Notification {
            id: n.id,
            kind: n.kind.into(),
            title: n.title,
            link: n.link,
            note_id: n.note_id,
            task_id: n.task_id,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// What a notification is about, for [`notify`].
#[derive(Debug, Clone, Copy)]
pub enum Subject {
    Note(NoteId),
    Task(TaskId),
}

/// Writes a notification for `user` in the caller's transaction.
pub(crate) async fn notify(
    tx: &mut TenantTx,
    user: UserId,
    kind: NotificationKind,
    title: String,
    link: String,
    subject: Subject,
    now: Timestamp,
) -> AppResult<()> {
    let (note_id, task_id) = match subject {
        Subject::Note(n) => (Some(n), None),
        Subject::Task(t) => (None, Some(t)),
    };
    tx.insert_notification(&Stored {
        id: NotificationId::new(),
        user_id: user,
        kind,
        title: shorten(&title, 300),
        link,
        note_id,
        task_id,
        created_at: now,
        read_at: None,
    })
    .await?;
    Ok(())
}

/// `text` cut to at most `max` characters, with `…` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Every user of the tenant (disabled ones too), oldest first.
pub(crate) async fn team(tx: &mut TenantTx) -> AppResult<Vec<User>> {
    let mut users = Vec::new();
    let mut after = None;
    loop {
        let page = tx
            .list_users(PageRequest::new(after, PageRequest::MAX_LIMIT))
            .await?;
        users.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    users.reverse();
    Ok(users)
}

/// How a user is named to their teammates.
pub(crate) fn user_name(u: &User) -> String {
    if u.name.trim().is_empty() {
        u.email.clone()
    } else {
        u.name.clone()
    }
}

/// How the caller is named in notification titles.
pub(crate) fn actor_name(ctx: &TenantCtx, team: &[User]) -> String {
    match &ctx.actor {
        Actor::User { user_id, .. } => team
            .iter()
            .find(|u| u.id == *user_id)
            .map(user_name)
            .unwrap_or_else(|| "A teammate".to_owned()),
        Actor::ApiKey { .. } => "An API key".to_owned(),
        Actor::Operator { .. } => "The platform operator".to_owned(),
        Actor::System { .. } => "Switchboard".to_owned(),
    }
}

/// The caller's notifications, newest first (only unread ones if asked).
pub async fn list_notifications(
    state: &AppState,
    ctx: &TenantCtx,
    unread_only: bool,
    page: PageRequest,
) -> AppResult<Page<Notification>> {
    let (me, _, _) = ctx.require_user()?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let found = tx.list_notifications(me, unread_only, page).await?;
    tx.commit().await?;
    Ok(Page {
        items: found.items.into_iter().map(Notification::from).collect(),
        next: found.next,
    })
}

/// How many of the caller's notifications are unread.
pub async fn count_unread(state: &AppState, ctx: &TenantCtx) -> AppResult<i64> {
    let (me, _, _) = ctx.require_user()?;
    let mut tx = state.store.tenant_read(ctx.tenant_id).await?;
    let n = tx.count_unread_notifications(me).await?;
    tx.commit().await?;
    Ok(n)
}

/// Marks one of the caller's notifications read (reading it again changes
/// nothing) and returns it. An id no notification of this tenant has is
/// `404` before an API key is told it has none (`403 user_required`);
/// another user's notification is `404` too.
pub async fn mark_read(
    state: &AppState,
    ctx: &TenantCtx,
    id: NotificationId,
) -> AppResult<Notification> {
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let found = tx.find_notification(id).await?;
    let (me, _, _) = ctx.require_user()?;
    if found.user_id != me {
        return Err(AppError::NotFound);
    }
    let n = tx.mark_notification_read(me, id, now).await?;
    tx.commit().await?;
    Ok(n.into())
}

/// Marks every notification of the caller's read; how many were unread.
pub async fn mark_all_read(state: &AppState, ctx: &TenantCtx) -> AppResult<u64> {
    let (me, _, _) = ctx.require_user()?;
    let now = state.now();
    let mut tx = state.store.tenant(ctx.tenant_id).await?;
    let n = tx.mark_all_notifications_read(me, now).await?;
    tx.commit().await?;
    Ok(n)
}
