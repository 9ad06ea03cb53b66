//! Bookings (`bookings`) and every status and move of each
//! (`booking_history`). Capacity is checked by the server inside the
//! transaction that holds the resource's lock ([`TenantTx::lock_booking_resource`]);
//! [`TenantTx::taken_between`] is what it counts.

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{BookingId, ChannelId, ContactId, ResourceId, ServiceId, TenantId, Timestamp};
use uuid::Uuid;

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    /// Made by the bot, waiting for the customer's confirmation.
    Pending,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 5] = [
        BookingStatus::Pending,
        BookingStatus::Confirmed,
        BookingStatus::Completed,
        BookingStatus::Cancelled,
        BookingStatus::NoShow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Pending => "pending",
            BookingStatus::Confirmed => "confirmed",
            BookingStatus::Completed => "completed",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the booking holds its resource's time.
    pub fn holds_time(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Confirmed)
    }
}

/// A booking as stored, with the names of what it points at.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub id: BookingId,
    pub reference: String,
    pub service_id: ServiceId,
    pub resource_id: ResourceId,
    pub contact_id: ContactId,
    pub channel_id: Option<ChannelId>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    /// `ends_at` plus the buffer: the resource is taken until then.
    pub blocks_until: Timestamp,
    pub status: BookingStatus,
    pub customer_name: String,
    pub payment_method: String,
    pub price_minor: i64,
    pub currency: String,
    pub notes: Option<String>,
    pub source: String,
    pub remind_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Read with the booking (ignored when writing).
    pub service_name: String,
    pub resource_name: String,
    pub contact_phone: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    reference: String,
    service_id: Uuid,
    resource_id: Uuid,
    contact_id: Uuid,
    channel_id: Option<Uuid>,
    starts_at: i64,
    ends_at: i64,
    blocks_until: i64,
    status: String,
    customer_name: String,
    payment_method: String,
    price_minor: i64,
    currency: String,
    notes: Option<String>,
    source: String,
    remind_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    service_name: String,
    resource_name: String,
    contact_phone: String,
}

impl TryFrom<Row> for Booking {
    type Error = StoreError;
    fn try_from(r: Row) -> StoreResult<Self> {
        Ok(Booking {
            id: BookingId::from_uuid(r.id),
            reference: r.reference,
            service_id: ServiceId::from_uuid(r.service_id),
            resource_id: ResourceId::from_uuid(r.resource_id),
            contact_id: ContactId::from_uuid(r.contact_id),
            channel_id: r.channel_id.map(ChannelId::from_uuid),
            starts_at: Timestamp::from_millis(r.starts_at),
            ends_at: Timestamp::from_millis(r.ends_at),
            blocks_until: Timestamp::from_millis(r.blocks_until),
            status: BookingStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt(format!("booking status {}", r.status)))?,
            customer_name: r.customer_name,
            payment_method: r.payment_method,
            price_minor: r.price_minor,
            currency: r.currency,
            notes: r.notes,
            source: r.source,
            remind_at: r.remind_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
            service_name: r.service_name,
            resource_name: r.resource_name,
            contact_phone: r.contact_phone,
        })
    }
}

const SELECT: &str = "SELECT b.id, b.reference, b.service_id, b.resource_id, b.contact_id, \
     b.channel_id, b.starts_at, b.ends_at, b.blocks_until, b.status, b.customer_name, \
     b.payment_method, b.price_minor, b.currency, b.notes, b.source, b.remind_at, b.created_at, \
     b.updated_at, s.name AS service_name, r.name AS resource_name, COALESCE(c.wa_id, c.phone, '') AS contact_phone \
     FROM bookings b \
     JOIN booking_services s ON s.tenant_id = b.tenant_id AND s.id = b.service_id \
     JOIN booking_resources r ON r.tenant_id = b.tenant_id AND r.id = b.resource_id \
     JOIN contacts c ON c.tenant_id = b.tenant_id AND c.id = b.contact_id";

fn bookings(rows: Vec<Row>) -> StoreResult<Vec<Booking>> {
    rows.into_iter().map(Booking::try_from).collect()
}

/// Which bookings a list shows; `None` matches any.
#[derive(Debug, Clone, Default)]
pub struct BookingFilter {
    /// Starting at or after.
    pub from: Option<Timestamp>,
    /// Starting before.
    pub to: Option<Timestamp>,
    pub status: Option<BookingStatus>,
    pub service: Option<ServiceId>,
    pub resource: Option<ResourceId>,
    pub contact: Option<ContactId>,
}

const FILTER: &str = "b.tenant_id = $1 AND ($2 IS NULL OR b.starts_at >= $2) \
     AND ($3 IS NULL OR b.starts_at < $3) AND ($4 IS NULL OR b.status = $4) \
     AND ($5 IS NULL OR b.service_id = $5) AND ($6 IS NULL OR b.resource_id = $6) \
     AND ($7 IS NULL OR b.contact_id = $7)";

/// One row of a booking's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub action: String,
    pub status: BookingStatus,
    pub starts_at: Timestamp,
    pub actor: String,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// A history row to write.
#[derive(Debug, Clone)]
pub struct NewHistoryEntry<'a> {
    pub booking_id: BookingId,
    /// `created`, `confirmed`, `rescheduled`, `completed`, `cancelled`, `no_show`.
    pub action: &'a str,
    pub status: BookingStatus,
    pub starts_at: Timestamp,
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub at: Timestamp,
}

impl TenantTx {
    /// Inserts a booking (the names in `b` are ignored).
    pub async fn insert_booking(&mut self, b: &Booking) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO bookings (tenant_id, id, reference, service_id, resource_id, contact_id, \
                 channel_id, starts_at, ends_at, blocks_until, status, customer_name, \
                 payment_method, price_minor, currency, notes, source, remind_at, created_at, \
                 updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 $18, $19, $20)"
        )
        .bind(self.tenant.as_uuid())
        .bind(b.id.as_uuid())
        .bind(&b.reference)
        .bind(b.service_id.as_uuid())
        .bind(b.resource_id.as_uuid())
        .bind(b.contact_id.as_uuid())
        .bind(b.channel_id.map(|c| c.as_uuid()))
        .bind(b.starts_at.as_millis())
        .bind(b.ends_at.as_millis())
        .bind(b.blocks_until.as_millis())
        .bind(b.status.as_str())
        .bind(&b.customer_name)
        .bind(&b.payment_method)
        .bind(b.price_minor)
        .bind(&b.currency)
        .bind(b.notes.as_deref())
        .bind(&b.source)
        .bind(b.remind_at.map(Timestamp::as_millis))
        .bind(b.created_at.as_millis())
        .bind(b.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Writes a booking's times, resource, status, notes and next
    /// reminder.
    pub async fn update_booking(&mut self, b: &Booking) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE bookings SET resource_id = $3, starts_at = $4, ends_at = $5, \
                 blocks_until = $6, status = $7, notes = $8, remind_at = $9, updated_at = $10 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(b.id.as_uuid())
        .bind(b.resource_id.as_uuid())
        .bind(b.starts_at.as_millis())
        .bind(b.ends_at.as_millis())
        .bind(b.blocks_until.as_millis())
        .bind(b.status.as_str())
        .bind(b.notes.as_deref())
        .bind(b.remind_at.map(Timestamp::as_millis))
        .bind(b.updated_at.as_millis())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    pub async fn find_booking(&mut self, id: BookingId) -> StoreResult<Booking> {
        let sql = format!("{SELECT} WHERE b.tenant_id = $1 AND b.id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(Booking::try_from).transpose()?.or_not_found()
    }

    /// Whether a booking has this reference.
    pub async fn booking_reference_taken(&mut self, reference: &str) -> StoreResult<bool> {
        let n: i64 = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE tenant_id = $1 AND reference = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(reference)
        .fetch_one(c)
        .await)?;
        Ok(n > 0)
    }

    /// Bookings matching `filter`, by start time (then id).
    pub async fn list_bookings(
        &mut self,
        filter: &BookingFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Booking>> {
        let sql = format!(
            "{SELECT} WHERE {FILTER} AND ($8 IS NULL OR b.starts_at > \
                 (SELECT p.starts_at FROM bookings p WHERE p.tenant_id = $1 AND p.id = $8) \
               OR (b.starts_at = (SELECT p.starts_at FROM bookings p \
                     WHERE p.tenant_id = $1 AND p.id = $8) AND b.id > $8)) \
             ORDER BY b.starts_at, b.id LIMIT $9"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(filter.from.map(Timestamp::as_millis))
        .bind(filter.to.map(Timestamp::as_millis))
        .bind(filter.status.map(BookingStatus::as_str))
        .bind(filter.service.map(|s| s.as_uuid()))
        .bind(filter.resource.map(|r| r.as_uuid()))
        .bind(filter.contact.map(|c| c.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(bookings(rows)?, |b| b.id.as_uuid()))
    }

    /// The bookings holding time of any of `resources` between `from` and
    /// `to` (their blocked time overlaps it), by start.
    pub async fn taken_between(
        &mut self,
        resources: &[ResourceId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Booking>> {
        if resources.is_empty() {
            return Ok(Vec::new());
        }
        let ids = crate::placeholders::list(resources.len(), 4);
        let sql = format!(
            "{SELECT} WHERE b.tenant_id = $1 AND b.status IN ('pending', 'confirmed') \
               AND b.starts_at < $2 AND b.blocks_until > $3 AND b.resource_id IN ({ids}) \
             ORDER BY b.starts_at, b.id"
        );
        let rows = run!(&mut self.tx, |c| {
            let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql.clone()))
                .bind(self.tenant.as_uuid())
                .bind(to.as_millis())
                .bind(from.as_millis());
            for r in resources {
                q = q.bind(r.as_uuid());
            }
            q.fetch_all(c).await
        })?;
        bookings(rows)
    }

    /// How many bookings (of any status) name this service or resource.
    pub async fn count_bookings_of(
        &mut self,
        service: Option<ServiceId>,
        resource: Option<ResourceId>,
    ) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE tenant_id = $1 \
               AND ($2 IS NULL OR service_id = $2) AND ($3 IS NULL OR resource_id = $3)"
        )
        .bind(self.tenant.as_uuid())
        .bind(service.map(|s| s.as_uuid()))
        .bind(resource.map(|r| r.as_uuid()))
        .fetch_one(c)
        .await)
    }

    pub async fn insert_booking_history(&mut self, h: &NewHistoryEntry<'_>) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO booking_history (tenant_id, id, booking_id, action, status, starts_at, \
                 actor, note, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(self.tenant.as_uuid())
        .bind(Uuid::now_v7())
        .bind(h.booking_id.as_uuid())
        .bind(h.action)
        .bind(h.status.as_str())
        .bind(h.starts_at.as_millis())
        .bind(h.actor)
        .bind(h.note)
        .bind(h.at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// A booking's history, oldest first.
    pub async fn list_booking_history(&mut self, id: BookingId) -> StoreResult<Vec<HistoryEntry>> {
        let rows: Vec<(String, String, i64, String, Option<String>, i64)> =
            run!(&mut self.tx, |c| sqlx::query_as(
                "SELECT action, status, starts_at, actor, note, at FROM booking_history \
                 WHERE tenant_id = $1 AND booking_id = $2 ORDER BY at, id"
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_all(c)
            .await)?;
        rows.into_iter()
            .map(|(action, status, starts_at, actor, note, at)| {
                Ok(HistoryEntry {
                    status: BookingStatus::parse(&status)
                        .ok_or_else(|| StoreError::corrupt(format!("booking status {status}")))?,
                    action,
                    starts_at: Timestamp::from_millis(starts_at),
                    actor,
                    note,
                    at: Timestamp::from_millis(at),
                })
            })
            .collect()
    }

    /// Up to `limit` bookings whose reminder is due by `now`, soonest first.
    pub async fn due_booking_reminders(
        &mut self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Booking>> {
        let sql = format!(
            "{SELECT} WHERE b.tenant_id = $1 AND b.remind_at IS NOT NULL AND b.remind_at <= $2 \
             ORDER BY b.remind_at, b.id LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(now.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        bookings(rows)
    }
}

impl TenantTx {
    /// Moves booking `id`'s next reminder from `due` to `next`, if it is
    /// still `due` (another node did not take it): whether it was.
    pub async fn advance_booking_reminder(
        &mut self,
        id: BookingId,
        due: Timestamp,
        next: Option<Timestamp>,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| {
            sqlx::query(
            "UPDATE bookings SET remind_at = $4 WHERE tenant_id = $1 AND id = $2 AND remind_at = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(due.as_millis())
        .bind(next.map(Timestamp::as_millis))
        .execute(c)
        .await
        })?;
        Ok(n > 0)
    }
}

impl SystemTx {
    /// Up to `limit` tenants with a booking reminder due by `now`.
    pub async fn tenants_with_due_booking_reminders(
        &mut self,
        now: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<TenantId>> {
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT DISTINCT tenant_id FROM bookings \
             WHERE remind_at IS NOT NULL AND remind_at <= $1 LIMIT $2"
        )
        .bind(now.as_millis())
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }
}
