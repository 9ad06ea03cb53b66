//! In-app notifications (`notifications`): one user's own list. Every
//! query names the user as well as the tenant; a notification goes with
//! the note or task it is about (foreign keys `ON DELETE CASCADE`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{NoteId, NotificationId, TaskId, Timestamp, UserId};
use uuid::Uuid;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// Someone mentioned the user in a note.
    Mention,
    /// A task of theirs came due.
    TaskDue,
    /// Someone assigned them a task.
    TaskAssigned,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Mention => "mention",
            NotificationKind::TaskDue => "task_due",
            NotificationKind::TaskAssigned => "task_assigned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "mention" => Some(NotificationKind::Mention),
            "task_due" => Some(NotificationKind::TaskDue),
            "task_assigned" => Some(NotificationKind::TaskAssigned),
            _ => None,
        }
    }
}

/// A notification as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: NotificationId,
    pub user_id: UserId,
    pub kind: NotificationKind,
    pub title: String,
    /// A path in the dashboard.
    pub link: String,
    /// What it is about: one of the two.
    pub note_id: Option<NoteId>,
    pub task_id: Option<TaskId>,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    user_id: Uuid,
    kind: String,
    title: String,
    link: String,
    note_id: Option<Uuid>,
    task_id: Option<Uuid>,
    created_at: i64,
    read_at: Option<i64>,
}

impl TryFrom<Row> for Notification {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Notification {
            id: NotificationId::from_uuid(r.id),
            user_id: UserId::from_uuid(r.user_id),
            kind: NotificationKind::parse(&r.kind)
                .ok_or_else(|| StoreError::corrupt(format!("notification kind `{}`", r.kind)))?,
            title: r.title,
            link: r.link,
            note_id: r.note_id.map(NoteId::from_uuid),
            task_id: r.task_id.map(TaskId::from_uuid),
            created_at: Timestamp::from_millis(r.created_at),
            read_at: r.read_at.map(Timestamp::from_millis),
        })
    }
}

const COLUMNS: &str = "id, user_id, kind, title, link, note_id, task_id, created_at, read_at";

impl TenantTx {
    pub async fn insert_notification(&mut self, n: &Notification) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO notifications (tenant_id, id, user_id, kind, title, link, note_id, \
               task_id, created_at, read_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        )
        .bind(self.tenant.as_uuid())
        .bind(n.id.as_uuid())
        .bind(n.user_id.as_uuid())
        .bind(n.kind.as_str())
        .bind(&n.title)
        .bind(&n.link)
        .bind(n.note_id.map(|i| i.as_uuid()))
        .bind(n.task_id.map(|i| i.as_uuid()))
        .bind(n.created_at.as_millis())
        .bind(n.read_at.map(Timestamp::as_millis))
        .execute(c)
        .await)
        .map(drop)
    }

    /// Any user's notification `id` in this tenant.
    pub async fn find_notification(&mut self, id: NotificationId) -> StoreResult<Notification> {
        let sql = format!("SELECT {COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// `user`'s notifications, newest first (only unread ones if asked).
    pub async fn list_notifications(
        &mut self,
        user: UserId,
        unread_only: bool,
        page: PageRequest,
    ) -> StoreResult<Page<Notification>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 \
               AND ($3 = 0 OR read_at IS NULL) AND ($4 IS NULL OR id < $4) \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(i64::from(unread_only))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let items = rows
            .into_iter()
            .map(Notification::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(items, |n| n.id.as_uuid()))
    }

    /// How many of `user`'s notifications are unread (an index-only count).
    pub async fn count_unread_notifications(&mut self, user: UserId) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM notifications \
             WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// Marks `user`'s notification `id` read (when it is not yet) and
    /// returns it; `NotFound` if it is not theirs.
    pub async fn mark_notification_read(
        &mut self,
        user: UserId,
        id: NotificationId,
        now: Timestamp,
    ) -> StoreResult<Notification> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE notifications SET read_at = $4 \
             WHERE tenant_id = $1 AND user_id = $2 AND id = $3 AND read_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        let n = self.find_notification(id).await?;
        if n.user_id != user {
            return Err(StoreError::NotFound);
        }
        Ok(n)
    }

    /// Marks every unread notification of `user` read; how many there were.
    pub async fn mark_all_notifications_read(
        &mut self,
        user: UserId,
        now: Timestamp,
    ) -> StoreResult<u64> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE notifications SET read_at = $3 \
             WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)
    }
}
