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
    /// The platform itself, naming which part acted (`whatsapp`, `worker`,
    /// `cli`).
    SystemVia(&'static str),
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User(_) => "user",
            Actor::ApiKey(_) => "api_key",
            Actor::Operator(_) => "operator",
            Actor::System | Actor::SystemVia(_) => "system",
        }
    }
    pub fn via(&self) -> Option<&'static str> {
        match self {
            Actor::SystemVia(via) => Some(via),
            _ => None,
        }
    }
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User(id) => Some(id.as_uuid()),
            Actor::ApiKey(id) => Some(id.as_uuid()),
            Actor::Operator(id) => Some(id.as_uuid()),
            Actor::System | Actor::SystemVia(_) => None,
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
    /// For the system: which part of it acted.
    pub actor_via: Option<String>,
    /// The user's or the API key's name, while they exist.
    pub actor_name: Option<String>,
    /// The user's email, while they exist.
    pub actor_email: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub details: Value,
    pub created_at: Timestamp,
}

/// Which entries to list; every part is optional.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `user`, `api_key`, `operator` or `system`.
    pub actor_kind: Option<String>,
    pub actor_id: Option<Uuid>,
    /// An action (`user.update`), or a family of them (`user`).
    pub action: Option<String>,
    /// From this time on.
    pub since: Option<Timestamp>,
    /// Before this time.
    pub until: Option<Timestamp>,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: Uuid,
    tenant_id: Option<Uuid>,
    actor_kind: String,
    actor_id: Option<Uuid>,
    actor_via: Option<String>,
    user_name: Option<String>,
    user_email: Option<String>,
    key_name: Option<String>,
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
            actor_via: r.actor_via,
            actor_name: r.user_name.or(r.key_name),
            actor_email: r.user_email,
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
                                target_id, ip, details, created_at, actor_via) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
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
    .bind(e.actor.via())
    .execute(c)
    .await)?;
    Ok(())
}

/// The columns of a listing, with the acting user's or key's name.
const SELECT: &str = "SELECT a.id, a.tenant_id, a.actor_kind, a.actor_id, a.actor_via, a.action, \
            a.target_kind, a.target_id, a.ip, a.details, a.created_at, \
            u.name AS user_name, u.email AS user_email, k.name AS key_name \
     FROM audit_log a \
     LEFT JOIN users u ON a.actor_kind = 'user' AND u.tenant_id = a.tenant_id \
                      AND u.id = a.actor_id \
     LEFT JOIN api_keys k ON a.actor_kind = 'api_key' AND k.tenant_id = a.tenant_id \
                         AND k.id = a.actor_id ";

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

    /// This tenant's audit log, newest first, narrowed by `filter`.
    pub async fn list_audit(
        &mut self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> StoreResult<Page<AuditEntry>> {
        let sql = format!(
            "{SELECT} WHERE a.tenant_id = $1 AND ($2 IS NULL OR a.id < $2) \
               AND ($4 IS NULL OR a.actor_kind = $4) AND ($5 IS NULL OR a.actor_id = $5) \
               AND ($6 IS NULL OR a.action = $6 \
                    OR substr(a.action, 1, length($6) + 1) = $6 || '.') \
               AND ($7 IS NULL OR a.created_at >= $7) AND ($8 IS NULL OR a.created_at < $8) \
             ORDER BY a.id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, AuditRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(self.tenant.as_uuid())
        .bind(page.after)
        .bind(page.fetch_limit())
        .bind(filter.actor_kind.as_deref())
        .bind(filter.actor_id)
        .bind(filter.action.as_deref())
        .bind(filter.since.map(Timestamp::as_millis))
        .bind(filter.until.map(Timestamp::as_millis))
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
        let sql = format!(
            "{SELECT} WHERE ($1 IS NULL OR a.tenant_id = $1) AND ($2 IS NULL OR a.id < $2) \
             ORDER BY a.id DESC LIMIT $3"
        );
        let rows = run!(&mut self.tx, |c| sqlx::query_as::<_, AuditRow>(
            sqlx::AssertSqlSafe(sql.clone())
        )
        .bind(tenant.map(|t| t.as_uuid()))
        .bind(page.after)
        .bind(page.fetch_limit())
        .fetch_all(c)
        .await)?;
        finish(page, rows)
    }
}
