//! Tasks (`tasks`): to-dos with a due time and an assignee, linked to at
//! most one contact, deal or conversation. A task goes with its contact or
//! conversation (foreign keys `ON DELETE CASCADE`); `deal_id` is a plain
//! id. The reminder poller claims due tasks through `reminded_at`.

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ApiKeyId, ContactId, ConversationId, DealId, TaskId, TenantId, Timestamp, UserId};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(TaskStatus::Open),
            "done" => Some(TaskStatus::Done),
            _ => None,
        }
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub title: String,
    pub description: Option<String>,
    pub due_at: Option<Timestamp>,
    pub assignee_user_id: Option<UserId>,
    /// At most one of the three.
    pub contact_id: Option<ContactId>,
    pub deal_id: Option<DealId>,
    pub conversation_id: Option<ConversationId>,
    pub status: TaskStatus,
    pub completed_at: Option<Timestamp>,
    pub reminded_at: Option<Timestamp>,
    /// Who created it: a user or an API key.
    pub created_by_user_id: Option<UserId>,
    pub created_by_api_key_id: Option<ApiKeyId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Which tasks a list shows; every `None` matches all.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskFilter {
    pub assignee: Option<UserId>,
    pub status: Option<TaskStatus>,
    /// Open tasks due before this time.
    pub overdue_at: Option<Timestamp>,
    /// Tasks linked to this contact or to one of its conversations.
    pub contact: Option<ContactId>,
    pub deal: Option<DealId>,
    pub conversation: Option<ConversationId>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    title: String,
    description: Option<String>,
    due_at: Option<i64>,
    assignee_user_id: Option<Uuid>,
    contact_id: Option<Uuid>,
    deal_id: Option<Uuid>,
    conversation_id: Option<Uuid>,
    status: String,
    completed_at: Option<i64>,
    reminded_at: Option<i64>,
    created_by_user_id: Option<Uuid>,
    created_by_api_key_id: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<Row> for Task {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        let ms = |v: Option<i64>| v.map(Timestamp::from_millis);
        Ok(Task {
            id: TaskId::from_uuid(r.id),
            title: r.title,
            description: r.description,
            due_at: ms(r.due_at),
            assignee_user_id: r.assignee_user_id.map(UserId::from_uuid),
            contact_id: r.contact_id.map(ContactId::from_uuid),
            deal_id: r.deal_id.map(DealId::from_uuid),
            conversation_id: r.conversation_id.map(ConversationId::from_uuid),
            status: TaskStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("task status `{}`", r.status)))?,
            completed_at: ms(r.completed_at),
            reminded_at: ms(r.reminded_at),
            created_by_user_id: r.created_by_user_id.map(UserId::from_uuid),
            created_by_api_key_id: r.created_by_api_key_id.map(ApiKeyId::from_uuid),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const COLUMNS: &str = "id, title, description, due_at, assignee_user_id, contact_id, deal_id, \
    conversation_id, status, completed_at, reminded_at, created_by_user_id, \
    created_by_api_key_id, created_at, updated_at";

fn tasks(rows: Vec<Row>) -> StoreResult<Vec<Task>> {
    rows.into_iter().map(Task::try_from).collect()
}

impl TenantTx {
    pub async fn insert_task(&mut self, t: &Task) -> StoreResult<()> {
        let sql = format!(
            "INSERT INTO tasks (tenant_id, {COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        );
        exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
            sql.clone()
        ))
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.due_at.map(Timestamp::as_millis))
        .bind(t.assignee_user_id.map(|i| i.as_uuid()))
        .bind(t.contact_id.map(|i| i.as_uuid()))
        .bind(t.deal_id.map(|i| i.as_uuid()))
        .bind(t.conversation_id.map(|i| i.as_uuid()))
        .bind(t.status.as_str())
        .bind(t.completed_at.map(Timestamp::as_millis))
        .bind(t.reminded_at.map(Timestamp::as_millis))
        .bind(t.created_by_user_id.map(|i| i.as_uuid()))
        .bind(t.created_by_api_key_id.map(|i| i.as_uuid()))
        .bind(t.created_at.as_millis())
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes every changeable field of `t` (all but its id, creator and
    /// `created_at`).
    pub async fn update_task(&mut self, t: &Task) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE tasks SET title = $3, description = $4, due_at = $5, assignee_user_id = $6, \
               contact_id = $7, deal_id = $8, conversation_id = $9, status = $10, \
               completed_at = $11, reminded_at = $12, updated_at = $13 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(t.id.as_uuid())
        .bind(&t.title)
        .bind(&t.description)
        .bind(t.due_at.map(Timestamp::as_millis))
        .bind(t.assignee_user_id.map(|i| i.as_uuid()))
        .bind(t.contact_id.map(|i| i.as_uuid()))
        .bind(t.deal_id.map(|i| i.as_uuid()))
        .bind(t.conversation_id.map(|i| i.as_uuid()))
        .bind(t.status.as_str())
        .bind(t.completed_at.map(Timestamp::as_millis))
        .bind(t.reminded_at.map(Timestamp::as_millis))
        .bind(t.updated_at.as_millis())
        .execute(c)
        .await
        })?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn find_task(&mut self, id: TaskId) -> StoreResult<Task> {
        let sql = format!("SELECT {COLUMNS} FROM tasks WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Removes a task and the notifications about it.
    pub async fn delete_task(&mut self, id: TaskId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM tasks WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Tasks matching `filter`, newest first.
    pub async fn list_tasks(
        &mut self,
        filter: TaskFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Task>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM tasks WHERE tenant_id = $1 \
               AND ($2 IS NULL OR assignee_user_id = $2) \
               AND ($3 IS NULL OR status = $3) \
               AND ($4 IS NULL OR (status = 'open' AND due_at < $4)) \
               AND ($5 IS NULL OR contact_id = $5 OR conversation_id IN \
                    (SELECT v.id FROM conversations v WHERE v.tenant_id = $1 AND v.contact_id = $5)) \
               AND ($6 IS NULL OR deal_id = $6) \
               AND ($7 IS NULL OR conversation_id = $7) \
               AND ($8 IS NULL OR id < $8) \
             ORDER BY id DESC LIMIT $9"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.assignee.map(|i| i.as_uuid()))
        .bind(filter.status.map(TaskStatus::as_str))
        .bind(filter.overdue_at.map(Timestamp::as_millis))
        .bind(filter.contact.map(|i| i.as_uuid()))
        .bind(filter.deal.map(|i| i.as_uuid()))
        .bind(filter.conversation.map(|i| i.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(tasks(rows)?, |t| t.id.as_uuid()))
    }

    /// Claims up to `limit` open tasks due by `now` that were not reminded
    /// of yet, marking them reminded. A task is claimed once: a second
    /// claimer (another node) waits for the first's row locks and then
    /// finds `reminded_at` set (PostgreSQL), or waits for the writer
    /// (SQLite).
    pub async fn claim_due_tasks(&mut self, now: Timestamp, limit: i64) -> StoreResult<Vec<Task>> {
        let sql = format!(
            "UPDATE tasks SET reminded_at = $2 \
             WHERE tenant_id = $1 AND status = 'open' AND reminded_at IS NULL AND due_at <= $2 \
               AND id IN (SELECT id FROM tasks WHERE tenant_id = $1 AND status = 'open' \
                          AND reminded_at IS NULL AND due_at <= $2 ORDER BY due_at LIMIT $3) \
             RETURNING {COLUMNS}"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(now.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        let mut due = tasks(rows)?;
        due.sort_by_key(|t| (t.due_at, t.id));
        Ok(due)
    }
}

impl SystemTx {
    /// Up to `limit` tenants with an open task due by `now` that was not
    /// reminded of yet: the reminder poller's work list.
    pub async fn tenants_with_due_tasks(
        &mut self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<TenantId>> {
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM tasks \
             WHERE reminded_at IS NULL AND status = 'open' AND due_at <= $1 LIMIT $2"
        )
        .bind(now.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }
}
