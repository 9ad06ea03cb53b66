//! Plans and tenants.

use crate::db::{SystemTx, TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{PlanLimits, TenantId, TenantStatus, Timestamp};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub code: String,
    pub name: String,
    pub limits: PlanLimits,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct PlanRow {
    code: String,
    name: String,
    messages_per_month: Option<i64>,
    agents: Option<i64>,
    numbers: Option<i64>,
    contacts: Option<i64>,
    workflow_runs_per_month: Option<i64>,
    genesys_per_minute: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<PlanRow> for Plan {
    fn from(r: PlanRow) -> Self {
        Plan {
            code: r.code,
            name: r.name,
            limits: PlanLimits {
                messages_per_month: r.messages_per_month,
                agents: r.agents,
                numbers: r.numbers,
                contacts: r.contacts,
                workflow_runs_per_month: r.workflow_runs_per_month,
                genesys_per_minute: r.genesys_per_minute,
            },
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub slug: String,
    pub status: TenantStatus,
    /// Why the tenant is suspended, when it is.
    pub status_reason: Option<String>,
    pub plan_code: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    name: String,
    slug: String,
    status: String,
    status_reason: Option<String>,
    plan_code: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> StoreResult<Self> {
        Ok(Tenant {
            id: TenantId::from_uuid(r.id),
            name: r.name,
            slug: r.slug,
            status: r.status.parse().map_err(StoreError::corrupt)?,
            status_reason: r.status_reason,
            plan_code: r.plan_code,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

/// A tenant about to be created.
#[derive(Debug, Clone)]
pub struct NewTenant<'a> {
    pub id: TenantId,
    pub name: &'a str,
    pub slug: &'a str,
    pub status: TenantStatus,
    pub plan_code: &'a str,
    pub now: Timestamp,
}

async fn find_tenant(tx: &mut Tx, id: TenantId) -> StoreResult<Tenant> {
    let row = run!(tx, |c| sqlx::query_as::<_, TenantRow>(
        "SELECT id, name, slug, status, status_reason, plan_code, created_at, updated_at \
         FROM tenants WHERE id = $1"
    )
    .bind(id.as_uuid())
    .fetch_optional(c)
    .await)?;
    row.or_not_found()?.try_into()
}

impl SystemTx {
    /// Creates the default plans if they are missing; never overwrites edits.
    pub async fn ensure_default_plans(&mut self, now: Timestamp) -> StoreResult<()> {
        for (code, name, l) in PlanLimits::defaults() {
            exec!(&mut self.tx, |c| {
                sqlx::query(
                "INSERT INTO plans (code, name, messages_per_month, agents, numbers, contacts, \
                                    workflow_runs_per_month, genesys_per_minute, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $8, $9, $7, $7) ON CONFLICT (code) DO NOTHING"
            )
            .bind(code)
            .bind(name)
            .bind(l.messages_per_month)
            .bind(l.agents)
            .bind(l.numbers)
            .bind(l.contacts)
            .bind(now.as_millis())
            .bind(l.workflow_runs_per_month)
            .bind(l.genesys_per_minute)
            .execute(c)
            .await
            })?;
        }
        Ok(())
    }

    pub async fn list_plans(&mut self) -> StoreResult<Vec<Plan>> {
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, PlanRow>(
            "SELECT code, name, messages_per_month, agents, numbers, contacts, workflow_runs_per_month, genesys_per_minute, created_at, \
                    updated_at FROM plans ORDER BY code"
        )
        .fetch_all(c)
        .await
        })?;
        Ok(rows.into_iter().map(Plan::from).collect())
    }

    pub async fn find_plan(&mut self, code: &str) -> StoreResult<Plan> {
        find_plan(&mut self.tx, code).await
    }

    pub async fn update_plan(
        &mut self,
        code: &str,
        name: &str,
        limits: PlanLimits,
        now: Timestamp,
    ) -> StoreResult<Plan> {
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, PlanRow>(
            "UPDATE plans SET name = $2, messages_per_month = $3, agents = $4, numbers = $5, \
                              contacts = $6, updated_at = $7, workflow_runs_per_month = $8, \
                              genesys_per_minute = $9 \
             WHERE code = $1 \
             RETURNING code, name, messages_per_month, agents, numbers, contacts, workflow_runs_per_month, genesys_per_minute, created_at, \
                       updated_at"
        )
        .bind(code)
        .bind(name)
        .bind(limits.messages_per_month)
        .bind(limits.agents)
        .bind(limits.numbers)
        .bind(limits.contacts)
        .bind(now.as_millis())
        .bind(limits.workflow_runs_per_month)
        .bind(limits.genesys_per_minute)
        .fetch_optional(c)
        .await
        })?;
        Ok(row.or_not_found()?.into())
    }

    pub async fn insert_tenant(&mut self, t: NewTenant<'_>) -> StoreResult<Tenant> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO tenants (id, name, slug, status, plan_code, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)"
        )
        .bind(t.id.as_uuid())
        .bind(t.name)
        .bind(t.slug)
        .bind(t.status.as_str())
        .bind(t.plan_code)
        .bind(t.now.as_millis())
        .execute(c)
        .await)?;
        find_tenant(&mut self.tx, t.id).await
    }

    pub async fn find_tenant(&mut self, id: TenantId) -> StoreResult<Tenant> {
        find_tenant(&mut self.tx, id).await
    }

    pub async fn find_tenant_by_slug(&mut self, slug: &str) -> StoreResult<Tenant> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, TenantRow>(
            "SELECT id, name, slug, status, status_reason, plan_code, created_at, updated_at \
             FROM tenants WHERE slug = $1"
        )
        .bind(slug)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Tenants, newest first.
    pub async fn list_tenants(&mut self, page: PageRequest) -> StoreResult<Page<Tenant>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, TenantRow>(
            "SELECT id, name, slug, status, status_reason, plan_code, created_at, updated_at \
             FROM tenants WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
        )
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let tenants = rows
            .into_iter()
            .map(Tenant::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(tenants, |t| t.id.as_uuid()))
    }

    pub async fn update_tenant(
        &mut self,
        id: TenantId,
        name: &str,
        plan_code: &str,
        now: Timestamp,
    ) -> StoreResult<Tenant> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE tenants SET name = $2, plan_code = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(id.as_uuid())
        .bind(name)
        .bind(plan_code)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        find_tenant(&mut self.tx, id).await
    }

    pub async fn set_tenant_status(
        &mut self,
        id: TenantId,
        status: TenantStatus,
        reason: Option<&str>,
        now: Timestamp,
    ) -> StoreResult<Tenant> {
        let done = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE tenants SET status = $2, status_reason = $3, updated_at = $4 WHERE id = $1"
        )
        .bind(id.as_uuid())
        .bind(status.as_str())
        .bind(reason)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        find_tenant(&mut self.tx, id).await
    }
}

async fn find_plan(tx: &mut Tx, code: &str) -> StoreResult<Plan> {
    let row = run!(tx, |c| {
        sqlx::query_as::<_, PlanRow>(
        "SELECT code, name, messages_per_month, agents, numbers, contacts, workflow_runs_per_month, genesys_per_minute, created_at, \
                updated_at FROM plans WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.or_not_found()?.into())
}

impl TenantTx {
    /// This transaction's own tenant.
    pub async fn find_tenant(&mut self) -> StoreResult<Tenant> {
        find_tenant(&mut self.tx, self.tenant).await
    }

    /// This tenant's plan.
    pub async fn find_plan(&mut self) -> StoreResult<Plan> {
        let tenant = self.find_tenant().await?;
        find_plan(&mut self.tx, &tenant.plan_code).await
    }

    /// Holds, until this transaction ends, the lock on this tenant's
    /// `resource` (a plan limit's name), so transactions that count a
    /// resource and then take one more of it run one after the other and
    /// two can never both take the last unit. On PostgreSQL this is an
    /// advisory transaction lock (READ COMMITTED alone would let both count
    /// the same total); on SQLite write transactions already run one at a
    /// time (`BEGIN IMMEDIATE` on one writer connection).
    pub async fn lock_resource(&mut self, resource: &str) -> StoreResult<()> {
        if let Tx::Postgres(t) = &mut self.tx {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(resource_lock_key(self.tenant, resource))
                .execute(&mut **t)
                .await
                .map_err(crate::error::classify)?;
        }
        Ok(())
    }

    /// This tenant's time zone (an IANA name; `UTC` unless it chose one).
    pub async fn find_time_zone(&mut self) -> StoreResult<String> {
        let zone = run!(&mut self.tx, |c| sqlx::query_scalar::<_, String>(
            "SELECT time_zone FROM tenants WHERE id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        zone.or_not_found()
    }

    /// Sets this tenant's time zone (a name the caller checked).
    pub async fn set_time_zone(&mut self, zone: &str, now: Timestamp) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE tenants SET time_zone = $2, updated_at = $3 WHERE id = $1"
        )
        .bind(self.tenant.as_uuid())
        .bind(zone)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// How many contacts this tenant has.
    pub async fn count_contacts(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM contacts WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }
}

/// The advisory lock key of a tenant's resource: the tenant id folded to 64
/// bits, mixed with an FNV-1a hash of the name. A collision only makes two
/// unrelated transactions wait for each other.
fn resource_lock_key(tenant: TenantId, resource: &str) -> i64 {
    let id = tenant.as_uuid().as_u128();
    let folded = (id >> 64) as u64 ^ id as u64;
    let name = resource.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    i64::from_ne_bytes((folded ^ name).to_ne_bytes())
}
