//! The booking catalogue: services (`booking_services`) and the staff or
//! resources that give them (`booking_resources`, with the services each
//! gives in `booking_resource_services`).

use crate::db::{TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use domain::{ResourceId, ServiceId, Timestamp};
use uuid::Uuid;

/// A service as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub description: Option<String>,
    pub price_minor: i64,
    pub currency: String,
    pub duration_minutes: i64,
    pub category: Option<String>,
    pub icon: Option<String>,
    pub active: bool,
    /// The catalogue's order (0 first).
    pub position: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ServiceRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    price_minor: i64,
    currency: String,
    duration_minutes: i64,
    category: Option<String>,
    icon: Option<String>,
    active: i64,
    position: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<ServiceRow> for Service {
    fn from(r: ServiceRow) -> Self {
        Service {
            id: ServiceId::from_uuid(r.id),
            name: r.name,
            description: r.description,
            price_minor: r.price_minor,
            currency: r.currency,
            duration_minutes: r.duration_minutes,
            category: r.category,
            icon: r.icon,
            active: r.active != 0,
            position: r.position,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

const SERVICE_COLUMNS: &str = "id, name, description, price_minor, currency, duration_minutes, \
     category, icon, active, position, created_at, updated_at";

/// Staff or a resource as stored, with the services it gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub id: ResourceId,
    pub name: String,
    /// `staff` or `resource`.
    pub kind: String,
    pub capacity: i64,
    pub active: bool,
    pub service_ids: Vec<ServiceId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: Uuid,
    name: String,
    kind: String,
    capacity: i64,
    active: i64,
    created_at: i64,
    updated_at: i64,
}

impl TenantTx {
    /// Every service, in catalogue order.
    pub async fn list_services(&mut self) -> StoreResult<Vec<Service>> {
        let sql = format!(
            "SELECT {SERVICE_COLUMNS} FROM booking_services WHERE tenant_id = $1 \
             ORDER BY position, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ServiceRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows.into_iter().map(Service::from).collect())
    }

    pub async fn find_service(&mut self, id: ServiceId) -> StoreResult<Service> {
        let sql = format!(
            "SELECT {SERVICE_COLUMNS} FROM booking_services WHERE tenant_id = $1 AND id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ServiceRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(Service::from).or_not_found()
    }

    /// Inserts `s`, or replaces the service with its id.
    pub async fn upsert_service(&mut self, s: &Service) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO booking_services (tenant_id, id, name, description, price_minor, \
                 currency, duration_minutes, category, icon, active, position, created_at, \
                 updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, \
                 description = excluded.description, price_minor = excluded.price_minor, \
                 currency = excluded.currency, duration_minutes = excluded.duration_minutes, \
                 category = excluded.category, icon = excluded.icon, active = excluded.active, \
                 position = excluded.position, updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(s.id.as_uuid())
        .bind(&s.name)
        .bind(s.description.as_deref())
        .bind(s.price_minor)
        .bind(&s.currency)
        .bind(s.duration_minutes)
        .bind(s.category.as_deref())
        .bind(s.icon.as_deref())
        .bind(i64::from(s.active))
        .bind(s.position)
        .bind(s.created_at.as_millis())
        .bind(s.updated_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// The position after the last service's.
    pub async fn next_service_position(&mut self) -> StoreResult<i64> {
        let (n,): (Option<i64>,) = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT MAX(position) FROM booking_services WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)?;
        Ok(n.map_or(0, |n| n + 1))
    }

    /// Deletes a service (the caller checked it has no bookings); the
    /// resources no longer give it.
    pub async fn delete_service(&mut self, id: ServiceId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM booking_services WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }

    /// Every resource with the services it gives, by name.
    pub async fn list_resources(&mut self) -> StoreResult<Vec<Resource>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ResourceRow>(
            "SELECT id, name, kind, capacity, active, created_at, updated_at \
             FROM booking_resources WHERE tenant_id = $1 ORDER BY name, id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        let links: Vec<(Uuid, Uuid)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT resource_id, service_id FROM booking_resource_services \
             WHERE tenant_id = $1 ORDER BY service_id"
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let services = links
                    .iter()
                    .filter(|(res, _)| *res == r.id)
                    .map(|(_, s)| ServiceId::from_uuid(*s))
                    .collect();
                resource(r, services)
            })
            .collect())
    }

    pub async fn find_resource(&mut self, id: ResourceId) -> StoreResult<Resource> {
        self.resource_row(id, "").await
    }

    /// [`TenantTx::find_resource`], locked until the transaction ends on
    /// PostgreSQL, so bookings of one resource are made one at a time
    /// (SQLite's one writer already makes every write one at a time).
    pub async fn lock_booking_resource(&mut self, id: ResourceId) -> StoreResult<Resource> {
        let lock = match self.tx {
            crate::db::Tx::Postgres(_) => " FOR UPDATE",
            crate::db::Tx::Sqlite(_) => "",
        };
        self.resource_row(id, lock).await
    }

    async fn resource_row(&mut self, id: ResourceId, lock: &str) -> StoreResult<Resource> {
        let sql = format!(
            "SELECT id, name, kind, capacity, active, created_at, updated_at \
             FROM booking_resources WHERE tenant_id = $1 AND id = $2{lock}"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ResourceRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?
        .or_not_found()?;
        let services: Vec<(Uuid,)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT service_id FROM booking_resource_services \
             WHERE tenant_id = $1 AND resource_id = $2 ORDER BY service_id"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_all(c)
        .await)?;
        let services = services
            .into_iter()
            .map(|(s,)| ServiceId::from_uuid(s))
            .collect();
        Ok(resource(row, services))
    }

    /// Inserts `r`, or replaces the resource with its id, services
    /// included.
    pub async fn upsert_resource(&mut self, r: &Resource) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO booking_resources (tenant_id, id, name, kind, capacity, active, \
                 created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, \
                 kind = excluded.kind, capacity = excluded.capacity, active = excluded.active, \
                 updated_at = excluded.updated_at"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .bind(&r.name)
        .bind(&r.kind)
        .bind(r.capacity)
        .bind(i64::from(r.active))
        .bind(r.created_at.as_millis())
        .bind(r.updated_at.as_millis())
        .execute(c)
        .await)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM booking_resource_services WHERE tenant_id = $1 AND resource_id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(r.id.as_uuid())
        .execute(c)
        .await)?;
        for s in &r.service_ids {
            exec!(&mut self.tx, |c| sqlx::query(
                "INSERT INTO booking_resource_services (tenant_id, resource_id, service_id) \
                 VALUES ($1, $2, $3)"
            )
            .bind(self.tenant.as_uuid())
            .bind(r.id.as_uuid())
            .bind(s.as_uuid())
            .execute(c)
            .await)?;
        }
        Ok(())
    }

    /// Deletes a resource (the caller checked it has no bookings).
    pub async fn delete_resource(&mut self, id: ResourceId) -> StoreResult<()> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM booking_resources WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        (n > 0).then_some(()).or_not_found()
    }
}

fn resource(r: ResourceRow, service_ids: Vec<ServiceId>) -> Resource {
    Resource {
        id: ResourceId::from_uuid(r.id),
        name: r.name,
        kind: r.kind,
        capacity: r.capacity,
        active: r.active != 0,
        service_ids,
        created_at: Timestamp::from_millis(r.created_at),
        updated_at: Timestamp::from_millis(r.updated_at),
    }
}
