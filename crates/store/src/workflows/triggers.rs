//! What a workflow's triggers and calls keep besides its definition: when
//! its schedule fires next, the secret of its inbound URL and the secret
//! that signs its HTTP calls (both sealed by the server; the store sees
//! only ciphertext and the URL secret's hash).

use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreResult};
use domain::{TenantId, Timestamp, WorkflowId};
use uuid::Uuid;

/// A workflow's secrets, sealed; `None` until first made.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkflowSecrets {
    pub inbound_token_sealed: Option<String>,
    pub secret_sealed: Option<String>,
}

impl TenantTx {
    /// When workflow `id`'s schedule fires next (`None`: it has none, or it
    /// is disabled).
    pub async fn workflow_next_fire_at(
        &mut self,
        id: WorkflowId,
    ) -> StoreResult<Option<Timestamp>> {
        let at: Option<Option<i64>> = run!(&mut self.tx, |c| sqlx::query_scalar(
            "SELECT next_fire_at FROM workflows WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        Ok(at.or_not_found()?.map(Timestamp::from_millis))
    }

    /// Sets when workflow `id`'s schedule fires next.
    pub async fn set_workflow_next_fire_at(
        &mut self,
        id: WorkflowId,
        at: Option<Timestamp>,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE workflows SET next_fire_at = $3 WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(at.map(Timestamp::as_millis))
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Moves workflow `id`'s next fire time from `from` to `to`; whether
    /// it was still `from` (else nothing changed).
    pub async fn move_workflow_fire(
        &mut self,
        id: WorkflowId,
        from: Timestamp,
        to: Option<Timestamp>,
    ) -> StoreResult<bool> {
        let n = exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE workflows SET next_fire_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND next_fire_at = $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(from.as_millis())
        .bind(to.map(Timestamp::as_millis))
        .execute(c)
        .await)?;
        Ok(n == 1)
    }

    pub async fn workflow_secrets(&mut self, id: WorkflowId) -> StoreResult<WorkflowSecrets> {
        let row: Option<(Option<String>, Option<String>)> = run!(&mut self.tx, |c| {
            sqlx::query_as(
                "SELECT inbound_token_sealed, secret_sealed FROM workflows \
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(self.tenant.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(c)
            .await
        })?;
        let (inbound_token_sealed, secret_sealed) = row.or_not_found()?;
        Ok(WorkflowSecrets {
            inbound_token_sealed,
            secret_sealed,
        })
    }

    /// Stores workflow `id`'s inbound URL secret (its hash and sealed) and
    /// its signing secret (sealed).
    pub async fn set_workflow_secrets(
        &mut self,
        id: WorkflowId,
        inbound_token_hash: &str,
        secrets: &WorkflowSecrets,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE workflows SET inbound_token_hash = $3, inbound_token_sealed = $4, \
                 secret_sealed = $5 \
             WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(inbound_token_hash)
        .bind(secrets.inbound_token_sealed.as_deref())
        .bind(secrets.secret_sealed.as_deref())
        .execute(c)
        .await)?;
        Ok(())
    }
}

impl SystemTx {
    /// The tenant and workflow whose inbound URL secret hashes to `hash`.
    pub async fn find_workflow_by_inbound_token(
        &mut self,
        hash: &str,
    ) -> StoreResult<(TenantId, WorkflowId)> {
        let row: Option<(Uuid, Uuid)> = run!(&mut self.tx, |c| sqlx::query_as(
            "SELECT tenant_id, id FROM workflows WHERE inbound_token_hash = $1"
        )
        .bind(hash)
        .fetch_optional(c)
        .await)?;
        let (tenant, id) = row.or_not_found()?;
        Ok((TenantId::from_uuid(tenant), WorkflowId::from_uuid(id)))
    }
}
