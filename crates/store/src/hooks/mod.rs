//! Outbound webhooks (docs/WEBHOOKS.md): a tenant's endpoints
//! (`hook_endpoints`), one delivery per event and endpoint
//! (`hook_deliveries`, [`deliveries`]) and every attempt to deliver it
//! (`hook_attempts`, [`attempts`]). Secrets and extra headers stay sealed
//! here: the server seals and opens them.

pub mod attempts;
pub mod deliveries;

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ChannelId, EndpointId, TenantId, Timestamp};
use uuid::Uuid;

/// What an endpoint receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HookFormat {
    /// Switchboard's events (docs/EVENTS.md), signed `Switchboard-Signature`.
    #[default]
    Switchboard,
    /// Meta's own webhooks for the tenant's numbers, signed
    /// `X-Hub-Signature-256`, for bots written for the Cloud API.
    CloudApi,
}

impl HookFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            HookFormat::Switchboard => "switchboard",
            HookFormat::CloudApi => "cloud_api",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "switchboard" => Some(HookFormat::Switchboard),
            "cloud_api" => Some(HookFormat::CloudApi),
            _ => None,
        }
    }
}

/// An endpoint as stored.
#[derive(Debug, Clone)]
pub struct HookEndpoint {
    pub tenant_id: TenantId,
    pub id: EndpointId,
    pub url: String,
    pub description: Option<String>,
    /// Event patterns: names, `family.*` or `*`.
    pub events: Vec<String>,
    pub enabled: bool,
    /// Sealed JSON object of extra request headers.
    pub headers: Option<String>,
    /// Sealed signing secret.
    pub secret: String,
    /// Sealed; signs too until `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<Timestamp>,
    /// Only events numbered after this are delivered to it.
    pub from_seq: i64,
    pub failing_since: Option<Timestamp>,
    pub disabled_reason: Option<String>,
    pub format: HookFormat,
    /// A `CloudApi` endpoint's numbers (`None`: all the tenant's).
    pub channel_ids: Option<Vec<ChannelId>>,
    /// Sealed: what a `CloudApi` endpoint expects as `hub.verify_token`.
    pub verify_token: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct EndpointRow {
    tenant_id: Uuid,
    id: Uuid,
    url: String,
    description: Option<String>,
    events: String,
    enabled: i64,
    headers: Option<String>,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_until: Option<i64>,
    from_seq: i64,
    failing_since: Option<i64>,
    disabled_reason: Option<String>,
    format: String,
    channel_ids: Option<String>,
    verify_token: Option<String>,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "tenant_id, id, url, description, events, enabled, headers, secret, \
    previous_secret, previous_secret_until, from_seq, failing_since, disabled_reason, \
    format, channel_ids, verify_token, created_at, updated_at";

impl TryFrom<EndpointRow> for HookEndpoint {
    type Error = StoreError;
    fn try_from(r: EndpointRow) -> StoreResult<Self> {
        Ok(HookEndpoint {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: EndpointId::from_uuid(r.id),
            url: r.url,
            description: r.description,
            events: serde_json::from_str(&r.events).map_err(StoreError::corrupt)?,
            enabled: r.enabled != 0,
            headers: r.headers,
            secret: r.secret,
            previous_secret: r.previous_secret,
            previous_secret_until: r.previous_secret_until.map(Timestamp::from_millis),
            from_seq: r.from_seq,
            failing_since: r.failing_since.map(Timestamp::from_millis),
            disabled_reason: r.disabled_reason,
            format: HookFormat::parse(&r.format).ok_or_else(|| {
                StoreError::corrupt(format!("unknown endpoint format {}", r.format))
            })?,
            channel_ids: r
                .channel_ids
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(StoreError::corrupt)?,
            verify_token: r.verify_token,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

fn channel_ids_json(e: &HookEndpoint) -> StoreResult<Option<String>> {
    e.channel_ids
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(StoreError::corrupt)
}

fn endpoints(rows: Vec<EndpointRow>) -> StoreResult<Vec<HookEndpoint>> {
    rows.into_iter().map(HookEndpoint::try_from).collect()
}

/// One endpoint's attempts over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptTally {
    pub endpoint_id: EndpointId,
    pub attempts: i64,
    /// Those answered 2xx.
    pub succeeded: i64,
}

impl TenantTx {
    /// How many webhook endpoints the tenant has (enabled or not).
    pub async fn count_hook_endpoints(&mut self) -> StoreResult<i64> {
        run!(&mut self.tx, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM hook_endpoints WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_one(c)
        .await)
    }

    /// Inserts `e` as it is (its `tenant_id` is this transaction's).
    pub async fn insert_hook_endpoint(&mut self, e: &HookEndpoint) -> StoreResult<()> {
        let events = serde_json::to_string(&e.events).map_err(StoreError::corrupt)?;
        let channel_ids = channel_ids_json(e)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO hook_endpoints (tenant_id, id, url, description, events, enabled, \
               headers, secret, previous_secret, previous_secret_until, from_seq, \
               failing_since, disabled_reason, format, channel_ids, verify_token, \
               created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
               $17, $18)"
        )
        .bind(self.tenant.as_uuid())
        .bind(e.id.as_uuid())
        .bind(&e.url)
        .bind(&e.description)
        .bind(&events)
        .bind(i64::from(e.enabled))
        .bind(&e.headers)
        .bind(&e.secret)
        .bind(&e.previous_secret)
        .bind(e.previous_secret_until.map(Timestamp::as_millis))
        .bind(e.from_seq)
        .bind(e.failing_since.map(Timestamp::as_millis))
        .bind(&e.disabled_reason)
        .bind(e.format.as_str())
        .bind(&channel_ids)
        .bind(&e.verify_token)
        .bind(e.created_at.as_millis())
        .bind(e.updated_at.as_millis())
        .execute(c)
        .await)
        .map(drop)
    }

    /// Writes every changeable field of `e` (all but its id, `from_seq`,
    /// `format` and `created_at`).
    pub async fn update_hook_endpoint(&mut self, e: &HookEndpoint) -> StoreResult<()> {
        let events = serde_json::to_string(&e.events).map_err(StoreError::corrupt)?;
        let channel_ids = channel_ids_json(e)?;
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE hook_endpoints SET url = $3, description = $4, events = $5, enabled = $6, \
               headers = $7, secret = $8, previous_secret = $9, previous_secret_until = $10, \
               failing_since = $11, disabled_reason = $12, updated_at = $13, \
               channel_ids = $14, verify_token = $15 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(e.id.as_uuid())
        .bind(&e.url)
        .bind(&e.description)
        .bind(&events)
        .bind(i64::from(e.enabled))
        .bind(&e.headers)
        .bind(&e.secret)
        .bind(&e.previous_secret)
        .bind(e.previous_secret_until.map(Timestamp::as_millis))
        .bind(e.failing_since.map(Timestamp::as_millis))
        .bind(&e.disabled_reason)
        .bind(e.updated_at.as_millis())
        .bind(&channel_ids)
        .bind(&e.verify_token)
        .execute(c)
        .await)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn find_hook_endpoint(&mut self, id: EndpointId) -> StoreResult<HookEndpoint> {
        let sql = format!("SELECT {COLUMNS} FROM hook_endpoints WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, EndpointRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Endpoints, newest first.
    pub async fn list_hook_endpoints(
        &mut self,
        page: PageRequest,
    ) -> StoreResult<Page<HookEndpoint>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM hook_endpoints \
             WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, EndpointRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        Ok(page.finish(endpoints(rows)?, |e| e.id.as_uuid()))
    }

    /// Every enabled endpoint: the fan-out's targets.
    pub async fn enabled_hook_endpoints(&mut self) -> StoreResult<Vec<HookEndpoint>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM hook_endpoints WHERE tenant_id = $1 AND enabled = 1 ORDER BY id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, EndpointRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        endpoints(rows)
    }

    /// Removes an endpoint with its deliveries and attempts.
    pub async fn delete_hook_endpoint(&mut self, id: EndpointId) -> StoreResult<()> {
        for table in ["hook_attempts", "hook_deliveries"] {
            let sql = format!("DELETE FROM {table} WHERE tenant_id = $1 AND endpoint_id = $2");
            exec!(&mut self.tx, |c| sqlx::query(sqlx::AssertSqlSafe(
                sql.clone()
            ))
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .execute(c)
            .await)?;
        }
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM hook_endpoints WHERE tenant_id = $1 AND id = $2"
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

    /// Per endpoint, the attempts started since `since` and how many got a
    /// 2xx answer (endpoints without attempts are left out).
    pub async fn hook_attempt_tallies(
        &mut self,
        since: Timestamp,
    ) -> StoreResult<Vec<AttemptTally>> {
        let rows: Vec<(Uuid, i64, i64)> = run!(&mut self.tx, |c| {
            sqlx::query_as(
            "SELECT endpoint_id, COUNT(*), \
                    COALESCE(SUM(CASE WHEN status_code >= 200 AND status_code < 300 THEN 1 ELSE 0 END), 0) \
             FROM hook_attempts WHERE tenant_id = $1 AND started_at >= $2 GROUP BY endpoint_id"
        )
        .bind(self.tenant.as_uuid())
        .bind(since.as_millis())
        .fetch_all(c)
        .await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, attempts, succeeded)| AttemptTally {
                endpoint_id: EndpointId::from_uuid(id),
                attempts,
                succeeded,
            })
            .collect())
    }
}

impl SystemTx {
    /// The tenants among `tenants` with an enabled Cloud-API-format
    /// endpoint: those whose Meta webhooks are forwarded.
    pub async fn tenants_forwarding_webhooks(
        &mut self,
        tenants: &[TenantId],
    ) -> StoreResult<Vec<TenantId>> {
        let mut found = Vec::new();
        for t in tenants {
            let row: Option<(Uuid,)> = run!(&mut self.tx, |c| sqlx::query_as(
                "SELECT id FROM hook_endpoints \
                 WHERE tenant_id = $1 AND format = 'cloud_api' AND enabled = 1 LIMIT 1"
            )
            .bind(t.as_uuid())
            .fetch_optional(c)
            .await)?;
            if row.is_some() {
                found.push(*t);
            }
        }
        Ok(found)
    }
}
