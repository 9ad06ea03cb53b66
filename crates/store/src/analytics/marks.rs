//! How far the counts have taken a message or a booking, so an event seen
//! again, a status skipped or a booking moved never counts twice.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::{BookingId, MessageId, ServiceId};
use uuid::Uuid;

/// An outbound message's counted progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageMark {
    /// 0 nothing, 1 sent, 2 delivered, 3 read: each level is counted once.
    pub level: i64,
    pub failed: bool,
    pub replied: bool,
}

/// What a booking adds to the counts now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingMark {
    pub service_id: ServiceId,
    /// Local start day and hour.
    pub day: String,
    pub hour: i64,
    pub status: String,
}

impl TenantTx {
    /// The message's mark (all zero when it has none).
    pub async fn find_message_mark(&mut self, id: MessageId) -> StoreResult<MessageMark> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, (i64, i64, i64)>(
            "SELECT status_rank, failed, replied FROM analytics_message_marks \
             WHERE tenant_id = $1 AND message_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row
            .map(|(level, failed, replied)| MessageMark {
                level,
                failed: failed != 0,
                replied: replied != 0,
            })
            .unwrap_or_default())
    }

    pub async fn upsert_message_mark(&mut self, id: MessageId, m: MessageMark) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO analytics_message_marks (tenant_id, message_id, status_rank, failed, replied) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, message_id) DO UPDATE SET \
                 status_rank = excluded.status_rank, failed = excluded.failed, \
                 replied = excluded.replied"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(m.level)
        .bind(i64::from(m.failed))
        .bind(i64::from(m.replied))
        .execute(c)
        .await)
        .map(drop)
    }

    /// The booking's mark, if it was counted.
    pub async fn find_booking_mark(&mut self, id: BookingId) -> StoreResult<Option<BookingMark>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<
            _,
            (Uuid, String, i64, String),
        >(
            "SELECT service_id, day, hour, status FROM analytics_booking_marks \
             WHERE tenant_id = $1 AND booking_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(|(service, day, hour, status)| BookingMark {
            service_id: ServiceId::from_uuid(service),
            day,
            hour,
            status,
        }))
    }

    pub async fn upsert_booking_mark(&mut self, id: BookingId, m: &BookingMark) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO analytics_booking_marks (tenant_id, booking_id, service_id, day, hour, status) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, booking_id) DO UPDATE SET \
                 service_id = excluded.service_id, day = excluded.day, hour = excluded.hour, \
                 status = excluded.status"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(m.service_id.as_uuid())
        .bind(&m.day)
        .bind(m.hour)
        .bind(&m.status)
        .execute(c)
        .await)
        .map(drop)
    }
}
