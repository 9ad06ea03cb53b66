//! Plans and tenants.

use crate::db::{SystemTx, TenantTx, Tx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{PlanFeatures, PlanLimits, PlanPrices, TenantId, TenantStatus, Timestamp};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub code: String,
    pub name: String,
    pub limits: PlanLimits,
    pub prices: PlanPrices,
    pub features: PlanFeatures,
    /// When the plan stopped taking new tenants.
    pub retired_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A plan's settings, as written (by the operator, or from the defaults).
#[derive(Debug, Clone)]
pub struct PlanSettings<'a> {
    pub name: &'a str,
    pub limits: PlanLimits,
    pub prices: &'a PlanPrices,
    pub features: PlanFeatures,
}

/// Every column of `plans`, in [`PlanRow`]'s order (a macro, so queries
/// stay `&'static str` with `concat!`).
macro_rules! plan_columns {
    () => {
        "code, name, messages_per_month, agents, numbers, contacts, \
     workflow_runs_per_month, genesys_per_minute, api_requests_per_minute, workflows, \
     webhook_endpoints, monthly_price, yearly_price, currency, feature_campaigns, feature_bot, \
     feature_genesys, feature_api, retired_at, created_at, updated_at"
    };
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
    api_requests_per_minute: Option<i64>,
    workflows: Option<i64>,
    webhook_endpoints: Option<i64>,
    monthly_price: i64,
    yearly_price: i64,
    currency: String,
    feature_campaigns: i64,
    feature_bot: i64,
    feature_genesys: i64,
    feature_api: i64,
    retired_at: Option<i64>,
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
                api_requests_per_minute: r.api_requests_per_minute,
                workflows: r.workflows,
                webhook_endpoints: r.webhook_endpoints,
            },
            prices: PlanPrices {
                monthly: r.monthly_price,
                yearly: r.yearly_price,
                currency: r.currency,
            },
            features: PlanFeatures {
                campaigns: r.feature_campaigns != 0,
                bot: r.feature_bot != 0,
                genesys: r.feature_genesys != 0,
                api: r.feature_api != 0,
            },
            retired_at: r.retired_at.map(Timestamp::from_millis),
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
        for (code, name, limits, monthly) in PlanLimits::defaults() {
            let prices = PlanPrices {
                monthly,
                yearly: monthly * 10,
                currency: "usd".into(),
            };
            let settings = PlanSettings {
                name,
                limits,
                prices: &prices,
                features: PlanFeatures::ALL,
            };
            self.insert_plan(code, &settings, now).await?;
        }
        Ok(())
    }

    /// Adds a plan; a plan with this code already there is left as it is
    /// (and `false` is returned). The row is made with its name, then
    /// [`Self::update_plan`] writes every setting, so the columns are
    /// listed once.
    pub async fn insert_plan(
        &mut self,
        code: &str,
        p: &PlanSettings<'_>,
        now: Timestamp,
    ) -> StoreResult<bool> {
        let made = exec!(&mut self.tx, |c| {
            sqlx::query(
                "INSERT INTO plans (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(code)
            .bind(p.name)
            .bind(now.as_millis())
            .execute(c)
            .await
        })?;
        if made == 1 {
            self.update_plan(code, p, now).await?;
        }
        Ok(made == 1)
    }

    pub async fn list_plans(&mut self) -> StoreResult<Vec<Plan>> {
        let sql = concat!(
            "SELECT ",
            plan_columns!(),
            " FROM plans ORDER BY monthly_price, code"
        );
        let rows = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, PlanRow>(sql).fetch_all(c).await
        })?;
        Ok(rows.into_iter().map(Plan::from).collect())
    }

    pub async fn find_plan(&mut self, code: &str) -> StoreResult<Plan> {
        find_plan(&mut self.tx, code).await
    }

    /// Writes every setting of a plan.
    pub async fn update_plan(
        &mut self,
        code: &str,
        p: &PlanSettings<'_>,
        now: Timestamp,
    ) -> StoreResult<Plan> {
        let l = &p.limits;
        let f = &p.features;
        let sql = concat!(
            "UPDATE plans SET name = $2, messages_per_month = $3, agents = $4, numbers = $5, \
                 contacts = $6, workflow_runs_per_month = $7, genesys_per_minute = $8, \
                 api_requests_per_minute = $9, workflows = $10, webhook_endpoints = $11, \
                 monthly_price = $12, yearly_price = $13, currency = $14, \
                 feature_campaigns = $15, feature_bot = $16, feature_genesys = $17, \
                 feature_api = $18, updated_at = $19 \
             WHERE code = $1 RETURNING ",
            plan_columns!()
        );
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, PlanRow>(sql)
                .bind(code)
                .bind(p.name)
                .bind(l.messages_per_month)
                .bind(l.agents)
                .bind(l.numbers)
                .bind(l.contacts)
                .bind(l.workflow_runs_per_month)
                .bind(l.genesys_per_minute)
                .bind(l.api_requests_per_minute)
                .bind(l.workflows)
                .bind(l.webhook_endpoints)
                .bind(p.prices.monthly)
                .bind(p.prices.yearly)
                .bind(&p.prices.currency)
                .bind(i64::from(f.campaigns))
                .bind(i64::from(f.bot))
                .bind(i64::from(f.genesys))
                .bind(i64::from(f.api))
                .bind(now.as_millis())
                .fetch_optional(c)
                .await
        })?;
        Ok(row.or_not_found()?.into())
    }

    /// Retires a plan (`Some(now)`) or brings it back (`None`).
    pub async fn set_plan_retired(
        &mut self,
        code: &str,
        retired_at: Option<Timestamp>,
        now: Timestamp,
    ) -> StoreResult<Plan> {
        let sql = concat!(
            "UPDATE plans SET retired_at = $2, updated_at = $3 WHERE code = $1 RETURNING ",
            plan_columns!()
        );
        let row = run!(&mut self.tx, |c| {
            sqlx::query_as::<_, PlanRow>(sql)
                .bind(code)
                .bind(retired_at.map(Timestamp::as_millis))
                .bind(now.as_millis())
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
    let sql = concat!("SELECT ", plan_columns!(), " FROM plans WHERE code = $1");
    let row = run!(tx, |c| {
        sqlx::query_as::<_, PlanRow>(sql)
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
