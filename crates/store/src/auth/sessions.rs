use crate::db::{SystemTx, TenantTx, exec, run};
use crate::error::{OrNotFound, StoreError, StoreResult};
use domain::{SessionId, TenantId, Timestamp, UserId};
use uuid::Uuid;

/// How a session is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// A browser session: an opaque token in an HttpOnly cookie.
    Cookie,
    /// A refresh-token family behind short-lived JWT access tokens.
    Refresh,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Cookie => "cookie",
            SessionKind::Refresh => "refresh",
        }
    }
    fn parse(s: &str) -> StoreResult<Self> {
        match s {
            "cookie" => Ok(SessionKind::Cookie),
            "refresh" => Ok(SessionKind::Refresh),
            other => Err(StoreError::corrupt(format!("session kind {other}"))),
        }
    }
}

/// A signed-in user's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub tenant_id: TenantId,
    pub id: SessionId,
    pub user_id: UserId,
    pub kind: SessionKind,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl Session {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    tenant_id: Uuid,
    id: Uuid,
    user_id: Uuid,
    kind: String,
    created_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

impl TryFrom<SessionRow> for Session {
    type Error = StoreError;
    fn try_from(r: SessionRow) -> StoreResult<Self> {
        Ok(Session {
            tenant_id: TenantId::from_uuid(r.tenant_id),
            id: SessionId::from_uuid(r.id),
            user_id: UserId::from_uuid(r.user_id),
            kind: SessionKind::parse(&r.kind)?,
            created_at: Timestamp::from_millis(r.created_at),
            expires_at: Timestamp::from_millis(r.expires_at),
            revoked_at: r.revoked_at.map(Timestamp::from_millis),
        })
    }
}

#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub user_id: UserId,
    pub kind: SessionKind,
    pub token_hash: &'a str,
    pub ip: Option<&'a str>,
    pub now: Timestamp,
    pub expires_at: Timestamp,
}

impl TenantTx {
    pub async fn insert_session(&mut self, s: NewSession<'_>) -> StoreResult<Session> {
        let id = SessionId::new();
        exec!(&mut self.tx, |c| sqlx::query(
            "INSERT INTO sessions (tenant_id, id, user_id, kind, token_hash, ip, created_at, \
                                   expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(s.user_id.as_uuid())
        .bind(s.kind.as_str())
        .bind(s.token_hash)
        .bind(s.ip)
        .bind(s.now.as_millis())
        .bind(s.expires_at.as_millis())
        .execute(c)
        .await)?;
        self.find_session(id).await
    }

    pub async fn find_session(&mut self, id: SessionId) -> StoreResult<Session> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SessionRow>(
            "SELECT tenant_id, id, user_id, kind, created_at, expires_at, revoked_at \
             FROM sessions WHERE tenant_id = $1 AND id = $2"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }

    /// Swaps a refresh session's token for a new one (the old one stops working).
    pub async fn rotate_session_token(
        &mut self,
        id: SessionId,
        new_token_hash: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE sessions SET token_hash = $3, expires_at = $4 \
             WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(new_token_hash)
        .bind(expires_at.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    pub async fn revoke_session(&mut self, id: SessionId, now: Timestamp) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(id.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }

    /// Signs a user out everywhere (role change, disabling, password change).
    pub async fn revoke_user_sessions(&mut self, user: UserId, now: Timestamp) -> StoreResult<()> {
        exec!(&mut self.tx, |c| sqlx::query(
            "UPDATE sessions SET revoked_at = $3 \
             WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL"
        )
        .bind(self.tenant.as_uuid())
        .bind(user.as_uuid())
        .bind(now.as_millis())
        .execute(c)
        .await)?;
        Ok(())
    }
}

impl SystemTx {
    /// Finds a session by its token's hash, in whichever tenant it is.
    pub async fn find_session_by_token_hash(&mut self, token_hash: &str) -> StoreResult<Session> {
        let row = run!(&mut self.tx, |c| sqlx::query_as::<_, SessionRow>(
            "SELECT tenant_id, id, user_id, kind, created_at, expires_at, revoked_at \
             FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .fetch_optional(c)
        .await)?;
        row.or_not_found()?.try_into()
    }
}
