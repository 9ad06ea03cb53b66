//! The audit log: every change, and every operator look into a tenant.

use crate::db::{SystemTx, TenantTx, Tx, exec, run};
use crate::error::{StoreError, StoreResult};
use crate::page::{Page, PageRequest};
use domain::{ApiKeyId, AuditId, OperatorId, TenantId, Timestamp, UserId};
use serde_json::Value;
use uuid::Uuid;

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    ApiKey(ApiKeyId),
    Operator(OperatorId),
    /// The platform itself, or the command line.
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::ApiKey(_) => "api_key",
            Actor::Operator(_) => "operator",
            Actor::System => "system",
        }
    }
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User(id) => Some(id.as_uuid()),
            Actor::ApiKey(id) => Some(id.as_uuid()),
            Actor::Operator(id) => Some(id.as_uuid()),
            Actor::System => None,
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: AuditId,
    pub tenant_id: Option<TenantId>,
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: Value,
    pub created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    tenant_id: Option<Uuid>,
    actor_kind: String,
    actor_id: Option<Uuid>,
    action: String,
    target_kind: String,
    target_id: Option<String>,
    ip: Option<String>,
    details: String,
    created_at: i64,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(r: AuditRow) -> StoreResult<Self> {
        Ok(AuditEntry {
            id: AuditId::from_uuid(r.id),
            tenant_id: r.tenant_id.map(TenantId::from_uuid),
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            ip: r.ip,
            details: serde_json::from_str(&r.details).map_err(StoreError::corrupt)?,
            created_at: Timestamp::from_millis(r.created_at),
        })
    }
}

/// What to record. `action` is a stable dotted name such as `user.invite`.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    pub actor: Actor,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<String>,
    pub ip: Option<&'a str>,
    pub details: Value,
    pub now: Timestamp,
}

async fn insert(tx: &mut Tx, tenant: Option<TenantId>, e: NewAuditEntry<'_>) -> StoreResult<()> {
    let details = e.details.to_string();
    exec!(tx, |c| sqlx::query(
        "INSERT INTO audit_log (id, tenant_id, actor_kind, actor_id, action, target_kind, \
                                target_id, ip, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(AuditId::new().as_uuid())
    .bind(tenant.map(|t| t.as_uuid()))
    .bind(e.actor.kind())
    .bind(e.actor.id())
    .bind(e.action)
    .bind(e.target_kind)
    .bind(e.target_id.as_deref())
    .bind(e.ip)
    .bind(&details)
    .bind(e.now.as_millis())
    .execute(c)
    .await)?;
    Ok(())
}

fn finish(page: PageRequest, rows: Vec<AuditRow>) -> StoreResult<Page<AuditEntry>> {
    let entries = rows
        .into_iter()
        .map(AuditEntry::try_from)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page.finish(entries, |e| e.id.as_uuid()))
}

impl TenantTx {
    pub async fn insert_audit(&mut self, e: NewAuditEntry<'_>) -> StoreResult<()> {
        insert(&mut self.tx, Some(self.tenant), e).await
    }

    /// This tenant's audit log, newest first.
    pub async fn list_audit(&mut self, page: PageRequest) -> StoreResult<Page<AuditEntry>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, AuditRow>(
            "SELECT id, tenant_id, actor_kind, actor_id, action, target_kind, target_id, ip, \
                    details, created_at \
             FROM audit_log WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        finish(page, rows)
    }
}

impl SystemTx {
    /// Records an entry about `tenant`, or about the platform when `None`.
    pub async fn insert_audit(
        &mut self,
        tenant: Option<TenantId>,
        e: NewAuditEntry<'_>,
    ) -> StoreResult<()> {
        insert(&mut self.tx, tenant, e).await
    }

    /// The whole audit log, or one tenant's, newest first.
    pub async fn list_audit(
        &mut self,
        tenant: Option<TenantId>,
        page: PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, AuditRow>(
            "SELECT id, tenant_id, actor_kind, actor_id, action, target_kind, target_id, ip, \
                    details, created_at \
             FROM audit_log WHERE ($1 IS NULL OR tenant_id = $1) AND ($2 IS NULL OR id < $2) \
             ORDER BY id DESC LIMIT $3"
        )
        .bind(tenant.map(|t| t.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        finish(page, rows)
    }
}
