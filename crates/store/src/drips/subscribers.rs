//! A drip's subscribers (`drip_subscribers`) and their history
//! (`drip_sends`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ContactId, DripId, DripSubscriberId, Timestamp};
use uuid::Uuid;

/// Where a subscriber is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriberStatus {
    /// Its next step is due at `next_at`.
    Active,
    /// Came past the last step.
    Completed,
    /// Left before the end (`exit_reason` says why).
    Exited,
}

impl SubscriberStatus {
    pub const ALL: [SubscriberStatus; 3] = [
        SubscriberStatus::Active,
        SubscriberStatus::Completed,
        SubscriberStatus::Exited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubscriberStatus::Active => "active",
            SubscriberStatus::Completed => "completed",
            SubscriberStatus::Exited => "exited",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// One contact's enrolment in a drip.
#[derive(Debug, Clone, PartialEq)]
pub struct DripSubscriber {
    pub id: DripSubscriberId,
    pub drip_id: DripId,
    pub contact_id: ContactId,
    pub status: SubscriberStatus,
    pub exit_reason: Option<String>,
    pub exit_detail: Option<String>,
    /// The next step to send (0: the first).
    pub step: i64,
    pub next_at: Option<Timestamp>,
    pub via: String,
    pub enrolled_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

impl DripSubscriber {
    /// Ends it at `now` as `status` (with the reason, for `exited`).
    pub fn end(
        &mut self,
        status: SubscriberStatus,
        reason: Option<&str>,
        detail: Option<String>,
        now: Timestamp,
    ) {
        self.status = status;
        self.exit_reason = reason.map(str::to_owned);
        self.exit_detail = detail;
        self.next_at = None;
        self.finished_at = Some(now);
        self.updated_at = now;
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct SubscriberRow {
    id: Uuid,
    drip_id: Uuid,
    contact_id: Uuid,
    status: String,
    exit_reason: Option<String>,
    exit_detail: Option<String>,
    step: i64,
    next_at: Option<i64>,
    via: String,
    enrolled_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<SubscriberRow> for DripSubscriber {
    type Error = StoreError;
    fn try_from(r: SubscriberRow) -> StoreResult<Self> {
        Ok(DripSubscriber {
            id: DripSubscriberId::from_uuid(r.id),
            drip_id: DripId::from_uuid(r.drip_id),
            contact_id: ContactId::from_uuid(r.contact_id),
            status: SubscriberStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("subscriber status {}", r.status)))?,
            exit_reason: r.exit_reason,
            exit_detail: r.exit_detail,
            step: r.step,
            next_at: r.next_at.map(Timestamp::from_millis),
            via: r.via,
            enrolled_at: Timestamp::from_millis(r.enrolled_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            finished_at: r.finished_at.map(Timestamp::from_millis),
        })
    }
}

const SUBSCRIBER_COLUMNS: &str = "id, drip_id, contact_id, status, exit_reason, exit_detail, step, \
     next_at, via, enrolled_at, updated_at, finished_at";

fn subscribers(rows: Vec<SubscriberRow>) -> StoreResult<Vec<DripSubscriber>> {
    rows.into_iter().map(DripSubscriber::try_from).collect()
}

impl TenantTx {
    /// Inserts `s` unless its contact is active in its drip already;
    /// whether it was inserted.
    pub async fn insert_drip_subscriber(&mut self, s: &DripSubscriber) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "INSERT INTO drip_subscribers (tenant_id, id, drip_id, contact_id, status, \
                 exit_reason, exit_detail, step, next_at, via, enrolled_at, updated_at, finished_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(s.drip_id.as_uuid())
        .bind(s.contact_id.as_uuid())
        .bind(s.status.as_str())
        .bind(s.exit_reason.as_deref())
        .bind(s.exit_detail.as_deref())
        .bind(s.step)
        .bind(s.next_at.map(Timestamp::as_millis))
        .bind(&s.via)
        .bind(s.enrolled_at.as_millis())
        .bind(s.updated_at.as_millis())
        .bind(s.finished_at.map(Timestamp::as_millis))
        .execute(c)
        .await
        })?;
        Ok(n == 1)
    }

    pub async fn find_drip_subscriber(
        &mut self,
        id: DripSubscriberId,
    ) -> StoreResult<DripSubscriber> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM drip_subscribers WHERE tenant_id = $1 AND id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SubscriberRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Takes subscriber `id`, holding its row until this transaction ends
    /// (a second taker waits, then sees what the first did).
    pub async fn claim_drip_subscriber(
        &mut self,
        id: DripSubscriberId,
    ) -> StoreResult<DripSubscriber> {
        let sql = format!(
            "UPDATE drip_subscribers SET updated_at = updated_at WHERE tenant_id = $1 AND id = $2 \
             RETURNING {SUBSCRIBER_COLUMNS}"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SubscriberRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Writes `s`'s status, exit, step, due time and times.
    pub async fn update_drip_subscriber(&mut self, s: &DripSubscriber) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE drip_subscribers SET status = $3, exit_reason = $4, exit_detail = $5, \
                 step = $6, next_at = $7, updated_at = $8, finished_at = $9 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(s.status.as_str())
        .bind(s.exit_reason.as_deref())
        .bind(s.exit_detail.as_deref())
        .bind(s.step)
        .bind(s.next_at.map(Timestamp::as_millis))
        .bind(s.updated_at.as_millis())
        .bind(s.finished_at.map(Timestamp::as_millis))
        .execute(c)
        .await)?;
        Ok(())
    }

    /// The active enrolment of `contact` in drip `drip`, if any.
    pub async fn active_drip_subscriber(
        &mut self,
        drip: DripId,
        contact: ContactId,
    ) -> StoreResult<Option<DripSubscriber>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM drip_subscribers WHERE tenant_id = $1 \
               AND drip_id = $2 AND contact_id = $3 AND status = 'active'"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SubscriberRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(drip.as_uuid())
        .bind(contact.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(DripSubscriber::try_from).transpose()
    }

    /// Every active enrolment of `contact`, in any drip.
    pub async fn active_drip_subscriptions(
        &mut self,
        contact: ContactId,
    ) -> StoreResult<Vec<DripSubscriber>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM drip_subscribers WHERE tenant_id = $1 \
               AND contact_id = $2 AND status = 'active' ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, SubscriberRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(contact.as_uuid())
        .fetch_all(c)
        .await)?;
        subscribers(rows)
    }

    /// Drip `drip`'s subscribers (in `status`, if given), newest first.
    pub async fn list_drip_subscribers(
        &mut self,
        drip: DripId,
        status: Option<SubscriberStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<DripSubscriber>> {
        let sql = format!(
            "SELECT {SUBSCRIBER_COLUMNS} FROM drip_subscribers WHERE tenant_id = $1 \
               AND drip_id = $2 AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR id < $4) \
             ORDER BY id DESC LIMIT $5"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, SubscriberRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(drip.as_uuid())
        .bind(status.map(SubscriberStatus::as_str))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(subscribers(rows)?, |s| s.id.as_uuid()))
    }

    /// How many subscribers drip `drip` has in each status.
    pub async fn count_drip_subscribers(
        &mut self,
        drip: DripId,
    ) -> StoreResult<Vec<(SubscriberStatus, i64)>> {
        let rows: Vec<(String, i64)> = run!(&mut self.tx, |c| {
            sqlx::query_as(
            "SELECT status, COUNT(*) FROM drip_subscribers WHERE tenant_id = $1 AND drip_id = $2 \
             GROUP BY status"
        )
        .bind(self.tenant.as_uuid())
        .bind(drip.as_uuid())
        .fetch_all(c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(|(s, n)| SubscriberStatus::parse(&s).map(|s| (s, n)))
            .collect())
    }
}
