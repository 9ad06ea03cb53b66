use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ApiKeyId, Permission, TenantId, Timestamp, UserId};
use uuid::Uuid;

/// A tenant API key. Only its SHA-256 hash is stored; `prefix` is the
/// public start of the key, shown in lists so people can tell keys apart.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub tenant_id: TenantId,
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Permission>,
    pub created_by: Option<UserId>,
    pub expires_at: Option<Timestamp>,
    pub last_used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl ApiKey {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }

    /// Whether a use at `now` should refresh `last_used_at` (see
    /// [`TenantTx::touch_api_key`]); most requests of a busy key need not
    /// write at all.
    pub fn last_use_is_stale(&self, now: Timestamp) -> bool {
        self.last_used_at
            .is_none_or(|t| t.as_millis() < now.as_millis() - LAST_USED_GRANULARITY_MS)
    }
}

#[derive(sqlx::FromRow)]
struct ApiKeyRow {
    tenant_id: Uuid,
    id: Uuid,
    name: String,
    prefix: String,
    scopes: String,
    created_by: Option<Uuid>,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<ApiKeyRow> for ApiKey {
    type Error = StoreError;
    fn try_from(r: ApiKeyRow) -> StoreResult<Self> {
        Ok(ApiKey {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: ApiKeyId::from_uuid(r.id),
            name: r.name,
            prefix: r.prefix,
            scopes: serde_json::from_str(&r.scopes).map_err(StoreError::corrupt)?,
            created_by: r.created_by.map(UserId::from_uuid),
            expires_at: r.expires_at.map(Timestamp::from_millis),
            last_used_at: r.last_used_at.map(Timestamp::from_millis),
            revoked_at: r.revoked_at.map(Timestamp::from_millis),
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewApiKey<'a> {
    pub id: ApiKeyId,
    pub name: &'a str,
    pub prefix: &'a str,
    pub key_hash: &'a str,
    pub scopes: &'a [Permission],
    pub created_by: Option<UserId>,
    pub expires_at: Option<Timestamp>,
    pub now: Timestamp,
}

/// How stale `last_used_at` may get before a request refreshes it; keeps a
/// busy key from turning every read into a write.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

impl TenantTx {
    pub async fn insert_api_key(&mut self, k: NewApiKey<'_>) -> StoreResult<ApiKey> {
        let scopes = serde_json::to_string(k.scopes).map_err(StoreError::corrupt)?;
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO api_keys (tenant_id, id, name, prefix, key_hash, scopes, created_by, \
                                   expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(self.tenant.as_uuid())
        .bind(k.id.as_uuid())
        .bind(k.name)
        .bind(k.prefix)
        .bind(k.key_hash)
        .bind(&scopes)
        .bind(k.created_by.map(|u| u.as_uuid()))
        .bind(k.expires_at.map(Timestamp::as_millis))
        .bind(k.now.as_millis())
        .execute(c)
        .await)?;
        self.find_api_key(k.id).await
    }

    pub async fn find_api_key(&mut self, id: ApiKeyId) -> StoreResult<ApiKey> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ApiKeyRow>(
            "SELECT tenant_id, id, name, prefix, scopes, created_by, expires_at, last_used_at, \
                    revoked_at, created_at \
             FROM api_keys WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    pub async fn list_api_keys(&mut self, page: PageRequest) -> StoreResult<Page<ApiKey>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, ApiKeyRow>(
            "SELECT tenant_id, id, name, prefix, scopes, created_by, expires_at, last_used_at, \
                    revoked_at, created_at \
             FROM api_keys WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        let keys = rows
            .into_iter()
            .map(ApiKey::try_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page.finish(keys, |k| k.id.as_uuid()))
    }

    pub async fn revoke_api_key(&mut self, id: ApiKeyId, now: Timestamp) -> StoreResult<ApiKey> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE api_keys SET revoked_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        self.find_api_key(id).await
    }

    /// Records a use of the key, at most once a minute.
    pub async fn touch_api_key(&mut self, id: ApiKeyId, now: Timestamp) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE api_keys SET last_used_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $4)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .bind(now.as_millis() - LAST_USED_GRANULARITY_MS)
        .execute(c)
        .await)?;
        Ok(())
    }
}

impl SystemTx {
    /// Finds a key by its hash, in whichever tenant it is.
    pub async fn find_api_key_by_hash(&mut self, key_hash: &str) -> StoreResult<ApiKey> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, ApiKeyRow>(
            "SELECT tenant_id, id, name, prefix, scopes, created_by, expires_at, last_used_at, \
                    revoked_at, created_at \
             FROM api_keys WHERE key_hash = $1"
        )
        .bind(key_hash)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }
}
