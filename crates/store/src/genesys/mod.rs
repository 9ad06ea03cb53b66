//! The Genesys Cloud bridge: a workspace's credentials
//! (`genesys_accounts`), each number's Open Messaging integration
//! (`genesys_links`), conversations' time with Genesys
//! ([`handovers`]), what is said to Genesys ([`outbox`]) and what its
//! agents sent back ([`replies`]). Secrets stay sealed here: the server
//! seals and opens them.

pub mod handovers;
pub mod outbox;
pub mod replies;

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{ChannelId, GenesysLinkId, TenantId, Timestamp};
use uuid::Uuid;

/// A workspace's Genesys Cloud credentials.
#[derive(Debug, Clone, PartialEq)]
pub struct GenesysAccount {
    /// The region's host suffix (`mypurecloud.ie`).
    pub region: String,
    pub client_id: String,
    /// Sealed.
    pub client_secret: String,
    pub verified_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    region: String,
    client_id: String,
    client_secret: String,
    verified_at: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<AccountRow> for GenesysAccount {
    fn from(r: AccountRow) -> Self {
        GenesysAccount {
            region: r.region,
            client_id: r.client_id,
            client_secret: r.client_secret,
            verified_at: Timestamp::from_millis(r.verified_at),
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

/// A number's Open Messaging integration.
#[derive(Debug, Clone, PartialEq)]
pub struct GenesysLink {
    pub tenant_id: TenantId,
    pub id: GenesysLinkId,
    pub channel_id: ChannelId,
    /// Genesys' id of the integration.
    pub integration_id: String,
    /// Sealed signature secret of the integration's webhook.
    pub webhook_secret: String,
    /// `all` or `handover`.
    pub routing: String,
    /// Lower-case keywords a customer hands over with.
    pub keywords: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    tenant_id: Uuid,
    id: Uuid,
    channel_id: Uuid,
    integration_id: String,
    webhook_secret: String,
    routing: String,
    keywords: String,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<LinkRow> for GenesysLink {
    type Error = StoreError;
    fn try_from(r: LinkRow) -> StoreResult<Self> {
        Ok(GenesysLink {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: GenesysLinkId::from_uuid(r.id),
            channel_id: ChannelId::from_uuid(r.channel_id),
            integration_id: r.integration_id,
            webhook_secret: r.webhook_secret,
            routing: r.routing,
            keywords: serde_json::from_str(&r.keywords).map_err(StoreError::corrupt)?,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        })
    }
}

const LINK_COLUMNS: &str = "tenant_id, id, channel_id, integration_id, webhook_secret, routing, \
     keywords, created_at, updated_at";

impl TenantTx {
    /// The workspace's Genesys credentials, if it has any.
    pub async fn find_genesys_account(&mut self) -> StoreResult<Option<GenesysAccount>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, AccountRow>(
            "SELECT region, client_id, client_secret, verified_at, created_at, updated_at \
             FROM genesys_accounts WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(row.map(Into::into))
    }

    /// Writes the workspace's Genesys credentials (replacing any).
    pub async fn upsert_genesys_account(&mut self, a: &GenesysAccount) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO genesys_accounts (tenant_id, id, region, client_id, client_secret, \
                 verified_at, created_at, updated_at) VALUES ($1, $8, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id) DO UPDATE SET region = $2, client_id = $3, \
                 client_secret = $4, verified_at = $5, updated_at = $7"
        )
        .bind(self.tenant.as_uuid())
        .bind(&a.region)
        .bind(&a.client_id)
        .bind(&a.client_secret)
        .bind(a.verified_at.as_millis())
        .bind(a.created_at.as_millis())
        .bind(a.updated_at.as_millis())
        .bind(Uuid::now_v7())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Removes the workspace's Genesys credentials; whether there were any.
    pub async fn delete_genesys_account(&mut self) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM genesys_accounts WHERE tenant_id = $1"
        )
        .bind(self.tenant.as_uuid())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }

    /// Every number's link, by number.
    pub async fn list_genesys_links(&mut self) -> StoreResult<Vec<GenesysLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM genesys_links WHERE tenant_id = $1 ORDER BY created_at, id"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, LinkRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .fetch_all(c)
        .await)?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// The link of number `channel`, if it has one.
    pub async fn find_genesys_link_of(
        &mut self,
        channel: ChannelId,
    ) -> StoreResult<Option<GenesysLink>> {
        let sql = format!(
            "SELECT {LINK_COLUMNS} FROM genesys_links WHERE tenant_id = $1 AND channel_id = $2"
        );
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, LinkRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(channel.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.map(TryInto::try_into).transpose()
    }

    /// Link `id`.
    pub async fn find_genesys_link(&mut self, id: GenesysLinkId) -> StoreResult<GenesysLink> {
        let sql =
            format!("SELECT {LINK_COLUMNS} FROM genesys_links WHERE tenant_id = $1 AND id = $2");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, LinkRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Writes `l` as its number's link (inserted, or replacing the one
    /// there, which keeps its id and `created_at`); the link as stored.
    pub async fn upsert_genesys_link(&mut self, l: &GenesysLink) -> StoreResult<GenesysLink> {
        let keywords = serde_json::to_string(&l.keywords).map_err(StoreError::corrupt)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO genesys_links (tenant_id, id, channel_id, integration_id, \
                 webhook_secret, routing, keywords, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (tenant_id, channel_id) DO UPDATE SET integration_id = $4, \
                 webhook_secret = $5, routing = $6, keywords = $7, updated_at = $9"
        )
        .bind(self.tenant.as_uuid())
        .bind(l.id.as_uuid())
        .bind(l.channel_id.as_uuid())
        .bind(&l.integration_id)
        .bind(&l.webhook_secret)
        .bind(&l.routing)
        .bind(&keywords)
        .bind(l.created_at.as_millis())
        .bind(l.updated_at.as_millis())
        .execute(c)
        .await)?;
        self.find_genesys_link_of(l.channel_id)
            .await?
            .or_not_found()
    }

    /// Removes link `id`; whether it was there.
    pub async fn delete_genesys_link(&mut self, id: GenesysLinkId) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "DELETE FROM genesys_links WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .execute(c)
        .await)?;
        Ok(n > 0)
    }
}

impl SystemTx {
    /// Link `id`, in whichever tenant: how Genesys' webhook finds its
    /// tenant.
    pub async fn find_genesys_link_anywhere(
        &mut self,
        id: GenesysLinkId,
    ) -> StoreResult<GenesysLink> {
        let sql = format!("SELECT {LINK_COLUMNS} FROM genesys_links WHERE id = $1");
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, LinkRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }
}
