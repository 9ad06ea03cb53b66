//! Stored answers to creating calls made with an `Idempotency-Key`, so a
//! retried request gets the first answer instead of a second effect.

use crate::db::{TenantTx, exec, run};
use crate::error::StoreResult;
use domain::Timestamp;

/// The first answer given to a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Hash of the method, path and body of the first request; a different
    /// request under the same key is refused rather than replayed.
    pub request_hash: String,
    pub status_code: u16,
    pub body: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    request_hash: String,
    status_code: i32,
    response_body: String,
}

impl TenantTx {
    pub async fn find_idempotent_response(
        &mut self,
        principal: &str,
        key: &str,
    ) -> StoreResult<Option<StoredResponse>> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, Row>(
            "SELECT request_hash, status_code, response_body FROM idempotency_keys \
             WHERE tenant_id = $1 AND principal = $2 AND key = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(principal)
        .bind(key)
        .fetch_optional(c)
        .await)?;
        Ok(row.map(|r| StoredResponse {
            request_hash: r.request_hash,
            status_code: u16::try_from(r.status_code).unwrap_or(500),
            body: r.response_body,
        }))
    }

    /// Keeps the first answer; a concurrent duplicate that lost the race
    /// leaves the stored one untouched.
    pub async fn insert_idempotent_response(
        &mut self,
        principal: &str,
        key: &str,
        response: &StoredResponse,
        now: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO idempotency_keys (tenant_id, principal, key, request_hash, status_code, \
                                           response_body, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
        )
        .bind(self.tenant.as_uuid())
        .bind(principal)
        .bind(key)
        .bind(&response.request_hash)
        .bind(i32::from(response.status_code))
        .bind(&response.body)
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}
