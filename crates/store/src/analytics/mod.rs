//! Analytics: counts rolled up from the event log by the server's
//! `analytics` consumer (`analytics_counts`), the conversations response
//! times are measured on, the marks that make counting idempotent, and each
//! workspace's targets. Nothing here reads the messages table except the
//! two lookups the consumer makes by primary key and the rebuild's paging.

mod conversations;
mod counts;
mod history;
mod marks;

pub use conversations::Episode;
pub use counts::{Count, DailyCount, HourlyCount, TenantTotal};
pub use history::{BookingFacts, MessageFacts, Named, RunFacts};
pub use marks::{BookingMark, MessageMark};

use crate::db::{SystemTx, TenantTx, Tx, exec, run};
use crate::error::StoreResult;
use domain::{TenantId, Timestamp};
use uuid::Uuid;

/// A workspace's service-level targets, and the zone its counts are in.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyticsSettings {
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
    /// The IANA zone `analytics_counts` were counted in.
    pub zone: String,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    first_response_minutes: i64,
    resolution_minutes: i64,
    zone: String,
    updated_at: i64,
}

impl TenantTx {
    /// The workspace's analytics settings, if it has any yet.
    pub async fn find_analytics_settings(&mut self) -> StoreResult<Option<AnalyticsSettings>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SettingsRow>(
            "SELECT first_response_minutes, resolution_minutes, zone, updated_at \
             FROM analytics_settings WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(|r| AnalyticsSettings {
            first_response_minutes: r.first_response_minutes,
            resolution_minutes: r.resolution_minutes,
            zone: r.zone,
            updated_at: Timestamp::from_millis(r.updated_at),
        }))
    }

    /// Writes the workspace's analytics settings.
    pub async fn upsert_analytics_settings(&mut self, s: &AnalyticsSettings) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO analytics_settings (tenant_id, first_response_minutes, \
                 resolution_minutes, zone, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_id) DO UPDATE SET \
                 first_response_minutes = excluded.first_response_minutes, \
                 resolution_minutes = excluded.resolution_minutes, \
                 zone = excluded.zone, updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.first_response_minutes)
        .bind(s.resolution_minutes)
        .bind(&s.zone)
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Holds back the workspace's event-writing commits until this
    /// transaction ends (on PostgreSQL; on SQLite writers take turns
    /// anyway) and answers the number of its newest event: what a rebuild
    /// reads from the tables is then exactly the effect of the events up
    /// to that number.
    pub async fn lock_event_log(&mut self) -> StoreResult<i64> {
        let sql = match &self.tx {
            Tx::Sqlite(_) => "SELECT last_seq FROM event_counters WHERE tenant_id = $1",
            Tx::Postgres(_) => {
                "SELECT last_seq FROM event_counters WHERE tenant_id = $1 FOR UPDATE"
            }
        };
        let seq = run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(sql)
            .bind(self.tenant.as_uuid())
            .fetch_optional(c)
            .await)?;
        Ok(seq.unwrap_or(0))
    }

    /// Forgets everything counted (counts and marks; not the
    /// conversations, which are history of their own), for a rebuild.
    pub async fn clear_analytics_counts(&mut self) -> StoreResult<()> {
        for table in [
            "analytics_counts",
            "analytics_message_marks",
            "analytics_booking_marks",
        ] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .execute(c)
            .await)?;
        }
        Ok(())
    }
}

impl SystemTx {
    /// Up to `limit` workspaces whose counts must be made anew: never made
    /// (no settings, or settings made before the counts were), or made in
    /// another time zone than the workspace's now.
    pub async fn tenants_to_recount(&mut self, limit: i64) -> StoreResult<Vec<TenantId>> {
        let ids: Vec<Uuid> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT t.id FROM tenants t \
             LEFT JOIN analytics_settings s ON s.tenant_id = t.id \
             WHERE s.zone IS NULL OR s.zone <> t.time_zone \
             ORDER BY t.id LIMIT $1"
        )
        .bind(limit)
        .fetch_all(c)
        .await)?;
        Ok(ids.into_iter().map(TenantId::from_uuid).collect())
    }
}
